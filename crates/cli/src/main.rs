//! `liaison`: the coordinator's command-line tool.
//!
//! It runs the same `liaison-core` code as the app, natively, so that a coordinator on an air-gapped
//! laptop gets exactly the app's validation and merge results.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use liaison_cli::convert::{self, Format};
use liaison_cli::files::{self, shown};
use liaison_cli::merge::{self, Merger};
use liaison_cli::report::{self, Directory};
use liaison_cli::text::{clean, plural, MESSAGE_CHARS};
use liaison_core::formats::bundle::Problem;
use liaison_core::marking::Ceiling;

/// Liaison, the offline field notebook for liaison officers: the coordinator's command-line tool.
///
/// Officers record meetings, contacts and follow-up actions in the Liaison web app, offline, and hand
/// their notes on as JSON bundles. This tool validates, merges and inspects those bundles natively,
/// with the same code as the app, converts them to vCard, iCalendar and CSV, and makes bundles of
/// contacts from vCard files.
#[derive(Debug, Parser)]
#[command(name = "liaison", version, about, long_about, after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

const AFTER_HELP: &str =
    "Storage layout written by the app: liaison/v1 (schema 1). Bundle format: liaison-bundle v1.\n\
Source and documentation: see README.md and ARCHITECTURE.md in the Liaison repository.";

#[derive(Debug, Subcommand)]
enum Command {
    /// Check that files are valid Liaison bundles
    ///
    /// Reads every FILE fully and checks it exactly as the app's import does: format and version,
    /// checksum, every record and every link, and that no edit is stamped more than a year ahead of
    /// this computer's clock. Prints one line per file, to standard output:
    ///
    ///   FILE: ok (N records, device LABEL / OFFICER, sequence S, SCOPE)
    ///
    /// for a valid bundle, and otherwise one line per problem:
    ///
    ///   FILE: record ID: what is wrong      (or FILE: what is wrong, when no record is at fault)
    ///
    /// Exit status: 0 when every file is a valid bundle, 1 otherwise.
    #[command(after_help = "Example: liaison validate ~/bundles/*.json")]
    Validate {
        /// Bundle files to check
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
    },

    /// Merge bundles from many officers into one bundle
    ///
    /// Reads every input and validates it as `validate` does. Rejected inputs are listed with their
    /// problems and skipped; the others are merged record by record with the app's merge (a CRDT
    /// join), so concurrent edits are kept as open conflicts, and nothing is dropped silently. The result is
    /// written as one bundle of everything (bundle format v1, sequence 1) to OUT, atomically: to
    /// OUT.tmp, then renamed over OUT, readable by its owner only.
    ///
    /// The output depends only on the content of the inputs: any order, and any repetition, of the
    /// same inputs gives the same bytes. Its bundle id is derived from the content, its creation
    /// time is the newest edit it holds, and it is exported by a fixed pseudo-device whose id is
    /// derived from --label.
    ///
    /// A record id that is one kind of record in some inputs and another kind in others (say a
    /// contact here and a meeting there) cannot be merged: that record is dropped from the output,
    /// in all its versions, and listed. So is a record whose link (participants, an action's meeting
    /// or contact) points at a record of the wrong kind from another input, since the output would
    /// otherwise not be a valid bundle.
    ///
    /// A summary follows on standard output: records by kind, deleted records, edits stamped ahead
    /// of this computer's clock (if any), open conflicts, dropped records and rejected inputs;
    /// --verbose lists every open conflict.
    ///
    /// Exit status: 0 when every input was merged; 1 when an input was rejected or a record was
    /// dropped, but OUT was still written from the rest; 2 when nothing was written (no input could
    /// be read, the merged bundle would not be valid, say over the 64 MB bundle limit, or OUT could
    /// not be written).
    #[command(after_help = "Example: liaison merge officer-*.json -o merged.json")]
    Merge {
        /// Bundle files to merge
        #[arg(value_name = "IN", required = true)]
        inputs: Vec<PathBuf>,
        /// Where to write the merged bundle
        #[arg(short = 'o', long = "output", value_name = "OUT", required = true)]
        output: PathBuf,
        /// Label of the merging pseudo-device; its device id is derived from it
        #[arg(long, value_name = "LABEL", default_value = merge::DEFAULT_LABEL)]
        label: String,
        /// Officer name the merging pseudo-device carries
        #[arg(long, value_name = "NAME", default_value = merge::DEFAULT_OFFICER)]
        officer: String,
        /// List every open conflict, with each value's author and time
        #[arg(short, long)]
        verbose: bool,
    },

    /// Show what a bundle holds: who exported it, who wrote its edits, and its open conflicts
    ///
    /// Prints the exporting device (label, officer, id), sequence, scope and creation time (UTC,
    /// ISO 8601); record counts by kind, alive and deleted; every device whose edits the bundle
    /// holds, with the officer's name from the bundle's device directory and the number of values
    /// it wrote; and every open conflict: concurrent values of one field, each with its author and
    /// time, and records edited after they were deleted elsewhere.
    ///
    /// Exit status: 0 for a valid bundle; 1 when the file is not one (its problems are printed as by
    /// `validate`).
    #[command(after_help = "Example: liaison inspect merged.json")]
    Inspect {
        /// Bundle file to show
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },

    /// Convert a bundle to vCard, iCalendar or CSV, for address books, calendars and spreadsheets
    ///
    /// Reads BUNDLE and checks it as `validate` does, then writes its live records, with the app's
    /// own export code:
    ///
    ///   vcf  every contact, as one vCard 4.0 file OUT (UID = record id; the marking in
    ///        X-LIAISON-MARKING and on the first line of NOTE)
    ///   ics  every meeting with a date as an event, its follow-up actions as to-dos, in one
    ///        iCalendar file OUT (floating local times; CLASS and X-LIAISON-MARKING from the marking)
    ///   csv  three files in the directory OUT, made if missing: contacts.csv, meetings.csv and
    ///        actions.csv (RFC 4180, CRLF, a header row; values that would start a spreadsheet
    ///        formula get a ' in front)
    ///
    /// --max-marking leaves out records above a marking. Unmarked records count as open; labels
    /// Liaison cannot grade count as above secret, so only `all` includes them. An action carries
    /// its meeting's marking. A participant whose own contact is above the ceiling is left out of
    /// the meetings that name them.
    ///
    /// Files are written atomically, readable by their owner only. The output depends only on the
    /// bundle (the iCalendar DTSTAMP is the bundle's creation time), so the same bundle always
    /// gives the same bytes. A summary follows: what was written, what was left out, and the
    /// markings the output carries, most sensitive first.
    ///
    /// Exit status: 0 when the files were written; 1 when BUNDLE is not a valid bundle; 2 when an
    /// output could not be written.
    #[command(
        after_help = "Examples:\n  liaison convert merged.json --to vcf -o contacts.vcf --max-marking restricted\n  liaison convert merged.json --to csv -o report/ --excel"
    )]
    Convert {
        /// Bundle file to convert
        #[arg(value_name = "BUNDLE")]
        bundle: PathBuf,
        /// Output format
        #[arg(long = "to", value_name = "FORMAT", value_enum)]
        to: ToFormat,
        /// Output file (vcf, ics) or directory (csv)
        #[arg(short = 'o', long = "output", value_name = "OUT", required = true)]
        output: PathBuf,
        /// Leave out records marked above this
        #[arg(long = "max-marking", value_name = "LEVEL", value_enum, default_value = "all")]
        max_marking: MaxMarking,
        /// Start each CSV file with a UTF-8 byte-order mark, so that Excel reads names in any script
        #[arg(long)]
        excel: bool,
    },

    /// Make a bundle of contacts from a vCard file (from a phone, Outlook or Liaison)
    ///
    /// Reads FILE.vcf (vCard 4.0, 3.0 or 2.1: quoted-printable, legacy charsets and folded lines
    /// included) with the app's own import, and writes one bundle of everything (sequence 1) to
    /// OUT, atomically, readable by its owner only. Import it in the app, or merge it with others.
    ///
    /// Record ids come from the cards: a card Liaison exported keeps its contact's id (its UID),
    /// another card's id is derived from its UID, or, without one, from its content. Running this
    /// again on the same file gives the same ids, and a card whose UID matches a contact already in
    /// the app updates that contact instead of duplicating it. Other cards of people already known
    /// show up among the app's duplicate suggestions. The bundle's device is a pseudo-device named
    /// --label, its id derived from the label and the file; the edits are stamped with the current
    /// time.
    ///
    /// Problems with the file are printed with their line numbers (FILE: line N: what is wrong);
    /// properties Liaison does not keep (addresses, birthdays, photos) are listed by name.
    ///
    /// Exit status: 0 when every card was read cleanly; 1 when the bundle was written but the file
    /// had problems; 2 when nothing was written (no card could be read, or OUT could not be written).
    #[command(name = "import-vcf", after_help = "Example: liaison import-vcf phone-contacts.vcf -o contacts.json")]
    ImportVcf {
        /// The .vcf file to read
        #[arg(value_name = "FILE.vcf")]
        file: PathBuf,
        /// Where to write the bundle
        #[arg(short = 'o', long = "output", value_name = "BUNDLE", required = true)]
        output: PathBuf,
        /// Label of the importing pseudo-device
        #[arg(long, value_name = "LABEL", default_value = convert::IMPORT_LABEL)]
        label: String,
        /// Officer name the importing pseudo-device carries
        #[arg(long, value_name = "NAME", default_value = convert::IMPORT_OFFICER)]
        officer: String,
    },
}

/// `--to`: the formats `convert` writes.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum ToFormat {
    /// vCard 4.0 (.vcf): every contact
    Vcf,
    /// iCalendar (.ics): meetings as events, actions as to-dos
    Ics,
    /// CSV: contacts.csv, meetings.csv, actions.csv in a directory
    Csv,
}

/// `--max-marking`: the highest marking an export may carry.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum MaxMarking {
    /// Unmarked, UNCLASSIFIED, PUBLIC, OFFICIAL
    Open,
    /// Up to RESTRICTED and releasability caveats (REL TO …)
    Restricted,
    /// Up to CONFIDENTIAL
    Confidential,
    /// Up to SECRET and above, but not labels Liaison cannot grade
    Secret,
    /// Everything
    All,
}

impl MaxMarking {
    fn ceiling(self) -> Ceiling {
        match self {
            MaxMarking::Open => Ceiling::Open,
            MaxMarking::Restricted => Ceiling::Restricted,
            MaxMarking::Confidential => Ceiling::Confidential,
            MaxMarking::Secret => Ceiling::Secret,
            MaxMarking::All => Ceiling::All,
        }
    }
}

/// Standard output, line by line; a closed pipe (`liaison … | head`) ends the output, not in a panic.
struct Out(std::io::StdoutLock<'static>);

impl Out {
    fn new() -> Self {
        Out(std::io::stdout().lock())
    }

    fn line(&mut self, s: impl AsRef<str>) {
        let _ = writeln!(self.0, "{}", s.as_ref());
    }
}

fn problem_line(file: &str, p: &Problem) -> String {
    match &p.record {
        Some(id) => format!("{file}: record {}: {}", clean(id, 80), clean(&p.message, MESSAGE_CHARS)),
        None => format!("{file}: {}", clean(&p.message, MESSAGE_CHARS)),
    }
}

fn validate(paths: &[PathBuf]) -> ExitCode {
    let now = files::now_ms();
    let mut out = Out::new();
    let mut all_ok = true;
    for path in paths {
        let name = shown(path);
        match files::read_bundle_file(path, now) {
            Ok(b) => out.line(format!("{name}: {}", report::ok_line(&b))),
            Err(problems) => {
                all_ok = false;
                for p in &problems {
                    out.line(problem_line(&name, p));
                }
            }
        }
    }
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn merge_files(inputs: &[PathBuf], output: &Path, label: &str, officer: &str, verbose: bool) -> ExitCode {
    let now = files::now_ms();
    let mut out = Out::new();
    let mut merger = Merger::new();
    let mut rejected: Vec<String> = Vec::new();
    for path in inputs {
        let name = shown(path);
        match files::read_bundle_file(path, now) {
            Ok(b) => {
                out.line(format!("{name}: {}", report::ok_line(&b)));
                merger.add(&name, b);
            }
            Err(problems) => {
                for p in &problems {
                    out.line(problem_line(&name, p));
                }
                rejected.push(name);
            }
        }
    }
    let merged_inputs = merger.inputs().len();
    if merged_inputs == 0 {
        out.line(format!(
            "nothing merged: none of the {} could be read; {} was not written",
            plural(inputs.len(), "input", "inputs"),
            shown(output)
        ));
        return ExitCode::from(2);
    }
    let device = merge::merge_device(label, officer);
    let merged = merger.finish(&device);
    for d in &merged.dropped {
        out.line(format!("merge: record {}: {}", d.id, d.reason));
    }
    for id in &merged.shared_ids {
        out.line(format!(
            "merge: two devices share the id {id}: they wrote different values under one stamp (a copied browser profile or a restored backup?); both values are kept as a conflict"
        ));
    }
    let text = merged.to_bundle();
    // The output is read back exactly as the app would read it before it replaces anything, so that a
    // merge never leaves a bundle behind that the app would refuse (one too large, say).
    if let Err(problems) = liaison_core::formats::bundle::read_bundle(text.as_bytes(), now) {
        for p in &problems {
            out.line(problem_line("merged bundle", p));
        }
        out.line(format!("the merged bundle would not be valid, so {} was not written", shown(output)));
        return ExitCode::from(2);
    }
    if let Err(e) = files::write_atomically(output, &text) {
        out.line(e);
        return ExitCode::from(2);
    }
    let summary = merged.summary();
    out.line(format!(
        "merged {} into {}: {} bytes",
        plural(merged_inputs, "input", "inputs"),
        shown(output),
        text.len()
    ));
    out.line(report::counts_line(&summary));
    if let Some(l) = report::ahead_line(merged.records.values(), now) {
        out.line(l);
    }
    out.line(report::conflicts_line(&summary));
    if verbose {
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
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn inspect(path: &Path) -> ExitCode {
    let mut out = Out::new();
    let name = shown(path);
    let now = files::now_ms();
    match files::read_bundle_file(path, now) {
        Ok(b) => {
            out.line(format!("{name}: {}", report::ok_line(&b)));
            for l in report::inspect(&b, now) {
                out.line(l);
            }
            ExitCode::SUCCESS
        }
        Err(problems) => {
            for p in &problems {
                out.line(problem_line(&name, p));
            }
            ExitCode::from(1)
        }
    }
}

fn convert_file(path: &Path, to: ToFormat, output: &Path, max: MaxMarking, excel: bool) -> ExitCode {
    let mut out = Out::new();
    let name = shown(path);
    let bundle = match files::read_bundle_file(path, files::now_ms()) {
        Ok(b) => b,
        Err(problems) => {
            for p in &problems {
                out.line(problem_line(&name, p));
            }
            out.line(format!("{} was not written", shown(output)));
            return ExitCode::from(1);
        }
    };
    let format = match to {
        ToFormat::Vcf => Format::Vcf,
        ToFormat::Ics => Format::Ics,
        ToFormat::Csv => Format::Csv,
    };
    let ceiling = max.ceiling();
    let outputs = convert::convert(&bundle, format, output, ceiling, excel);
    if let Err(e) = convert::write_outputs(format, output, &outputs) {
        out.line(e);
        return ExitCode::from(2);
    }
    out.line(format!("{name}: {}", report::ok_line(&bundle)));
    for o in &outputs {
        out.line(convert::output_line(o));
    }
    out.line(format!("marking ceiling: {} ({})", ceiling.name(), ceiling.label()));
    out.line(format!("markings written: {}", convert::markings_written(&bundle, format, ceiling)));
    ExitCode::SUCCESS
}

fn import_vcf(path: &Path, output: &Path, label: &str, officer: &str) -> ExitCode {
    let mut out = Out::new();
    let name = shown(path);
    let bytes = match convert::read_vcf(path) {
        Ok(b) => b,
        Err(e) => {
            out.line(format!("{name}: {e}"));
            out.line(format!("{} was not written", shown(output)));
            return ExitCode::from(2);
        }
    };
    let now = files::now_ms();
    let made = match convert::bundle_from_vcf(&bytes, label, officer, now) {
        Ok(m) => m,
        Err(problems) => {
            for p in &problems {
                out.line(convert::vcf_problem_line(&name, p));
            }
            out.line(format!("no card could be read, so {} was not written", shown(output)));
            return ExitCode::from(2);
        }
    };
    for p in &made.problems {
        out.line(convert::vcf_problem_line(&name, p));
    }
    // Read back exactly as the app would, before anything is written.
    if let Err(problems) = liaison_core::formats::bundle::read_bundle(made.text.as_bytes(), now) {
        for p in &problems {
            out.line(convert::bundle_problem_line("new bundle", p));
        }
        out.line(format!("the bundle would not be valid, so {} was not written", shown(output)));
        return ExitCode::from(2);
    }
    if let Err(e) = files::write_atomically(output, &made.text) {
        out.line(e);
        return ExitCode::from(2);
    }
    out.line(format!(
        "{name}: {} read; wrote {}: {}",
        plural(made.cards, "card", "cards"),
        shown(output),
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
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Validate { files }) => validate(&files),
        Some(Command::Merge { inputs, output, label, officer, verbose }) => {
            merge_files(&inputs, &output, &label, &officer, verbose)
        }
        Some(Command::Inspect { file }) => inspect(&file),
        Some(Command::Convert { bundle, to, output, max_marking, excel }) => {
            convert_file(&bundle, to, &output, max_marking, excel)
        }
        Some(Command::ImportVcf { file, output, label, officer }) => import_vcf(&file, &output, &label, &officer),
        // With no command, the useful answer to a bare `liaison` is the help text.
        None => {
            if Cli::command().print_help().is_err() {
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
    }
}
