//! `liaison hub …`: run a team hub and administer it (invites, devices, revocation, backups). These work
//! on the hub's database directly, so they run on the hub's machine, beside or without `serve`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use liaison_cli::files;
use liaison_core::date::UtcDateTime;
use liaison_core::marking::Ceiling;
use liaison_hub::server::{self, Config, Rate};
use liaison_hub::store::Store;
use liaison_hub::sync::{self, PageLimits, Role};

use super::{Out, Outcome};

const DEFAULT_DB: &str = "liaison-hub.sqlite";

#[derive(Debug, Args)]
pub(crate) struct Hub {
    #[command(subcommand)]
    pub command: HubCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum HubCommand {
    /// Serve the team hub's HTTP API (and, with --app, the built app from the same origin)
    ///
    /// Prints `listening on http://ADDR` once it takes connections, then logs one JSON object a line
    /// to standard error. SIGTERM or Ctrl-C stops it after the requests under way have finished.
    #[command(after_help = "Example: liaison hub serve --app dist --listen 0.0.0.0:8090")]
    Serve(Serve),
    /// Make a single-use enrolment code for an officer's device
    ///
    /// Prints the code on the first line (and, with --hub-url, the link that carries it), then what it
    /// is for. The hub keeps only a hash of it; it enrols one device, once, until it expires.
    #[command(
        after_help = "Example: liaison hub invite --team north --officer \"Anna Berg\" --max-marking restricted"
    )]
    Invite(Invite),
    /// List a team's enrolled devices
    Devices(Devices),
    /// Revoke a device: its token stops working at its next request
    Revoke(Revoke),
    /// Write a consistent copy of the hub's database while it runs
    Backup(Backup),
}

#[derive(Debug, Args)]
pub(crate) struct Db {
    /// The hub's database: a SQLite file (made if missing), or a postgres:// URL
    #[arg(long, value_name = "PATH_OR_URL", default_value = DEFAULT_DB)]
    pub db: String,
}

#[derive(Debug, Args)]
pub(crate) struct Serve {
    #[command(flatten)]
    pub db: Db,
    /// The address to listen on (port 0 picks a free one)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8090")]
    pub listen: String,
    /// A built app (trunk's dist/) to serve from /
    #[arg(long, value_name = "DIR")]
    pub app: Option<PathBuf>,
    /// The largest request body, in bytes; larger pushes get 413
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024 * 1024)]
    pub max_body: usize,
    /// Requests a second each device may make in the long run
    #[arg(long, value_name = "N", default_value_t = 20.0)]
    pub rate: f64,
    /// Requests a device may make at once before --rate applies (beyond it: 429 with Retry-After)
    #[arg(long, value_name = "N", default_value_t = 100.0)]
    pub burst: f64,
    /// The largest pull page, in bytes (one larger record still goes alone)
    #[arg(long, value_name = "BYTES", default_value_t = sync::PAGE_BYTES)]
    pub page_bytes: usize,
}

#[derive(Debug, Args)]
pub(crate) struct Invite {
    #[command(flatten)]
    pub db: Db,
    /// The team (made if new): letters, digits, dots, dashes, underscores
    #[arg(long, value_name = "TEAM")]
    pub team: String,
    /// The officer the device is for
    #[arg(long, value_name = "NAME")]
    pub officer: String,
    /// `coordinator` may also relay bundles of the team's officers
    #[arg(long, value_name = "ROLE", default_value = "officer", value_parser = ["officer", "coordinator"])]
    pub role: String,
    /// The highest marking the device receives
    #[arg(long = "max-marking", value_name = "LEVEL", default_value = "all",
          value_parser = ["open", "restricted", "confidential", "secret", "all"])]
    pub max_marking: String,
    /// How long the code stays valid: a number and s, m, h or d
    #[arg(long, value_name = "DURATION", default_value = "7d")]
    pub expires: String,
    /// The hub's address as officers reach it, to print the enrolment link
    #[arg(long = "hub-url", value_name = "URL")]
    pub hub_url: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct Devices {
    #[command(flatten)]
    pub db: Db,
    /// The team
    #[arg(long, value_name = "TEAM")]
    pub team: String,
}

#[derive(Debug, Args)]
pub(crate) struct Revoke {
    #[command(flatten)]
    pub db: Db,
    /// The device id, as `liaison hub devices` lists it
    #[arg(value_name = "DEVICE")]
    pub device: String,
}

#[derive(Debug, Args)]
pub(crate) struct Backup {
    #[command(flatten)]
    pub db: Db,
    /// Where to write the copy (a new file)
    #[arg(short = 'o', long = "output", value_name = "FILE", required = true)]
    pub output: PathBuf,
}

fn open(db: &Db, out: &mut Out) -> Option<liaison_hub::store::AnyStore> {
    match liaison_hub::open(&db.db) {
        Ok(s) => Some(s),
        Err(e) => {
            out.line(format!("{}: {e}", db.db));
            None
        }
    }
}

impl Hub {
    pub(crate) fn run(self) -> Outcome {
        let mut out = Out::new();
        match self.command {
            HubCommand::Serve(s) => s.run(&mut out),
            HubCommand::Invite(i) => i.run(&mut out),
            HubCommand::Devices(d) => d.run(&mut out),
            HubCommand::Revoke(r) => r.run(&mut out),
            HubCommand::Backup(b) => b.run(&mut out),
        }
    }
}

impl Serve {
    fn run(self, out: &mut Out) -> Outcome {
        if let Some(app) = &self.app {
            if !app.join("index.html").is_file() {
                out.line(format!(
                    "{}: no index.html there; build the app first (trunk build --release)",
                    app.display()
                ));
                return Outcome::NothingWritten;
            }
        }
        let Some(store) = open(&self.db, out) else { return Outcome::NothingWritten };
        if !(self.rate > 0.0 && self.burst >= 1.0) {
            out.line("--rate must be above 0 and --burst at least 1");
            return Outcome::NothingWritten;
        }
        liaison_hub::init_logging();
        let config = Config {
            body_limit: self.max_body,
            rate: Rate { per_second: self.rate, burst: self.burst },
            page: PageLimits { bytes: self.page_bytes.max(1), records: sync::PAGE_RECORDS },
            max_wait: Duration::from_secs(60),
            recheck: Duration::from_secs(5),
            app: self.app,
        };
        match server::run(&self.listen, store, config) {
            Ok(()) => Outcome::Ok,
            Err(e) => {
                out.line(e);
                Outcome::NothingWritten
            }
        }
    }
}

impl Invite {
    fn run(self, out: &mut Out) -> Outcome {
        let valid_ms = match liaison_hub::secret::parse_duration_ms(&self.expires) {
            Ok(ms) => ms,
            Err(e) => {
                out.line(format!("--expires: {e}"));
                return Outcome::NothingWritten;
            }
        };
        let (Some(role), Some(ceiling)) = (Role::parse(&self.role), Ceiling::parse(&self.max_marking)) else {
            out.line("--role or --max-marking is not one of the possible values");
            return Outcome::NothingWritten;
        };
        let Some(store) = open(&self.db, out) else { return Outcome::NothingWritten };
        let now = files::now_ms();
        match sync::invite(&store, &self.team, &self.officer, role, ceiling, valid_ms, now) {
            Ok(code) => {
                out.line(&code);
                if let Some(url) = &self.hub_url {
                    out.line(format!("{}/?enrol={code}", url.trim_end_matches('/')));
                }
                out.line(format!(
                    "enrols one device of {} ({}, team {}, {}) until {}",
                    liaison_cli::text::clean(&self.officer, 200),
                    role.name(),
                    self.team,
                    ceiling.label(),
                    UtcDateTime::from_ms(now.saturating_add(valid_ms))
                ));
                Outcome::Ok
            }
            Err(r) => {
                out.line(r.message);
                Outcome::NothingWritten
            }
        }
    }
}

impl Devices {
    fn run(self, out: &mut Out) -> Outcome {
        let Some(store) = open(&self.db, out) else { return Outcome::NothingWritten };
        match sync::devices(&store, &self.team) {
            Ok(devices) => {
                out.line(format!(
                    "{} in team {}",
                    liaison_core::text::plural(devices.len(), "device", "devices"),
                    self.team
                ));
                for d in devices {
                    let status = match d.revoked_ms {
                        Some(ms) => format!("revoked {}", UtcDateTime::from_ms(ms as u64)),
                        None => "active".into(),
                    };
                    out.line(format!(
                        "{}  {}  {}  {}  up to {}  enrolled {}  {status}",
                        d.device,
                        liaison_cli::text::clean(&d.officer, 200),
                        liaison_cli::text::clean(&d.label, 200),
                        d.role,
                        d.ceiling,
                        UtcDateTime::from_ms(d.enrolled_ms as u64)
                    ));
                }
                Outcome::Ok
            }
            Err(r) => {
                out.line(r.message);
                Outcome::NothingWritten
            }
        }
    }
}

impl Revoke {
    fn run(self, out: &mut Out) -> Outcome {
        let Some(store) = open(&self.db, out) else { return Outcome::NothingWritten };
        match sync::revoke(&store, &self.device, files::now_ms()) {
            Ok(true) => {
                out.line(format!("revoked device {}: its token no longer works", self.device));
                Outcome::Ok
            }
            Ok(false) => {
                out.line(format!(
                    "no active device {} on this hub (see liaison hub devices)",
                    liaison_cli::text::clean(&self.device, 80)
                ));
                Outcome::Partial
            }
            Err(r) => {
                out.line(r.message);
                Outcome::NothingWritten
            }
        }
    }
}

impl Backup {
    fn run(self, out: &mut Out) -> Outcome {
        let Some(store) = open(&self.db, out) else { return Outcome::NothingWritten };
        match store.backup(&self.output) {
            Ok(()) => {
                out.line(format!("wrote a copy of {} to {}", self.db.db, self.output.display()));
                Outcome::Ok
            }
            Err(e) => {
                out.line(e.to_string());
                Outcome::NothingWritten
            }
        }
    }
}
