//! What is wrong with an extract, said so the person holding the file can find and fix it.

use std::fmt;

/// One thing wrong with the input: which file, where in it, which value, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// 1-based line in the file; `None` for a problem with the file as a whole.
    pub line: Option<u64>,
    pub column: Option<String>,
    pub value: Option<String>,
    pub reason: String,
}

impl Problem {
    pub fn file(file: impl Into<String>, reason: impl Into<String>) -> Self {
        Problem {
            file: file.into(),
            line: None,
            column: None,
            value: None,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        if let Some(col) = &self.column {
            write!(f, ", column {col}")?;
        }
        if let Some(v) = &self.value {
            // Long values are cut so one bad cell cannot flood a terminal.
            let shown: String = v.chars().take(60).collect();
            let more = if v.chars().count() > 60 { "…" } else { "" };
            write!(f, ", value '{shown}{more}'")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// The most characters of a bad value a problem keeps: enough to find it in the file,
/// never a whole damaged line held in memory for each of thousands of problems.
pub const MAX_VALUE_CHARS: usize = 1000;

/// A bad value as a problem keeps it: cut at `MAX_VALUE_CHARS`, marked when cut.
pub fn kept_value(v: &str) -> String {
    if v.chars().count() <= MAX_VALUE_CHARS {
        return v.to_owned();
    }
    let mut out: String = v.chars().take(MAX_VALUE_CHARS).collect();
    out.push('…');
    out
}

/// At most this many problems are listed; the rest are counted.
pub const MAX_LISTED: usize = 100;

/// The listing shown to the user: the first 100 problems, then how many more.
pub fn listing(problems: &[Problem]) -> String {
    let mut out = String::new();
    for p in problems.iter().take(MAX_LISTED) {
        out.push_str(&p.to_string());
        out.push('\n');
    }
    if problems.len() > MAX_LISTED {
        out.push_str(&format!(
            "… and {} more problems not listed\n",
            problems.len() - MAX_LISTED
        ));
    }
    out
}
