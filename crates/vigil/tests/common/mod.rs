//! What every integration test of the binary needs: run `vigil` as a user would, and read
//! what it printed.

#![allow(dead_code)]

use std::process::{Command, Output};

/// Runs the real binary, with no database named in the environment.
pub fn vigil(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .env_remove("VIGIL_DATABASE_URL")
        .output()
        .expect("vigil runs")
}

/// Standard output and standard error together.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The sum of a monthly series over months `from..=to` (`YYYY-MM`).
pub fn total(series: &serde_json::Value, from: &str, to: &str) -> f64 {
    series
        .as_object()
        .unwrap()
        .iter()
        .filter(|(m, _)| m.as_str() >= from && m.as_str() <= to)
        .map(|(_, v)| v.as_f64().unwrap())
        .sum()
}
