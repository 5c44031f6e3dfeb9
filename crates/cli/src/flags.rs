//! The command line: every command, its arguments and its help text. `main` parses these and hands each
//! command to its `run` (in `cmd/`).

use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand};
use liaison_cli::{convert, merge};
use liaison_core::formats::FileFormat;
use liaison_core::marking::Ceiling;

/// Liaison, the offline field notebook for liaison officers: the coordinator's command-line tool.
///
/// Officers record meetings, contacts and follow-up actions in the Liaison web app, offline, and hand
/// their notes on as JSON bundles. This tool validates, merges and inspects those bundles natively,
/// with the same code as the app, converts them to vCard, iCalendar and CSV, and makes bundles of
/// contacts from vCard files.
#[derive(Debug, Parser)]
#[command(name = "liaison", version, about, long_about, after_help = AFTER_HELP)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

const AFTER_HELP: &str =
    "Storage layout written by the app: liaison/v1 (schema 1). Bundle format: liaison-bundle v3 (reads v1 to v3;\n\
a name ending in .json.gz writes it gzip-compressed, and gzip input is read whatever its name).\n\
Source and documentation: see README.md and ARCHITECTURE.md in the Liaison repository.";

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
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
    Validate(Validate),

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
    Merge(Merge),

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
    Inspect(Inspect),

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
    Convert(Convert),

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
    ImportVcf(ImportVcf),
    /// Make a bundle of meetings and follow-ups from an iCalendar file (Outlook, Google, Apple, Liaison)
    ///
    /// Reads FILE.ics with the app's own import and writes one bundle of everything (sequence 1) to
    /// OUT, atomically, readable by its owner only. Events become meetings, their attendees matched to
    /// contacts by email; to-dos become follow-up actions of the meeting they are RELATED-TO; a changed
    /// occurrence of a repeating meeting (RECURRENCE-ID) becomes a meeting of its own, linked to its
    /// series. Record ids come from the UIDs, so running this again gives the same ids, and an event
    /// Liaison exported comes back to its meeting. Times in a time zone (TZID, defined in the file or
    /// known by name) or in UTC land at the officer's local time (--zone); times without a zone and
    /// all-day events stay as written.
    ///
    /// Problems with the file are printed with their line numbers (FILE: line N: what is wrong).
    ///
    /// Exit status: 0 when everything was read cleanly; 1 when the bundle was written but the file had
    /// problems; 2 when nothing was written (no event or to-do could be read, or OUT could not be
    /// written).
    #[command(name = "import-ics", after_help = "Example: liaison import-ics invitations.ics -o meetings.json")]
    ImportIcs(ImportIcs),
    /// Make a bundle of contacts from a spreadsheet (Outlook's or Google's contacts export, a list of names)
    ///
    /// Reads FILE.csv with the app's own import and writes one bundle of everything (sequence 1) to OUT,
    /// atomically, readable by its owner only. Columns are mapped by their names, in English or German
    /// (Outlook's and Google's: First Name, Nachname, E-mail 1 - Value, Firma, …); the separator (`,`, `;`
    /// or tab) is found from the header, and the text may be UTF-8, UTF-16 or Windows-1252. Only the
    /// cells a row fills are carried. Liaison's own contacts.csv comes back to its contacts by their Id
    /// column; other rows get ids from their content, so running this again gives the same ids.
    ///
    /// Exit status: 0 when every row was read cleanly; 1 when the bundle was written but the file had
    /// problems; 2 when nothing was written (no contact could be read, or OUT could not be written).
    #[command(name = "import-csv", after_help = "Example: liaison import-csv outlook-contacts.csv -o contacts.json")]
    ImportCsv(ImportCsv),

    /// Run a team hub and administer it: serve, invite, devices, revoke, backup
    ///
    /// Officers' devices push their bundles to the hub and pull the team's merged picture from it
    /// (docs/hub-api.md). These commands work on the hub's database (--db: a SQLite file, or a postgres:// URL).
    #[command(after_help = "Example: liaison hub serve --app dist")]
    Hub(crate::cmd::hub::Hub),

    /// Enrol this computer with a team hub, with a code from `liaison hub invite`
    #[command(
        after_help = "Example: liaison enrol --hub http://hub:8090 7KQ2M-9XD4R-ABCDE-FGH12 --token-file hub.token"
    )]
    Enrol(crate::cmd::hub_client::Enrol),

    /// Push bundles to the team hub: this device's, or a coordinator's relay of its officers' bundles
    ///
    /// Each bundle is applied once, in its device's sequence: a repeat is not applied again, a gap is
    /// refused with the sequence the hub expects, and another bundle at a taken sequence is refused as
    /// two devices sharing an id. Exit status: 0 when the hub took every bundle, 1 otherwise.
    #[command(after_help = "Example: liaison push officer-*.json --token-file hub.token")]
    Push(crate::cmd::hub_client::Push),

    /// Pull the team's merged picture from the hub, as one bundle
    #[command(after_help = "Example: liaison pull --token-file hub.token -o team.json")]
    Pull(crate::cmd::hub_client::Pull),
}

#[derive(Debug, Args)]
pub(crate) struct Validate {
    /// Bundle files to check
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct Merge {
    /// Bundle files to merge
    #[arg(value_name = "IN", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Where to write the merged bundle (gzip-compressed when it ends in .json.gz)
    #[arg(short = 'o', long = "output", value_name = "OUT", required = true)]
    pub output: PathBuf,
    /// Label of the merging pseudo-device; its device id is derived from it
    #[arg(long, value_name = "LABEL", default_value = merge::DEFAULT_LABEL)]
    pub label: String,
    /// Officer name the merging pseudo-device carries
    #[arg(long, value_name = "NAME", default_value = merge::DEFAULT_OFFICER)]
    pub officer: String,
    /// List every open conflict, with each value's author and time
    #[arg(short, long)]
    pub verbose: bool,
    /// Indent the bundle for people to read (the same content; larger)
    #[arg(long)]
    pub pretty: bool,
}

#[derive(Debug, Args)]
pub(crate) struct Inspect {
    /// Bundle file to show
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct Convert {
    /// Bundle file to convert
    #[arg(value_name = "BUNDLE")]
    pub bundle: PathBuf,
    /// Output format
    #[arg(
        long = "to",
        value_name = "FORMAT",
        value_parser = choice(FileFormat::EVERY, FileFormat::extension, format_help, format_of)
    )]
    pub to: FileFormat,
    /// Output file (vcf, ics) or directory (csv)
    #[arg(short = 'o', long = "output", value_name = "OUT", required = true)]
    pub output: PathBuf,
    /// Leave out records marked above this
    #[arg(
        long = "max-marking",
        value_name = "LEVEL",
        default_value = "all",
        value_parser = choice(Ceiling::EVERY, Ceiling::name, ceiling_help, Ceiling::parse)
    )]
    pub max_marking: Ceiling,
    /// Start each CSV file with a UTF-8 byte-order mark, so that Excel reads names in any script
    #[arg(long)]
    pub excel: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ImportVcf {
    /// The .vcf file to read
    #[arg(value_name = "FILE.vcf")]
    pub file: PathBuf,
    /// Where to write the bundle (gzip-compressed when it ends in .json.gz)
    #[arg(short = 'o', long = "output", value_name = "BUNDLE", required = true)]
    pub output: PathBuf,
    /// Indent the bundle for people to read (the same content; larger)
    #[arg(long)]
    pub pretty: bool,
    /// Label of the importing pseudo-device
    #[arg(long, value_name = "LABEL", default_value = convert::IMPORT_LABEL)]
    pub label: String,
    /// Officer name the importing pseudo-device carries
    #[arg(long, value_name = "NAME", default_value = convert::IMPORT_OFFICER)]
    pub officer: String,
}

#[derive(Debug, Args)]
pub(crate) struct ImportCsv {
    /// The .csv file to read
    #[arg(value_name = "FILE.csv")]
    pub file: PathBuf,
    /// Where to write the bundle (gzip-compressed when it ends in .json.gz)
    #[arg(short = 'o', long = "output", value_name = "BUNDLE", required = true)]
    pub output: PathBuf,
    /// Indent the bundle for people to read (the same content; larger)
    #[arg(long)]
    pub pretty: bool,
    /// Label of the importing pseudo-device
    #[arg(long, value_name = "LABEL", default_value = convert::IMPORT_CSV_LABEL)]
    pub label: String,
    /// Officer name the importing pseudo-device carries
    #[arg(long, value_name = "NAME", default_value = convert::IMPORT_OFFICER)]
    pub officer: String,
}

#[derive(Debug, Args)]
pub(crate) struct ImportIcs {
    /// The .ics file to read
    #[arg(value_name = "FILE.ics")]
    pub file: PathBuf,
    /// Where to write the bundle (gzip-compressed when it ends in .json.gz)
    #[arg(short = 'o', long = "output", value_name = "BUNDLE", required = true)]
    pub output: PathBuf,
    /// Indent the bundle for people to read (the same content; larger)
    #[arg(long)]
    pub pretty: bool,
    /// Label of the importing pseudo-device
    #[arg(long, value_name = "LABEL", default_value = convert::IMPORT_ICS_LABEL)]
    pub label: String,
    /// Officer name the importing pseudo-device carries
    #[arg(long, value_name = "NAME", default_value = convert::IMPORT_OFFICER)]
    pub officer: String,
    /// The officer's time zone, which meeting times land in (an IANA name such as Europe/Vienna);
    /// this machine's zone by default
    #[arg(long, value_name = "ZONE")]
    pub zone: Option<String>,
}

/// A value parser for one of core's enums: its words, each with a line of help, read with core's own
/// parser, so the CLI accepts exactly the words core names.
fn choice<T: Copy + Send + Sync + 'static>(
    every: impl IntoIterator<Item = T>,
    word: fn(T) -> &'static str,
    help: fn(T) -> &'static str,
    parse: fn(&str) -> Option<T>,
) -> impl TypedValueParser<Value = T> {
    PossibleValuesParser::new(every.into_iter().map(|v| PossibleValue::new(word(v)).help(help(v))))
        .try_map(move |s| parse(&s).ok_or("not one of the possible values"))
}

fn format_of(word: &str) -> Option<FileFormat> {
    FileFormat::EVERY.into_iter().find(|f| f.extension() == word)
}

/// `--to`: what each format holds.
fn format_help(format: FileFormat) -> &'static str {
    match format {
        FileFormat::VCard => "vCard 4.0 (.vcf): every contact",
        FileFormat::ICal => "iCalendar (.ics): meetings as events, actions as to-dos",
        FileFormat::Csv => "CSV: contacts.csv, meetings.csv, actions.csv in a directory",
    }
}

/// `--max-marking`: what each ceiling lets through.
fn ceiling_help(ceiling: Ceiling) -> &'static str {
    match ceiling {
        Ceiling::Open => "Unmarked, UNCLASSIFIED, PUBLIC, OFFICIAL",
        Ceiling::Restricted => "Up to RESTRICTED and releasability caveats (REL TO …)",
        Ceiling::Confidential => "Up to CONFIDENTIAL",
        Ceiling::Secret => "Up to SECRET and above, but not labels Liaison cannot grade",
        Ceiling::All => "Everything",
    }
}
