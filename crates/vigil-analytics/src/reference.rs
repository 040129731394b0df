//! `docs/measures.md` is written from the code: each measure's doc comment in
//! `measures.rs` (the ones that open with the measure's METRICS.md name in backticks) is
//! its definition as Vigil computes it. A test keeps the document and the code the same.

/// The measures' definitions, as Markdown, from the doc comments of `measures.rs`.
pub fn markdown() -> String {
    // The measures, then the cohorts' definitions (the ranking rules; the perpetrator
    // score's own parts are described in `vigil_domain::cohort`).
    let source = concat!(
        include_str!("measures.rs"),
        "\n",
        include_str!("cohorts.rs")
    );
    let mut out = String::from(
        "# The measures\n\nGenerated from the doc comments of \
`crates/vigil-analytics/src/measures.rs` (`cargo test -p vigil-analytics` checks it; \
`UPDATE_SNAPSHOTS=1` rewrites it): each is the definition Vigil computes, under the name \
`vigil pack --json` gives it. A window `[a, b]` counts whole days from `a` to `b`; a \
monthly series counts by calendar month; `as_of` is the last day whose events count. \
Ratios are kept as numerator and denominator, so a published table can suppress or \
re-aggregate them.\n",
    );
    let mut doc: Vec<&str> = Vec::new();
    for line in source.lines() {
        let t = line.trim();
        if let Some(text) = t.strip_prefix("/// ") {
            doc.push(text);
        } else if t == "///" {
            doc.push("");
        } else {
            if t.starts_with("pub fn ") && doc.first().is_some_and(|d| d.starts_with('`')) {
                let first = doc[0];
                let name_end = first[1..].find('`').map_or(first.len(), |i| i + 2);
                let name = &first[..name_end];
                let bare = name.trim_matches('`');
                let bare = bare.split(['(', '[']).next().unwrap_or(bare);
                out.push_str(&format!("\n## `{bare}`\n\n"));
                out.push_str(&doc.join(" ").replace("  ", " "));
                out.push('\n');
            }
            doc.clear();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_measures_in_docs_are_the_ones_the_code_computes() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/measures.md");
        let generated = super::markdown();
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(path, &generated).unwrap();
        }
        let written = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            written == generated,
            "docs/measures.md is out of date: run UPDATE_SNAPSHOTS=1 cargo test -p vigil-analytics"
        );
        for name in [
            "da_offences",
            "solved_rate",
            "repeat_incident_rate",
            "arrest_rate",
        ] {
            assert!(generated.contains(&format!("## `{name}`")), "{name}");
        }
    }
}
