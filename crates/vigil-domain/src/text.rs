//! Free text as Vigil keeps it: names, addresses, notes. No control characters (other than
//! line breaks and tabs in a note) and no bidirectional overrides or isolates, which can make
//! a name read differently on screen from what is stored ("Trojan Source").

use crate::ValueError;

/// Whether a character reorders the text around it when shown.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Checks free text: at most `max` characters, no control characters (line breaks and tabs
/// allowed when `multiline`), no bidirectional overrides.
pub fn check_free_text(raw: &str, max: usize, multiline: bool) -> Result<(), ValueError> {
    let n = raw.chars().count();
    if n > max {
        return Err(ValueError::new(format!(
            "is {n} characters long; use {max} or fewer"
        )));
    }
    if raw.chars().any(is_bidi_control) {
        return Err(ValueError::new(
            "holds a character that reorders text on screen (a bidirectional override); remove it",
        ));
    }
    if raw
        .chars()
        .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
    {
        return Err(ValueError::new("holds control characters; remove them"));
    }
    Ok(())
}

/// A required piece of free text, as a form or an API step sends it: trimmed, at least `min`
/// characters ("`what` (at least `min` characters)" otherwise), and free text Vigil may
/// hold; the error names `field`.
pub fn said(
    field: &'static str,
    raw: &str,
    min: usize,
    what: &str,
) -> Result<String, (&'static str, crate::ValueError)> {
    let v = raw.trim();
    if v.chars().count() < min {
        return Err((
            field,
            crate::ValueError::new(format!("{what} (at least {min} characters)")),
        ));
    }
    check_free_text(v, 4000, true).map_err(|e| (field, e))?;
    Ok(v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_read_one_way_and_are_stored_another_are_refused() {
        assert!(check_free_text("Smith", 100, false).is_ok());
        assert!(check_free_text("O'Brien-Åberg", 100, false).is_ok());
        assert!(check_free_text("Smith\u{202E}htimS", 100, false).is_err());
        assert!(check_free_text("a\u{2066}b", 100, false).is_err());
        assert!(check_free_text("line\nbreak", 100, false).is_err());
        assert!(check_free_text("line\nbreak", 100, true).is_ok());
        assert!(check_free_text(&"x".repeat(101), 100, false).is_err());
    }
}
