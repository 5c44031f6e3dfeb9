//! `liaison import-vcf`, `import-ics` and `import-csv`: a .vcf, .ics or .csv file to a bundle.

use std::path::Path;

use jiff::tz::TimeZone;
use liaison_cli::files::{self, shown, Expected, CSV_FILE, ICS_FILE, VCF_FILE};
use liaison_cli::text::clean;
use liaison_cli::{convert, zones};
use liaison_core::formats::bundle::Layout;
use liaison_core::formats::FileFormat;
use liaison_core::text::plural;

use super::{write_checked, Out, Outcome};
use crate::flags;

impl flags::ImportVcf {
    pub(crate) fn run(self) -> Outcome {
        let what = What {
            format: FileFormat::VCard,
            file: VCF_FILE,
            read: ("card", "cards"),
            records: ("contact", "contacts"),
        };
        import(what, &self.file, &self.output, self.pretty, &self.label, &self.officer, None)
    }
}

impl flags::ImportCsv {
    pub(crate) fn run(self) -> Outcome {
        let what =
            What { format: FileFormat::Csv, file: CSV_FILE, read: ("row", "rows"), records: ("contact", "contacts") };
        import(what, &self.file, &self.output, self.pretty, &self.label, &self.officer, None)
    }
}

impl flags::ImportIcs {
    pub(crate) fn run(self) -> Outcome {
        let what = What {
            format: FileFormat::ICal,
            file: ICS_FILE,
            read: ("event or to-do", "events and to-dos"),
            records: ("meeting or action", "meetings and actions"),
        };
        let zone = match zones::officer(self.zone.as_deref()) {
            Ok(z) => z,
            Err(e) => {
                let mut out = Out::new();
                out.line(format!("--zone: {e}"));
                out.line(format!("{} was not written", shown(&self.output)));
                return Outcome::NothingWritten;
            }
        };
        import(what, &self.file, &self.output, self.pretty, &self.label, &self.officer, Some(&zone))
    }
}

/// What one import command reads, and the words for what it counts.
struct What {
    format: FileFormat,
    file: Expected,
    read: (&'static str, &'static str),
    records: (&'static str, &'static str),
}

fn import(
    what: What,
    file: &Path,
    output: &Path,
    pretty: bool,
    label: &str,
    officer: &str,
    zone: Option<&TimeZone>,
) -> Outcome {
    let mut out = Out::new();
    let name = shown(file);
    let bytes = match files::read_bytes(file, what.file) {
        Ok(b) => b,
        Err(e) => {
            out.line(format!("{name}: {e}"));
            out.line(format!("{} was not written", shown(output)));
            return Outcome::NothingWritten;
        }
    };
    let now = files::now_ms();
    let layout = if pretty { Layout::Pretty } else { Layout::Compact };
    let made = match convert::bundle_from_file(what.format, &bytes, label, officer, zone, now, layout) {
        Ok(m) => m,
        Err(problems) => {
            for p in &problems {
                out.line(convert::problem_line(&name, p));
            }
            out.line(format!("no {} could be read, so {} was not written", what.read.0, shown(output)));
            return Outcome::NothingWritten;
        }
    };
    for p in &made.problems {
        out.line(convert::problem_line(&name, p));
    }
    if !write_checked(&made.text, output, now, ("new bundle", "the bundle"), &mut out) {
        return Outcome::NothingWritten;
    }
    out.line(format!(
        "{name}: {} read; wrote {}: {}",
        plural(made.read, what.read.0, what.read.1),
        shown(output),
        plural(made.records, what.records.0, what.records.1)
    ));
    if made.repeats > 0 {
        out.line(format!(
            "{} repeated an earlier one (same UID, or the same content) and updated it",
            plural(made.repeats, what.read.0, what.read.1)
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
