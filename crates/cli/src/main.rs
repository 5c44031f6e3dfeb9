//! `liaison`: the coordinator's command-line tool.
//!
//! It runs the same `liaison-core` code as the app, natively, so that a coordinator on an air-gapped
//! laptop gets exactly the app's validation and merge results. The arguments are in [`flags`], each
//! command's work in `cmd/` (one file per command); this file only parses and dispatches.

mod cmd;
mod flags;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use cmd::Outcome;
use flags::{Cli, Command};

fn main() -> ExitCode {
    let outcome = match Cli::parse().command {
        Some(Command::Validate(cmd)) => cmd.run(),
        Some(Command::Merge(cmd)) => cmd.run(),
        Some(Command::Inspect(cmd)) => cmd.run(),
        Some(Command::Convert(cmd)) => cmd.run(),
        Some(Command::ImportVcf(cmd)) => cmd.run(),
        Some(Command::ImportIcs(cmd)) => cmd.run(),
        Some(Command::ImportCsv(cmd)) => cmd.run(),
        Some(Command::Hub(cmd)) => cmd.run(),
        Some(Command::Enrol(cmd)) => cmd.run(),
        Some(Command::Push(cmd)) => cmd.run(),
        Some(Command::Pull(cmd)) => cmd.run(),
        // With no command, the useful answer to a bare `liaison` is the help text.
        None => match Cli::command().print_help() {
            Ok(()) => Outcome::Ok,
            Err(_) => Outcome::Partial,
        },
    };
    outcome.into()
}
