//! The SafeLives MARAC return as a file: CSV (a header row, one row per MARAC area, then
//! the total) and a spreadsheet (the same table, and a sheet saying how it was counted).
//! The figures are `vigil_domain::marac_return`'s.

use vigil_domain::marac_return::{AreaReturn, RECOMMENDED_PER_10K};
use vigil_domain::records::Agency;
use vigil_domain::time::Date;

/// The return's columns, in order (CSV header and spreadsheet header alike).
pub fn columns() -> Vec<String> {
    let mut c: Vec<String> = [
        "marac_area",
        "cases",
        "repeat_cases",
        "repeat_percent",
        "cases_with_children",
        "bme_victims",
        "male_victims",
        "victims_aged_16_17",
        "perpetrators_under_18",
        "lgbt_victims",
        "disabled_victims",
        "cases_with_diversity_recorded",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    c.extend(
        Agency::ALL
            .iter()
            .map(|a| format!("referred_by_{}", a.as_str())),
    );
    c.extend(
        [
            "adult_women",
            "cases_per_10k_women_a_year",
            "recommended_per_10k",
        ]
        .iter()
        .map(|s| (*s).to_owned()),
    );
    c
}

/// One cell of the return.
enum Cell {
    Text(String),
    Count(u64),
    MaybeCount(Option<u64>),
    Number(Option<f64>),
}

fn cells(r: &AreaReturn) -> Vec<Cell> {
    let mut out = vec![
        Cell::Text(r.area.clone()),
        Cell::Count(r.cases),
        Cell::Count(r.repeat_cases),
        Cell::Number(r.repeat_percent()),
        Cell::Count(r.cases_with_children),
        Cell::Count(r.bme_victims),
        Cell::Count(r.male_victims),
        Cell::Count(r.victims_16_17),
        Cell::Count(r.perpetrators_under_18),
        Cell::Count(r.lgbt_victims),
        Cell::Count(r.disabled_victims),
        Cell::Count(r.diversity_recorded),
    ];
    out.extend(r.by_agency.iter().map(|(_, n)| Cell::Count(*n)));
    out.push(Cell::MaybeCount(r.adult_women));
    out.push(Cell::Number(r.per_10k_women));
    out.push(Cell::Number(Some(RECOMMENDED_PER_10K)));
    out
}

/// A text cell as CSV: quoted when it must be, and a leading formula character neutralised
/// so a spreadsheet never runs it (an area's name is configuration, but still text).
pub(crate) fn csv_text(v: &str) -> String {
    let v = if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{v}")
    } else {
        v.to_owned()
    };
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

/// The return as CSV: the header, each area, the total.
pub fn to_csv(rows: &[AreaReturn], total: &AreaReturn) -> String {
    let mut out = columns().join(",");
    out.push('\n');
    for r in rows.iter().chain(std::iter::once(total)) {
        let line: Vec<String> = cells(r)
            .into_iter()
            .map(|c| match c {
                Cell::Text(t) => csv_text(&t),
                Cell::Count(n) | Cell::MaybeCount(Some(n)) => n.to_string(),
                Cell::MaybeCount(None) => String::new(),
                Cell::Number(Some(x)) => format!("{x:.1}"),
                Cell::Number(None) => String::new(),
            })
            .collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

/// How the return was counted, as sentences (the spreadsheet's second sheet, the page's
/// notes).
pub fn notes(from: Date, to: Date) -> Vec<String> {
    vec![
        format!("Period: {} to {} inclusive.", vigil_domain::dates::long(from), vigil_domain::dates::long(to)),
        "A case is a MARAC referral made in the period (where no meeting was recorded, in the quarter of its referral date).".into(),
        "A repeat case is one whose victim was referred to MARAC in the 12 months (365 days) before it.".into(),
        "A case's area is its incident's Local Policing Area, else the victim's; each LPA is its own MARAC area unless the areas file groups them.".into(),
        "The household is the referral's incident, else the victim's latest incident before the referral: its suspect is the perpetrator; 'cases with children' are those whose household had children present.".into(),
        "BME victims: a recorded ethnicity other than white; 'not stated' is not counted as BME.".into(),
        "Ages are whole years on the day of the referral.".into(),
        format!("Cases per 10,000 adult women a year are annualised (cases × 365 ÷ days in the period); SafeLives recommends about {RECOMMENDED_PER_10K:.0}."),
        "LGBT and disabled victims come from the MARAC referral form made in Vigil (lesbian, gay, bisexual, another orientation, or transgender; a disability answered yes): they are counted over the cases with a form ('cases with diversity recorded'). Imported history holds no form, so its cases are not counted in either.".into(),
    ]
}

/// The return as a spreadsheet: the table, and a sheet of notes.
pub fn to_xlsx(
    rows: &[AreaReturn],
    total: &AreaReturn,
    from: Date,
    to: Date,
) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let bad = |e: rust_xlsxwriter::XlsxError| format!("the spreadsheet could not be written: {e}");
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let one_place = Format::new().set_num_format("0.0");
    let sheet = book.add_worksheet();
    sheet.set_name("MARAC return").map_err(bad)?;
    for (c, name) in columns().iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, name, &bold)
            .map_err(bad)?;
    }
    for (i, r) in rows.iter().chain(std::iter::once(total)).enumerate() {
        let row = i as u32 + 1;
        for (c, cell) in cells(r).into_iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Text(t) => {
                    sheet.write_string(row, col, &t).map_err(bad)?;
                }
                Cell::Count(n) | Cell::MaybeCount(Some(n)) => {
                    sheet.write_number(row, col, n as f64).map_err(bad)?;
                }
                Cell::MaybeCount(None) => {}
                Cell::Number(Some(x)) => {
                    sheet
                        .write_number_with_format(row, col, x, &one_place)
                        .map_err(bad)?;
                }
                Cell::Number(None) => {}
            }
        }
    }
    sheet.set_freeze_panes(1, 1).map_err(bad)?;
    let about = book.add_worksheet();
    about.set_name("How it was counted").map_err(bad)?;
    for (i, line) in notes(from, to).iter().enumerate() {
        about.write_string(i as u32, 0, line).map_err(bad)?;
    }
    book.save_to_buffer().map_err(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_has_a_header_each_area_and_the_total() {
        let mut north = AreaReturn {
            area: "North".into(),
            cases: 4,
            repeat_cases: 1,
            by_agency: Agency::ALL.iter().map(|a| (*a, 0)).collect(),
            adult_women: Some(10_000),
            per_10k_women: Some(16.04),
            ..AreaReturn::default()
        };
        north.by_agency[0].1 = 3;
        let total = AreaReturn {
            area: "Total".into(),
            ..north.clone()
        };
        let evil = AreaReturn {
            area: "=HYPERLINK(\"x\")".into(),
            ..north.clone()
        };
        let csv = to_csv(&[north, evil], &total);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("marac_area,cases,repeat_cases,repeat_percent,"));
        assert!(lines[1].starts_with("North,4,1,25.0,"), "{}", lines[1]);
        assert!(lines[1].ends_with(",10000,16.0,40.0"), "{}", lines[1]);
        assert!(
            lines[2].starts_with("\"'=HYPERLINK(\"\"x\"\")\","),
            "{}",
            lines[2]
        );
        assert!(lines[3].starts_with("Total,4,"));
        let x = to_xlsx(&[], &total, Date::default(), Date::default()).unwrap();
        assert_eq!(&x[..2], b"PK", "a zip container");
    }
}
