//! One file per command, each an `impl` of its flags with a `run`, and the steps they share: reading a
//! bundle or saying what is wrong with it, writing only what reads back, and the exit status.

mod convert;
pub(crate) mod hub;
pub(crate) mod hub_client;
mod import_file;
mod inspect;
mod merge;
mod validate;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use liaison_cli::files::{self, shown};
use liaison_cli::report::bundle_problem_line;
use liaison_core::formats::bundle::{self, Bundle};

/// How a command ended, which is its exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Everything asked for was done (0).
    Ok,
    /// An input was not valid or had problems; what could be done from the rest was done (1).
    Partial,
    /// Nothing was written (2).
    NothingWritten,
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> ExitCode {
        match outcome {
            Outcome::Ok => ExitCode::SUCCESS,
            Outcome::Partial => ExitCode::from(1),
            Outcome::NothingWritten => ExitCode::from(2),
        }
    }
}

/// Standard output, line by line; a closed pipe (`liaison … | head`) ends the output, not in a panic.
pub(crate) struct Out(std::io::StdoutLock<'static>);

impl Out {
    pub(crate) fn new() -> Self {
        Out(std::io::stdout().lock())
    }

    pub(crate) fn line(&mut self, s: impl AsRef<str>) {
        let _ = writeln!(self.0, "{}", s.as_ref());
    }
}

/// The bundle in `path`, read and validated against `now_ms`; or, when it is not a valid bundle, its
/// problems printed, one line each, as `validate` prints them.
pub(crate) fn read_or_report(path: &Path, now_ms: u64, out: &mut Out) -> Option<Bundle> {
    match files::read_bundle_file(path, now_ms) {
        Ok(b) => Some(b),
        Err(problems) => {
            let name = shown(path);
            for p in &problems {
                out.line(bundle_problem_line(&name, p));
            }
            None
        }
    }
}

/// Writes the bundle `text` to `output` atomically, but only once it reads back exactly as the app would
/// read it before it replaces anything, so that no command leaves a bundle behind that the app would
/// refuse (one too large, say). Otherwise says why, naming the bundle `name` in its problem lines and
/// `subject` in the last one, and returns false.
pub(crate) fn write_checked(
    text: &str,
    output: &Path,
    now_ms: u64,
    (name, subject): (&str, &str),
    out: &mut Out,
) -> bool {
    if let Err(problems) = bundle::read_bundle(text.as_bytes(), now_ms) {
        for p in &problems {
            out.line(bundle_problem_line(name, p));
        }
        out.line(format!("{subject} would not be valid, so {} was not written", shown(output)));
        return false;
    }
    if let Err(e) = files::write_bundle_file(output, text) {
        out.line(e);
        return false;
    }
    true
}
