//! `liaison`: the coordinator's command-line tool.
//!
//! It runs the same `liaison-core` code as the app, natively, so that a coordinator on an air-gapped
//! laptop gets exactly the app's validation and merge results.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};
use liaison_cli::files::{self, shown};
use liaison_cli::merge::{self, Merger};
use liaison_cli::report::{self, Directory};
use liaison_cli::text::{clean, plural, MESSAGE_CHARS};
use liaison_core::bundle::Problem;

/// Liaison, the offline field notebook for liaison officers: the coordinator's command-line tool.
///
/// Officers record meetings, contacts and follow-up actions in the Liaison web app, offline, and hand
/// their notes on as JSON bundles. This tool validates, merges and inspects those bundles natively,
/// with the same code as the app.
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
    let text = merged.to_bundle();
    // The output is read back exactly as the app would read it before it replaces anything, so that a
    // merge never leaves a bundle behind that the app would refuse (one too large, say).
    if let Err(problems) = liaison_core::bundle::read_bundle(text.as_bytes(), now) {
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Validate { files }) => validate(&files),
        Some(Command::Merge { inputs, output, label, officer, verbose }) => {
            merge_files(&inputs, &output, &label, &officer, verbose)
        }
        Some(Command::Inspect { file }) => inspect(&file),
        // With no command, the useful answer to a bare `liaison` is the help text.
        None => {
            if Cli::command().print_help().is_err() {
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
    }
}
