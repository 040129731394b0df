//! Reading form and API fields: each parser names the field it reads in the error it
//! gives, so a page can put the message beside the field and the API can name it.

use super::*;

/// A field-level problem: which field (its HTML id) and what the user should do.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The field's name in the form or JSON body (dotted for nested JSON fields).
    pub field: String,
    pub message: String,
}

impl FieldError {
    /// A problem with a field. The message is shown as a sentence: it starts with a
    /// capital whichever rule it came from (the domain's reasons are written to follow a
    /// colon).
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: sentence(message.into()),
        }
    }
}

/// Every field a form needs, or every problem found with the form: `valid!(errors; a, b)`
/// gives `(a, b)` when each parsed (`Some`) and no problem was found, and otherwise returns
/// the problems. A field that is `None` with no problem recorded (a parser that forgot to
/// say why) is refused as a problem too, never a panic.
macro_rules! valid {
    ($errors:ident; $($field:ident),+ $(,)?) => {
        match ($($field,)+) {
            ($(Some($field),)+) if $errors.is_empty() => ($($field,)+),
            _ => {
                if $errors.is_empty() {
                    $errors.push(FieldError::new(
                        "form",
                        "Some of the information is missing; check the form and try again",
                    ));
                }
                return Err(Failure::Invalid($errors));
            }
        }
    };
}
pub(crate) use valid;

// ----- parsing helpers: each returns a field error naming the field -----

pub(crate) fn required<'a>(
    errors: &mut Vec<FieldError>,
    field: &str,
    raw: &'a str,
    what: &str,
) -> Option<&'a str> {
    let v = raw.trim();
    if v.is_empty() {
        errors.push(FieldError::new(field, format!("Enter {what}")));
        None
    } else {
        Some(v)
    }
}

pub(crate) fn choice<T>(
    errors: &mut Vec<FieldError>,
    field: &str,
    raw: &str,
    what: &str,
    parse: fn(&str) -> Result<T, ValueError>,
) -> Option<T> {
    let v = raw.trim();
    if v.is_empty() {
        errors.push(FieldError::new(field, format!("Choose {what}")));
        return None;
    }
    match parse(v) {
        Ok(x) => Some(x),
        Err(e) => {
            errors.push(FieldError::new(
                field,
                format!("Choose {what}: {}", e.reason),
            ));
            None
        }
    }
}

/// A date and time as people type them: `2019-08-31T14:05`, `2019-08-31 14:05`,
/// `31/08/2019 14:05`, with or without seconds.
/// Whether a typed date's year is written with exactly four digits (`2019`): chrono's
/// `%Y` also reads `+002019`, `-200000` and `1`, which no one means.
fn four_digit_year(v: &str) -> bool {
    let date = v.split([' ', 'T']).next().unwrap_or("");
    let year = if date.contains('/') {
        date.rsplit('/').next().unwrap_or("")
    } else {
        date.split('-').next().unwrap_or("")
    };
    year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit())
}

pub fn parse_when(raw: &str) -> Result<DateTime, String> {
    let v = raw.trim();
    if !four_digit_year(v) {
        return Err(format!(
            "'{}' is not a date and time; enter it like 31/08/2019 14:05",
            v.chars().take(40).collect::<String>()
        ));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y %H:%M:%S",
    ] {
        if let Ok(t) = DateTime::parse_from_str(v, fmt) {
            return Ok(t);
        }
    }
    Err(format!(
        "'{v}' is not a date and time; enter it like 31/08/2019 14:05"
    ))
}

/// A date as people type it: `2019-08-31` or `31/08/2019`.
pub fn parse_day(raw: &str) -> Result<Date, String> {
    let v = raw.trim();
    if !four_digit_year(v) {
        return Err(format!(
            "'{}' is not a date; enter it like 31/08/2019",
            v.chars().take(40).collect::<String>()
        ));
    }
    for fmt in ["%Y-%m-%d", "%d/%m/%Y"] {
        if let Ok(d) = Date::parse_from_str(v, fmt) {
            return Ok(d);
        }
    }
    Err(format!("'{v}' is not a date; enter it like 31/08/2019"))
}

pub(crate) fn when_field(
    errors: &mut Vec<FieldError>,
    field: &str,
    raw: &str,
    what: &str,
    now: DateTime,
) -> Option<DateTime> {
    let v = required(errors, field, raw, what)?;
    match parse_when(v) {
        Ok(t) if t > now + chrono::Duration::minutes(5) => {
            errors.push(FieldError::new(
                field,
                format!("{} must not be in the future", capitalise(what)),
            ));
            None
        }
        // Every time typed is an event's: none is older than the domain's plausible range.
        Ok(t) if t.date() < vigil_domain::dates::earliest_event() => {
            errors.push(FieldError::new(
                field,
                format!(
                    "{} is before {}: check the year",
                    vigil_domain::dates::long(t.date()),
                    vigil_domain::dates::long(vigil_domain::dates::earliest_event())
                ),
            ));
            None
        }
        Ok(t) => Some(t),
        Err(e) => {
            errors.push(FieldError::new(field, e));
            None
        }
    }
}

pub(crate) fn day_field(
    errors: &mut Vec<FieldError>,
    field: &str,
    raw: &str,
    what: &str,
    today: Date,
) -> Option<Date> {
    let v = required(errors, field, raw, what)?;
    match parse_day(v) {
        Ok(d) if d > today => {
            errors.push(FieldError::new(
                field,
                format!("{} must not be in the future", capitalise(what)),
            ));
            None
        }
        // No date Vigil holds is this old (the domain's plausible range; births are the
        // oldest).
        Ok(d) if d < vigil_domain::dates::earliest_birth() => {
            errors.push(FieldError::new(
                field,
                format!(
                    "{} is before {}: check the year",
                    vigil_domain::dates::long(d),
                    vigil_domain::dates::long(vigil_domain::dates::earliest_birth())
                ),
            ));
            None
        }
        Ok(d) => Some(d),
        Err(e) => {
            errors.push(FieldError::new(field, e));
            None
        }
    }
}

/// A message with its first letter a capital (nothing else changed).
fn sentence(s: String) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if f.is_lowercase() => f.to_uppercase().collect::<String>() + c.as_str(),
        _ => s,
    }
}

pub(crate) fn capitalise(s: &str) -> String {
    let s = s.strip_prefix("the ").unwrap_or(s);
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

pub(crate) fn yes_no_unknown(
    errors: &mut Vec<FieldError>,
    field: &str,
    raw: &str,
    what: &str,
) -> Option<Option<bool>> {
    match raw.trim() {
        "yes" => Some(Some(true)),
        "no" => Some(Some(false)),
        "not_known" => Some(None),
        "" => {
            errors.push(FieldError::new(field, format!("Choose whether {what}")));
            None
        }
        other => {
            errors.push(FieldError::new(
                field,
                format!("'{other}' is not an answer; choose yes, no or not known"),
            ));
            None
        }
    }
}

pub(crate) fn text_limit(
    errors: &mut Vec<FieldError>,
    field: &str,
    raw: &str,
    max: usize,
) -> Option<String> {
    let v = raw.trim();
    if let Err(e) = vigil_domain::text::check_free_text(v, max, false) {
        errors.push(FieldError::new(field, format!("This {}", e.reason)));
        return None;
    }
    (!v.is_empty()).then(|| v.to_owned())
}

#[cfg(test)]
mod field_error_tests {
    use super::*;

    #[test]
    fn every_message_starts_with_a_capital() {
        let e = FieldError::new("code", "outcome 16 needs the victim's withdrawal");
        assert_eq!(e.message, "Outcome 16 needs the victim's withdrawal");
        assert_eq!(
            FieldError::new("x", "'banana' is not").message,
            "'banana' is not"
        );
        assert_eq!(FieldError::new("x", "").message, "");
    }

    #[test]
    fn years_are_four_digits_and_dates_plausible() {
        for bad in [
            "1-01-01",
            "+002019-01-01",
            "-200000-01-01",
            "01/01/1",
            "01/01/20190",
        ] {
            assert!(parse_day(bad).is_err(), "{bad}");
        }
        assert!(parse_when("01/01/-200000 10:00").is_err());
        assert_eq!(parse_day("31/08/2019").unwrap().to_string(), "2019-08-31");
        let today = parse_day("2019-09-02").unwrap();
        let mut errors = Vec::new();
        assert!(day_field(&mut errors, "b", "1899-12-31", "the date of birth", today).is_none());
        assert!(errors[0].message.contains("check the year"), "{errors:?}");
        let now = parse_when("2019-09-02T10:00").unwrap();
        let mut errors = Vec::new();
        assert!(when_field(&mut errors, "r", "1899-01-01T10:00", "the report", now).is_none());
        assert!(
            errors[0].message.contains("before 1 January 1990"),
            "{errors:?}"
        );
    }
}
