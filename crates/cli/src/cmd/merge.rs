//! `liaison merge`: many officers' bundles into one.

use liaison_cli::files::{self, shown};
use liaison_cli::merge::{self, Merger};
use liaison_cli::report::{self, Directory};
use liaison_core::formats::bundle::Layout;
use liaison_core::text::plural;

use super::{write_checked, Out, Outcome};
use crate::flags;

impl flags::Merge {
    pub(crate) fn run(self) -> Outcome {
        let now = files::now_ms();
        let mut out = Out::new();
        let mut merger = Merger::new();
        let mut rejected: Vec<String> = Vec::new();
        // Inputs are read and validated on every core while this thread merges them, each as soon as it
        // and every input before it are read: the reports and the merge see the inputs in the order given,
        // so the output is the same as one thread's.
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(self.inputs.len()).max(1);
        let next = std::sync::atomic::AtomicUsize::new(0);
        let (send, receive) = std::sync::mpsc::sync_channel(workers);
        std::thread::scope(|scope| {
            for _ in 0..workers {
                let send = send.clone();
                let (next, inputs) = (&next, &self.inputs);
                scope.spawn(move || loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(path) = inputs.get(i) else { break };
                    if send.send((i, files::read_bundle_file(path, now))).is_err() {
                        break;
                    }
                });
            }
            drop(send);
            let mut waiting = std::collections::BTreeMap::new();
            let mut due = 0;
            for (i, read) in receive {
                waiting.insert(i, read);
                while let Some(read) = waiting.remove(&due) {
                    let path = &self.inputs[due];
                    let name = shown(path);
                    match read {
                        Ok(b) => {
                            out.line(format!("{name}: {}", report::ok_line(&b)));
                            merger.add(&name, b);
                        }
                        Err(problems) => {
                            for p in &problems {
                                out.line(report::bundle_problem_line(&name, p));
                            }
                            rejected.push(name);
                        }
                    }
                    due += 1;
                }
            }
        });
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
        let written = if self.pretty {
            let text = match merged.to_bundle(Layout::Pretty) {
                Ok(text) => text,
                Err(problems) => return not_valid(&problems, &self.output, &mut out),
            };
            if !write_checked(&text, &self.output, now, ("merged bundle", "the merged bundle"), &mut out) {
                return Outcome::NothingWritten;
            }
            text.len() as u64
        } else {
            // A team's merge is written as it is made, never held whole. Every record in it was read and
            // validated, and the writer refuses what the reader would refuse for its size, so it is not
            // read back as the other commands' outputs are: that would read it all a second time.
            let mut refused = Vec::new();
            let written = files::write_bundle_streamed(&self.output, |w| {
                merged.write_to(w).map_err(|problems| {
                    refused = problems;
                    format!("the merged bundle would not be valid, so {} was not written", shown(&self.output))
                })
            });
            match written {
                Ok(n) => n,
                Err(_) if !refused.is_empty() => return not_valid(&refused, &self.output, &mut out),
                Err(e) => {
                    out.line(e);
                    return Outcome::NothingWritten;
                }
            }
        };
        let summary = merged.summary();
        out.line(format!(
            "merged {} into {}: {} bytes",
            plural(merged_inputs, "input", "inputs"),
            shown(&self.output),
            written
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

fn not_valid(problems: &[liaison_core::formats::bundle::Problem], output: &std::path::Path, out: &mut Out) -> Outcome {
    for p in problems {
        out.line(report::bundle_problem_line("merged bundle", p));
    }
    out.line(format!("the merged bundle would not be valid, so {} was not written", shown(output)));
    Outcome::NothingWritten
}
