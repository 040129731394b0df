//! `vigil report`: the board report (the seed deep-dive) as HTML, and PDF through headless
//! Chromium when it is installed.

use crate::{Failure, open_store};
use std::path::{Path, PathBuf};
use std::time::Instant;
use vigil_analytics::{PackConfig, codec, compute};
use vigil_domain::time::parse_date;
use vigil_report::{ReportOptions, report_windows, sdc::Publish};

#[derive(clap::Args)]
pub struct Args {
    /// Report as of the end of this day (YYYY-MM-DD). Default: the extract date in the store.
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// Report one Local Policing Area instead of the whole force.
    #[arg(long, value_name = "NAME")]
    lpa: Option<String>,
    /// Where to write the HTML report.
    #[arg(long, value_name = "FILE", default_value = "report.html")]
    out: PathBuf,
    /// Also print it to PDF (needs headless Chromium: the `chromium` package on Debian).
    #[arg(long, value_name = "FILE")]
    pdf: Option<PathBuf>,
    /// Apply statistical disclosure control for publication outside the force.
    #[arg(long)]
    publish: bool,
    /// The name on the cover. Default: the source recorded with the extract.
    #[arg(long, value_name = "TEXT")]
    title: Option<String>,
}

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|p| p.is_file())
}

/// Prints an HTML file to PDF with headless Chromium.
pub fn print_pdf(html: &Path, pdf: &Path) -> Result<(), Failure> {
    let Some(browser) = chromium() else {
        return Err(Failure::Runtime(
            "a PDF needs headless Chromium, which is not installed: install it (on Debian: apt-get install chromium), or open the HTML report in a browser and print it to PDF".into(),
        ));
    };
    let html = std::fs::canonicalize(html)
        .map_err(|e| Failure::Runtime(format!("{}: {e}", html.display())))?;
    let profile = tempfile_dir()?;
    let out = std::process::Command::new(&browser)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .map_err(|e| Failure::Runtime(format!("cannot run {}: {e}", browser.display())))?;
    let _ = std::fs::remove_dir_all(&profile);
    if !out.status.success() || !pdf.exists() {
        return Err(Failure::Runtime(format!(
            "Chromium could not print the PDF: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("no message")
        )));
    }
    Ok(())
}

fn tempfile_dir() -> Result<PathBuf, Failure> {
    let dir = std::env::temp_dir().join(format!("vigil-chromium-{}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| Failure::Runtime(format!("cannot create {}: {e}", dir.display())))?;
    Ok(dir)
}

pub async fn run(db: &str, args: Args) -> Result<(), Failure> {
    let started = Instant::now();
    let as_of = args
        .as_of
        .as_deref()
        .map(|s| parse_date(s).map_err(|e| Failure::BadInput(format!("--as-of: {e}"))))
        .transpose()?;
    let store = open_store(db).await?;
    let (snapshot, info, _) = crate::snapshot(store.as_ref(), db).await?;
    store.close().await;
    if let Some(l) = &args.lpa
        && snapshot.lpa_index(l).is_none()
    {
        return Err(Failure::BadInput(format!(
            "--lpa {l}: no Local Policing Area of that name; the records have {}",
            snapshot.lpas.join(", ")
        )));
    }
    let as_of = as_of.unwrap_or(info.as_of);
    let mut cfg = PackConfig::new(as_of);
    for w in report_windows(as_of).all() {
        if !cfg.windows.contains(&w) {
            cfg.windows.push(w);
        }
    }
    cfg.breakdown = args.lpa.is_some();
    let pack = compute(&snapshot, &cfg).map_err(|e| Failure::BadInput(e.to_string()))?;
    let opts = ReportOptions {
        force: args.title.clone().unwrap_or(info.source.clone()),
        lpa: args.lpa.clone(),
        publish: args.publish.then(Publish::default),
        fingerprint: vigil_extract::sha256_hex(&codec::encode(&snapshot, 0)),
    };
    let html = vigil_report::render(&pack, &snapshot.staffing, &opts);
    let tmp = args.out.with_extension("html.partial");
    std::fs::write(&tmp, &html)
        .and_then(|_| std::fs::rename(&tmp, &args.out))
        .map_err(|e| Failure::Runtime(format!("cannot write {}: {e}", args.out.display())))?;
    println!(
        "Wrote {} ({} KB) in {:.2} s.",
        args.out.display(),
        html.len() / 1024,
        started.elapsed().as_secs_f64()
    );
    if let Some(pdf) = &args.pdf {
        print_pdf(&args.out, pdf)?;
        println!("Printed {} with headless Chromium.", pdf.display());
    }
    Ok(())
}
