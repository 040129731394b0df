//! One value of one column, typed, and its text form in the extract.

use vigil_domain::time::{Date, DateTime, push_date, push_datetime};

/// A value on its way out of Vigil (CSV or Parquet).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Empty,
    Text(&'a str),
    Word(&'static str),
    Date(Date),
    DateTime(DateTime),
    Bool(bool),
    Int(i64),
    Decimal(f64),
}

impl<'a> Cell<'a> {
    pub fn text(v: &'a Option<String>) -> Self {
        v.as_deref().map_or(Cell::Empty, Cell::Text)
    }

    pub fn opt<T>(v: Option<T>, f: impl FnOnce(T) -> Cell<'a>) -> Self {
        v.map_or(Cell::Empty, f)
    }
}

/// Characters that make a spreadsheet treat a cell as a formula.
pub(crate) const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Text as it is written to a CSV cell: a value a spreadsheet would evaluate gets a leading
/// apostrophe, which spreadsheets show as text. A value that itself begins with an apostrophe
/// followed by a formula character or another apostrophe gets one too, so `unguard` can
/// always take exactly one off and give back the original.
pub fn guard(value: &str, out: &mut String) {
    let mut chars = value.chars();
    let needs = match chars.next() {
        Some(c) if FORMULA_STARTS.contains(&c) => true,
        Some('\'') => matches!(chars.next(), Some(c) if c == '\'' || FORMULA_STARTS.contains(&c)),
        _ => false,
    };
    if needs {
        out.push('\'');
    }
    out.push_str(value);
}

/// The inverse of `guard`, applied to every text cell read from a CSV file.
pub fn unguard(cell: &str) -> &str {
    let mut chars = cell.chars();
    if chars.next() == Some('\'')
        && matches!(chars.next(), Some(c) if c == '\'' || FORMULA_STARTS.contains(&c))
    {
        &cell[1..]
    } else {
        cell
    }
}

impl Cell<'_> {
    /// Appends the value's CSV text (before CSV quoting, which the writer applies).
    pub fn push_csv(&self, out: &mut String) {
        match self {
            Cell::Empty => {}
            Cell::Text(s) => guard(s, out),
            Cell::Word(w) => out.push_str(w),
            Cell::Date(d) => push_date(out, *d),
            Cell::DateTime(t) => push_datetime(out, *t),
            Cell::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Cell::Int(n) => out.push_str(&n.to_string()),
            Cell::Decimal(x) => out.push_str(&x.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formulas_are_guarded() {
        let g = |s: &str| {
            let mut out = String::new();
            guard(s, &mut out);
            out
        };
        assert_eq!(g("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(g("-1"), "'-1");
        assert_eq!(g("O'Brien"), "O'Brien");
        assert_eq!(g("'=x"), "''=x");
        assert_eq!(g("'tis"), "'tis");
    }

    proptest! {
        #[test]
        fn guard_round_trips(s in "['=+@a-]{0,4}[a-z ]{0,4}") {
            let mut out = String::new();
            guard(&s, &mut out);
            prop_assert_eq!(unguard(&out), s.as_str());
            let first = out.chars().next();
            prop_assert!(!matches!(first, Some(c) if FORMULA_STARTS.contains(&c)));
        }
    }
}
