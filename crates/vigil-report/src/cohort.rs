//! A cohort run as a download: CSV (one row per member, a header row) and a spreadsheet
//! (the members, and the run's configuration on a sheet of its own, so a past run explains
//! itself after the weights change).

use crate::marac::csv_text;

/// One member of a run, as the downloads and the terminal show it.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortRow {
    pub lpa: String,
    pub rank: u32,
    pub person_id: String,
    /// The person's name where the reader may see it (empty otherwise).
    pub name: String,
    pub score: f64,
    pub r: f64,
    pub f: f64,
    pub g: f64,
    pub v: f64,
    pub incidents: u32,
    pub victims: u32,
    pub last_incident: String,
    pub serial: bool,
    pub reasons: String,
    /// Entered, stayed (and the movement in rank), or empty where there is no earlier run.
    pub change: String,
    /// The officer the member is allocated to, if any.
    pub owner: String,
}

const COLUMNS: [&str; 16] = [
    "lpa",
    "rank",
    "person_id",
    "name",
    "score",
    "recency",
    "frequency",
    "gravity",
    "victims_part",
    "incidents",
    "victims",
    "last_incident",
    "serial",
    "reasons",
    "change",
    "owner",
];

/// The run as CSV with a header row.
pub fn to_csv(rows: &[CohortRow]) -> String {
    let mut out = COLUMNS.join(",");
    out.push('\n');
    for r in rows {
        let cells = [
            csv_text(&r.lpa),
            r.rank.to_string(),
            csv_text(&r.person_id),
            csv_text(&r.name),
            format!("{:.2}", r.score),
            format!("{:.3}", r.r),
            format!("{:.3}", r.f),
            format!("{:.3}", r.g),
            format!("{:.3}", r.v),
            r.incidents.to_string(),
            r.victims.to_string(),
            r.last_incident.clone(),
            r.serial.to_string(),
            csv_text(&r.reasons),
            csv_text(&r.change),
            csv_text(&r.owner),
        ];
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// The run as a spreadsheet: "Cohort" (the members) and "Configuration" (`title`, then the
/// configuration as stored with the run, one setting a row).
pub fn to_xlsx(rows: &[CohortRow], title: &str, config_text: &str) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let bad = |e: rust_xlsxwriter::XlsxError| format!("the spreadsheet could not be written: {e}");
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let two = Format::new().set_num_format("0.00");
    let three = Format::new().set_num_format("0.000");
    let sheet = book.add_worksheet();
    sheet.set_name("Cohort").map_err(bad)?;
    for (c, name) in COLUMNS.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *name, &bold)
            .map_err(bad)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        // Text is written as text: a value that looks like a formula stays a value.
        sheet.write_string(row, 0, &r.lpa).map_err(bad)?;
        sheet.write_number(row, 1, f64::from(r.rank)).map_err(bad)?;
        sheet.write_string(row, 2, &r.person_id).map_err(bad)?;
        sheet.write_string(row, 3, &r.name).map_err(bad)?;
        sheet
            .write_number_with_format(row, 4, r.score, &two)
            .map_err(bad)?;
        for (c, x) in [(5, r.r), (6, r.f), (7, r.g), (8, r.v)] {
            sheet
                .write_number_with_format(row, c, x, &three)
                .map_err(bad)?;
        }
        sheet
            .write_number(row, 9, f64::from(r.incidents))
            .map_err(bad)?;
        sheet
            .write_number(row, 10, f64::from(r.victims))
            .map_err(bad)?;
        sheet.write_string(row, 11, &r.last_incident).map_err(bad)?;
        sheet
            .write_string(row, 12, if r.serial { "yes" } else { "no" })
            .map_err(bad)?;
        sheet.write_string(row, 13, &r.reasons).map_err(bad)?;
        sheet.write_string(row, 14, &r.change).map_err(bad)?;
        sheet.write_string(row, 15, &r.owner).map_err(bad)?;
    }
    sheet.set_freeze_panes(1, 3).map_err(bad)?;
    let about = book.add_worksheet();
    about.set_name("Configuration").map_err(bad)?;
    about
        .write_string_with_format(0, 0, title, &bold)
        .map_err(bad)?;
    for (i, line) in config_text.lines().enumerate() {
        let (k, v) = line.split_once('=').unwrap_or((line, ""));
        about.write_string(i as u32 + 2, 0, k).map_err(bad)?;
        about.write_string(i as u32 + 2, 1, v).map_err(bad)?;
    }
    book.save_to_buffer().map_err(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_has_a_header_and_neutralises_formulas() {
        let row = CohortRow {
            lpa: "North".into(),
            rank: 1,
            person_id: "P1".into(),
            name: "=cmd()".into(),
            score: 48.3,
            r: 1.0,
            f: 0.4,
            g: 0.18,
            v: 2.0 / 3.0,
            incidents: 4,
            victims: 2,
            last_incident: "2019-08-23".into(),
            serial: true,
            reasons: "4 incidents in 24 months, the last 9 days ago; 2 victims".into(),
            change: "entered".into(),
            owner: String::new(),
        };
        let csv = to_csv(std::slice::from_ref(&row));
        let lines: Vec<&str> = csv.lines().collect();
        assert!(lines[0].starts_with("lpa,rank,person_id,name,score"));
        assert!(
            lines[1].starts_with(
                "North,1,P1,'=cmd(),48.30,1.000,0.400,0.180,0.667,4,2,2019-08-23,true,"
            ),
            "{}",
            lines[1]
        );
        assert!(lines[1].contains("\"4 incidents in 24 months, the last 9 days ago; 2 victims\""));
        let x = to_xlsx(&[row], "North, 2019-09-02", "size=20\n").unwrap();
        assert_eq!(&x[..2], b"PK", "a zip file");
    }
}
