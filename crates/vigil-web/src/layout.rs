//! The page shell: GOV.UK Design System conventions (header, width container, skip link,
//! headings, buttons, error summaries) in Vigil's own stylesheet, served inline so a page
//! needs nothing from the network.

pub use vigil_report::html::esc;

const CSS: &str = r#"
*{box-sizing:border-box}body{margin:0;font-family:Arial,Helvetica,sans-serif;color:#0b0c0c;font-size:19px;line-height:1.32}
a{color:#1d70b8}a:focus,button:focus,input:focus{outline:3px solid #fd0;outline-offset:0;box-shadow:inset 0 0 0 2px #0b0c0c}
.skip{position:absolute;left:-9999px}.skip:focus{position:static}
header{background:#0b0c0c;color:#fff;border-bottom:10px solid #1d70b8}header .w{display:flex;justify-content:space-between;align-items:center;padding:12px 15px}
header a{color:#fff;font-weight:bold;font-size:24px;text-decoration:none}header form{margin:0}
.w{max-width:960px;margin:0 auto;padding:0 15px}main{padding:30px 0}
h1{font-size:36px;margin:0 0 30px}h2{font-size:27px;margin:30px 0 15px}
.label{display:block;font-weight:bold;margin-bottom:5px}.input{font-size:19px;padding:5px;border:2px solid #0b0c0c;width:100%;max-width:20em;height:40px}
.field{margin-bottom:30px}.hint{color:#505a5f;margin-bottom:5px}
.button{background:#00703c;color:#fff;border:0;box-shadow:0 2px 0 #002d18;font-size:19px;padding:8px 10px 7px;cursor:pointer}
.button-secondary{background:#f3f2f1;color:#0b0c0c;box-shadow:0 2px 0 #929191}
.error-summary{border:5px solid #d4351c;padding:15px;margin-bottom:30px}.error-summary h2{margin-top:0}
.error-message{color:#d4351c;font-weight:bold}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:10px 20px 10px 0;border-bottom:1px solid #b1b4b6}
dl{display:grid;grid-template-columns:12em 1fr;gap:0}dt,dd{margin:0;padding:10px 0;border-bottom:1px solid #b1b4b6}dt{font-weight:bold}
.tag{display:inline-block;padding:2px 8px;background:#d4351c;color:#fff;font-weight:bold;font-size:16px}
.phase{padding:10px 0;border-bottom:1px solid #b1b4b6;font-size:16px}
"#;

/// A whole page. `user_form` is the header's sign-out form, when someone is signed in.
pub fn page(title: &str, user_form: Option<&str>, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{} – Vigil</title><style>{CSS}</style></head><body><a class=\"skip\" href=\"#main\">Skip to main content</a><header><div class=\"w\"><a href=\"/\">Vigil</a>{}</div></header><div class=\"w\"><p class=\"phase\">Synthetic data only in this demonstration. This service holds OFFICIAL-SENSITIVE information.</p><main id=\"main\">{body}</main></div></body></html>",
        esc(title),
        user_form.unwrap_or("")
    )
}
