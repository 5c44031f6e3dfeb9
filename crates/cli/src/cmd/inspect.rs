//! `liaison inspect`: who exported a bundle, who wrote its edits, and its open conflicts.

use liaison_cli::files::{self, shown};
use liaison_cli::report;

use super::{read_or_report, Out, Outcome};
use crate::flags;

impl flags::Inspect {
    pub(crate) fn run(self) -> Outcome {
        let mut out = Out::new();
        let now = files::now_ms();
        let Some(b) = read_or_report(&self.file, now, &mut out) else { return Outcome::Partial };
        out.line(format!("{}: {}", shown(&self.file), report::ok_line(&b)));
        for l in report::inspect(&b, now) {
            out.line(l);
        }
        Outcome::Ok
    }
}
