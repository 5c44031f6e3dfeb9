//! `liaison enrol`, `push` and `pull`: a coordinator's laptop as a client of a team hub.

use std::path::{Path, PathBuf};

use clap::Args;
use liaison_cli::files::{self, shown};
use liaison_cli::merge::{self, Merger};
use liaison_cli::report;
use liaison_core::formats::bundle::{self, Layout};
use liaison_core::text::plural;
use liaison_hub::client::{Client, TokenFile};

use super::{write_checked, Out, Outcome};

#[derive(Debug, Args)]
pub(crate) struct Enrol {
    /// The hub's address, `http://host:port`
    #[arg(long, value_name = "URL")]
    pub hub: String,
    /// The enrolment code from `liaison hub invite`
    #[arg(value_name = "CODE")]
    pub code: String,
    /// Where to keep this device's token (a new file, readable by its owner only)
    #[arg(long = "token-file", value_name = "FILE")]
    pub token_file: PathBuf,
    /// A label for this device on the hub
    #[arg(long, value_name = "LABEL", default_value = "liaison CLI")]
    pub label: String,
    /// Enrol as this Liaison device id instead of a new one
    #[arg(long, value_name = "ID")]
    pub device: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct Push {
    /// Bundle files: this device's, or (for a coordinator) the team's officers' collected by hand
    #[arg(value_name = "BUNDLE", required = true)]
    pub bundles: Vec<PathBuf>,
    /// The hub's address (default: the one in the token file)
    #[arg(long, value_name = "URL")]
    pub hub: Option<String>,
    /// The token file `liaison enrol` wrote
    #[arg(long = "token-file", value_name = "FILE")]
    pub token_file: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct Pull {
    /// The hub's address (default: the one in the token file)
    #[arg(long, value_name = "URL")]
    pub hub: Option<String>,
    /// The token file `liaison enrol` wrote
    #[arg(long = "token-file", value_name = "FILE")]
    pub token_file: PathBuf,
    /// Where to write the team's merged picture, as one bundle
    #[arg(short = 'o', long = "output", value_name = "OUT.json", required = true)]
    pub output: PathBuf,
}

fn token(path: &Path, out: &mut Out) -> Option<TokenFile> {
    match TokenFile::read(path) {
        Ok(t) => Some(t),
        Err(e) => {
            out.line(format!("{}: {e}", shown(path)));
            None
        }
    }
}

impl Enrol {
    pub(crate) fn run(self) -> Outcome {
        let mut out = Out::new();
        if self.token_file.exists() {
            out.line(format!("{}: the token file exists already; give another name", shown(&self.token_file)));
            return Outcome::NothingWritten;
        }
        let client = Client::new(&self.hub);
        let answer = match client.enrol(&self.code, self.device.as_deref(), Some(&self.label)) {
            Ok(a) => a,
            Err(e) => {
                out.line(e);
                return Outcome::NothingWritten;
            }
        };
        if answer.status != 201 {
            out.line(format!("not enrolled: {}", answer.message()));
            return Outcome::NothingWritten;
        }
        let j = answer.json();
        let field = |k: &str| j.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
        let file = TokenFile {
            hub: self.hub.trim_end_matches('/').to_string(),
            team: field("team"),
            device: field("device"),
            officer: field("officer"),
            role: field("role"),
            max_marking: field("max_marking"),
            token: field("token"),
        };
        if file.token.is_empty() || file.team.is_empty() {
            out.line("the hub's answer held no token; nothing was written");
            return Outcome::NothingWritten;
        }
        if let Err(e) = file.write_new(&self.token_file) {
            out.line(format!("{}: {e}", shown(&self.token_file)));
            return Outcome::NothingWritten;
        }
        out.line(format!(
            "enrolled device {} as {} of team {} ({}, up to {}); token in {}",
            file.device,
            liaison_cli::text::clean(&file.officer, 200),
            file.team,
            file.role,
            file.max_marking,
            shown(&self.token_file)
        ));
        Outcome::Ok
    }
}

impl Push {
    pub(crate) fn run(self) -> Outcome {
        let mut out = Out::new();
        let Some(tf) = token(&self.token_file, &mut out) else { return Outcome::NothingWritten };
        let client = Client::new(self.hub.as_deref().unwrap_or(&tf.hub));
        let mut refused = 0usize;
        for path in &self.bundles {
            let name = shown(path);
            let bytes = match files::read_bytes(path, files::BUNDLE_FILE) {
                Ok(b) if bundle::is_gzip(&b) => match files::gunzip(&b, bundle::MAX_BUNDLE_BYTES) {
                    Ok(plain) => plain,
                    Err(e) => {
                        out.line(format!("{name}: {e}"));
                        refused += 1;
                        continue;
                    }
                },
                Ok(b) => b,
                Err(e) => {
                    out.line(format!("{name}: {e}"));
                    refused += 1;
                    continue;
                }
            };
            let mut answer = client.push(&tf.token, &tf.team, &bytes);
            // A busy hub says when to come back; a few waits are worth it before giving up.
            for _ in 0..3 {
                match &answer {
                    Ok(a) if a.status == 429 => {
                        std::thread::sleep(std::time::Duration::from_secs(a.retry_after.unwrap_or(1).min(30)));
                        answer = client.push(&tf.token, &tf.team, &bytes);
                    }
                    _ => break,
                }
            }
            match answer {
                Ok(a) if a.status == 200 => {
                    let j = a.json();
                    let n = |k: &str| j.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
                    let what = if j.get("status").and_then(|s| s.as_str()) == Some("repeat") {
                        "already on the hub, not applied again"
                    } else {
                        "applied"
                    };
                    out.line(format!(
                        "{name}: {what} (device {}, sequence {}, {}, {} changed)",
                        j.get("device").and_then(|v| v.as_str()).unwrap_or("?"),
                        n("sequence"),
                        plural(n("records") as usize, "record", "records"),
                        n("changed")
                    ));
                }
                Ok(a) => {
                    refused += 1;
                    out.line(format!("{name}: refused: {}", a.message()));
                    let j = a.json();
                    if let Some(problems) = j.get("problems").and_then(|p| p.as_array()) {
                        for p in problems.iter().filter_map(|p| p.as_str()) {
                            out.line(format!("{name}: {}", liaison_cli::text::clean(p, 400)));
                        }
                    }
                }
                Err(e) => {
                    refused += 1;
                    out.line(format!("{name}: {e}"));
                }
            }
        }
        if refused == 0 {
            Outcome::Ok
        } else {
            Outcome::Partial
        }
    }
}

impl Pull {
    pub(crate) fn run(self) -> Outcome {
        let mut out = Out::new();
        let Some(tf) = token(&self.token_file, &mut out) else { return Outcome::NothingWritten };
        let client = Client::new(self.hub.as_deref().unwrap_or(&tf.hub));
        let pages = match client.pull_all(&tf.token, &tf.team, None) {
            Ok((pages, _)) => pages,
            Err(e) => {
                out.line(format!("nothing pulled: {e}"));
                return Outcome::NothingWritten;
            }
        };
        let now = files::now_ms();
        let mut merger = Merger::new();
        for (i, page) in pages.into_iter().enumerate() {
            match bundle::read_bundle(page.as_bytes(), now) {
                Ok(b) => merger.add(&format!("page {}", i + 1), b),
                Err(problems) => {
                    for p in &problems {
                        out.line(report::bundle_problem_line(&format!("page {}", i + 1), p));
                    }
                    out.line(format!(
                        "the hub sent a page that is not a valid bundle; {} was not written",
                        shown(&self.output)
                    ));
                    return Outcome::NothingWritten;
                }
            }
        }
        let pages = merger.inputs().len();
        let merged = merger.finish(&merge::merge_device("liaison pull", &tf.officer));
        let text = match merged.to_bundle(Layout::Compact) {
            Ok(t) => t,
            Err(problems) => {
                for p in &problems {
                    out.line(report::bundle_problem_line("pulled bundle", p));
                }
                return Outcome::NothingWritten;
            }
        };
        if !write_checked(&text, &self.output, now, ("pulled bundle", "the pulled bundle"), &mut out) {
            return Outcome::NothingWritten;
        }
        out.line(format!(
            "pulled {} of team {} ({}) into {}",
            plural(merged.records.len(), "record", "records"),
            tf.team,
            plural(pages, "page", "pages"),
            shown(&self.output)
        ));
        out.line(report::counts_line(&merged.summary()));
        Outcome::Ok
    }
}
