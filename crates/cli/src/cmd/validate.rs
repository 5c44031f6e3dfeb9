//! `liaison validate`: is every file a valid bundle?

use liaison_cli::files::{self, shown};
use liaison_cli::report;

use super::{read_or_report, Out, Outcome};
use crate::flags;

impl flags::Validate {
    pub(crate) fn run(self) -> Outcome {
        let now = files::now_ms();
        let mut out = Out::new();
        let mut all_ok = true;
        for path in &self.files {
            match read_or_report(path, now, &mut out) {
                Some(b) => out.line(format!("{}: {}", shown(path), report::ok_line(&b))),
                None => all_ok = false,
            }
        }
        if all_ok {
            Outcome::Ok
        } else {
            Outcome::Partial
        }
    }
}
