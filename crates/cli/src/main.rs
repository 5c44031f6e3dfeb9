//! `liaison`: the coordinator's command-line tool.
//!
//! It runs the same `liaison-core` code as the app, natively, so that a coordinator on an air-gapped
//! laptop gets exactly the app's validation and merge results. This first version identifies itself;
//! bundle validation, merging and conversion arrive with the bundle format.

use clap::{CommandFactory, Parser};

/// Liaison, the offline field notebook for liaison officers: the coordinator's command-line tool.
///
/// Officers record meetings, contacts and follow-up actions in the Liaison web app, offline, and hand
/// their notes on as JSON bundles. This tool works on those bundles natively, with the same code as the
/// app. Commands for validating, merging and converting bundles arrive with bundle format v1.
#[derive(Debug, Parser)]
#[command(name = "liaison", version, about, long_about, after_help = AFTER_HELP)]
struct Cli {}

const AFTER_HELP: &str = "Storage layout written by the app: liaison/v1 (schema 1).\n\
Source and documentation: see README.md and ARCHITECTURE.md in the Liaison repository.";

fn main() {
    let Cli {} = Cli::parse();
    // With no command to run yet, the useful answer to a bare `liaison` is the help text.
    if Cli::command().print_help().is_err() {
        std::process::exit(1);
    }
}
