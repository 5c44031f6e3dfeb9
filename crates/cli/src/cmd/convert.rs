//! `liaison convert`: a bundle to vCard, iCalendar or CSV.

use liaison_cli::convert;
use liaison_cli::files::{self, shown};
use liaison_cli::report;

use super::{read_or_report, Out, Outcome};
use crate::flags;

impl flags::Convert {
    pub(crate) fn run(self) -> Outcome {
        let mut out = Out::new();
        let Some(bundle) = read_or_report(&self.bundle, files::now_ms(), &mut out) else {
            out.line(format!("{} was not written", shown(&self.output)));
            return Outcome::Partial;
        };
        let (format, ceiling) = (self.to, self.max_marking);
        let outputs = convert::convert(&bundle, format, &self.output, ceiling, self.excel);
        if let Err(e) = convert::write_outputs(format, &self.output, &outputs) {
            out.line(e);
            return Outcome::NothingWritten;
        }
        out.line(format!("{}: {}", shown(&self.bundle), report::ok_line(&bundle)));
        for o in &outputs {
            out.line(convert::output_line(o));
        }
        out.line(format!("marking ceiling: {} ({})", ceiling.name(), ceiling.label()));
        out.line(format!("markings written: {}", convert::markings_written(&bundle, format, ceiling)));
        Outcome::Ok
    }
}
