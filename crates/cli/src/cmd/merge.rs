//! `liaison merge`: many officers' bundles into one.

use liaison_cli::files::{self, shown};
use liaison_cli::merge::{self, Merger};
use liaison_cli::report::{self, Directory};
use liaison_core::formats::bundle::Layout;
use liaison_core::text::plural;

use super::{read_or_report, write_checked, Out, Outcome};
use crate::flags;

impl flags::Merge {
    pub(crate) fn run(self) -> Outcome {
        let now = files::now_ms();
        let mut out = Out::new();
        let mut merger = Merger::new();
        let mut rejected: Vec<String> = Vec::new();
        for path in &self.inputs {
            let name = shown(path);
            match read_or_report(path, now, &mut out) {
                Some(b) => {
                    out.line(format!("{name}: {}", report::ok_line(&b)));
                    merger.add(&name, b);
                }
                None => rejected.push(name),
            }
        }
        let merged_inputs = merger.inputs().len();
        if merged_inputs == 0 {
            out.line(format!(
                "nothing merged: none of the {} could be read; {} was not written",
                plural(self.inputs.len(), "input", "inputs"),
                shown(&self.output)
            ));
            return Outcome::NothingWritten;
        }
        let device = merge::merge_device(&self.label, &self.officer);
        let merged = merger.finish(&device);
        for d in &merged.dropped {
            out.line(format!("merge: record {}: {}", d.id, d.reason));
        }
        for id in &merged.shared_ids {
            out.line(format!(
                "merge: two devices share the id {id}: they wrote different values under one stamp (a copied browser profile or a restored backup?); both values are kept as a conflict"
            ));
        }
        let layout = if self.pretty { Layout::Pretty } else { Layout::Compact };
        let text = match merged.to_bundle(layout) {
            Ok(text) => text,
            Err(problems) => {
                for p in &problems {
                    out.line(report::bundle_problem_line("merged bundle", p));
                }
                out.line(format!("the merged bundle would not be valid, so {} was not written", shown(&self.output)));
                return Outcome::NothingWritten;
            }
        };
        if !write_checked(&text, &self.output, now, ("merged bundle", "the merged bundle"), &mut out) {
            return Outcome::NothingWritten;
        }
        let summary = merged.summary();
        out.line(format!(
            "merged {} into {}: {} bytes",
            plural(merged_inputs, "input", "inputs"),
            shown(&self.output),
            text.len()
        ));
        out.line(report::counts_line(&summary));
        if let Some(l) = report::ahead_line(merged.records.values(), now) {
            out.line(l);
        }
        out.line(report::conflicts_line(&summary));
        if self.verbose {
            let dir = Directory::new(&merged.devices);
            for r in merged.records.values() {
                for l in report::conflict_lines(r, &dir, "  ") {
                    out.line(l);
                }
            }
        }
        out.line(format!("dropped records: {}", merged.dropped.len()));
        if rejected.is_empty() {
            out.line("rejected inputs: 0");
        } else {
            out.line(format!("rejected inputs: {}: {}", rejected.len(), rejected.join(", ")));
        }
        if rejected.is_empty() && merged.dropped.is_empty() {
            Outcome::Ok
        } else {
            Outcome::Partial
        }
    }
}
