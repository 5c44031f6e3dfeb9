//! `liaison import-vcf`: a .vcf file to a bundle of contacts.

use liaison_cli::convert;
use liaison_cli::files::{self, shown, VCF_FILE};
use liaison_cli::text::clean;
use liaison_core::formats::bundle::Layout;
use liaison_core::text::plural;

use super::{write_checked, Out, Outcome};
use crate::flags;

impl flags::ImportVcf {
    pub(crate) fn run(self) -> Outcome {
        let mut out = Out::new();
        let name = shown(&self.file);
        let bytes = match files::read_bytes(&self.file, VCF_FILE) {
            Ok(b) => b,
            Err(e) => {
                out.line(format!("{name}: {e}"));
                out.line(format!("{} was not written", shown(&self.output)));
                return Outcome::NothingWritten;
            }
        };
        let now = files::now_ms();
        let layout = if self.pretty { Layout::Pretty } else { Layout::Compact };
        let made = match convert::bundle_from_vcf(&bytes, &self.label, &self.officer, now, layout) {
            Ok(m) => m,
            Err(problems) => {
                for p in &problems {
                    out.line(convert::vcf_problem_line(&name, p));
                }
                out.line(format!("no card could be read, so {} was not written", shown(&self.output)));
                return Outcome::NothingWritten;
            }
        };
        for p in &made.problems {
            out.line(convert::vcf_problem_line(&name, p));
        }
        if !write_checked(&made.text, &self.output, now, ("new bundle", "the bundle"), &mut out) {
            return Outcome::NothingWritten;
        }
        out.line(format!(
            "{name}: {} read; wrote {}: {}",
            plural(made.cards, "card", "cards"),
            shown(&self.output),
            plural(made.contacts, "contact", "contacts")
        ));
        if made.repeats > 0 {
            out.line(format!(
                "{} repeated an earlier card (same UID, or the same content) and updated its contact",
                plural(made.repeats, "card", "cards")
            ));
        }
        if !made.skipped.is_empty() {
            let list: Vec<String> = made.skipped.iter().map(|(p, n)| format!("{} ({n})", clean(p, 40))).collect();
            out.line(format!("not kept (Liaison has no field for them): {}", list.join(", ")));
        }
        if made.problems.is_empty() {
            Outcome::Ok
        } else {
            Outcome::Partial
        }
    }
}
