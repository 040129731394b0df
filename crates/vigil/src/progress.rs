//! Terminal progress bars for long reads and writes (hidden when stderr is not a terminal).

use indicatif::{ProgressBar, ProgressStyle};
use std::sync::Mutex;

/// Shows one bar per step on standard error.
#[derive(Default)]
pub struct Bar {
    current: Mutex<Option<ProgressBar>>,
}

impl vigil_extract::Progress for Bar {
    fn begin(&self, label: &str, total: u64) {
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template("{msg:32} [{bar:30}] {percent:>3}% {elapsed_precise}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        bar.set_message(label.to_owned());
        *self.current.lock().expect("progress lock") = Some(bar);
    }

    fn advance(&self, n: u64) {
        if let Some(b) = &*self.current.lock().expect("progress lock") {
            b.inc(n);
        }
    }

    fn end(&self) {
        if let Some(b) = self.current.lock().expect("progress lock").take() {
            b.finish_and_clear();
        }
    }
}

/// A spinner for a step whose size is not known in advance.
pub fn spinner(label: &str) -> ProgressBar {
    let s = ProgressBar::new_spinner();
    s.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed_precise}").expect("valid template"),
    );
    s.set_message(label.to_owned());
    s.enable_steady_tick(std::time::Duration::from_millis(120));
    s
}
