//! Syncing with a team hub (docs/hub-api.md), as rules without I/O: what a device pushes next, what
//! each answer means, how long to wait after a failure, and what the status line says. The app does
//! the requests and hands the answers in; time and random numbers come in as arguments.
//!
//! A push is a "changes" bundle from [`super::export`], with the device's next sequence, made once and
//! kept until the hub answers 200, so that a push that timed out (or whose tab was closed) is sent
//! again byte for byte and the hub answers `repeat`. The link keeps only what the push is
//! ([`PendingPush`], a few hundred bytes with the bytes' checksum); the bytes themselves, as large as
//! the notebook for a push of everything, are kept by the app where there is room, and checked
//! against the checksum when read back ([`HubLink::kept_bytes`]). A pulled page is an ordinary bundle for
//! [`super::plan`] and [`super::apply`].

mod problem;
#[cfg(test)]
mod tests;
pub mod wire;

use serde::{Deserialize, Serialize};

pub use problem::Problem;
pub use wire::{Answer, EnrolRequest, Enrolled, PushStatus, Pushed, RefusalBody, Transport};

use super::ExportState;
use crate::formats::bundle::Scope;
use crate::marking::Ceiling;

/// How long a pull waits for news while the officer looks at the page, in seconds.
pub const LONG_POLL_S: u64 = 30;
/// How long a request may take before it counts as timed out, in ms; a long poll gets its wait on top.
pub const TIMEOUT_MS: u64 = 30_000;
/// How often a device syncs when nothing else asks it to, in ms.
pub const EVERY_MS: u64 = 60_000;
/// How long after an edit a device pushes it, in ms: long enough for a few keystrokes to go together.
pub const AFTER_EDIT_MS: u64 = 3_000;
/// The first wait after a failure, in ms; each further failure doubles it, up to [`MAX_BACKOFF_MS`].
pub const FIRST_BACKOFF_MS: u64 = 2_000;
/// The longest wait after failures, in ms.
pub const MAX_BACKOFF_MS: u64 = 300_000;

/// Why an enrolment code cannot be what the coordinator sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeError {
    /// Nothing was typed.
    Empty,
    /// Not 20 letters and digits.
    Shape,
}

impl CodeError {
    /// What the officer reads under the field.
    pub fn message(self) -> &'static str {
        match self {
            CodeError::Empty => "Type the enrolment code your coordinator sent.",
            CodeError::Shape => {
                "An enrolment code has 20 letters and digits, like 3QJ1H-REKCG-WB2RF-Y8H70. Check what was typed."
            }
        }
    }
}

/// The code an officer typed or pasted (the code itself, or the whole `…/?enrol=CODE` link), as the
/// hub reads it: 20 base32 characters, grouped by five, in capitals. Case, spaces and dashes do not
/// matter; O, I and L are read as 0, 1 and 1, as the hub reads them.
pub fn read_code(input: &str) -> Result<String, CodeError> {
    let input = input.trim();
    let code = match input.rsplit_once("enrol=") {
        Some((_, rest)) => rest.split(['&', '#']).next().unwrap_or(""),
        None => input,
    };
    let mut chars = String::new();
    for c in code.chars() {
        match c.to_ascii_uppercase() {
            ' ' | '-' | '\t' => {}
            'O' => chars.push('0'),
            'I' | 'L' => chars.push('1'),
            c if c.is_ascii_digit() || (c.is_ascii_uppercase() && c != 'U') => chars.push(c),
            _ => return Err(CodeError::Shape),
        }
    }
    match chars.len() {
        0 => Err(CodeError::Empty),
        20 => Ok(chars
            .as_bytes()
            .chunks(5)
            .map(|g| String::from_utf8_lossy(g).into_owned())
            .collect::<Vec<_>>()
            .join("-")),
        _ => Err(CodeError::Shape),
    }
}

/// A push made and not yet acknowledged, sent again as it is until the hub answers 200: what it is
/// and the export state the export led to. Its bytes are kept apart (see the module's notes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingPush {
    /// The bundle's sequence number.
    pub sequence: u64,
    /// Everything, or changes.
    pub scope: Scope,
    /// Records it carries.
    pub records: usize,
    /// `sha256:` and the hex digest of the bundle's bytes, to tell the kept bytes from missing,
    /// cut short or another push's. Empty in a link kept before the bytes moved out of it: such a
    /// push is taken as lost.
    #[serde(default)]
    pub checksum: String,
    /// The export state once this bundle was made: a device that stopped between keeping the push
    /// and keeping its export state takes it from here ([`HubLink::reconcile`]).
    pub after: ExportState,
}

impl PendingPush {
    /// The push of an export's `text`, with its checksum.
    pub fn new(sequence: u64, scope: Scope, records: usize, text: &str, after: ExportState) -> PendingPush {
        PendingPush { sequence, scope, records, checksum: checksum(text), after }
    }

    /// Whether `text` is this push's bytes, whole.
    pub fn is_made_of(&self, text: &str) -> bool {
        !self.checksum.is_empty() && checksum(text) == self.checksum
    }
}

/// `sha256:` and the hex digest of `text`.
fn checksum(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(text.as_bytes());
    let mut hex = String::with_capacity(7 + 64);
    hex.push_str("sha256:");
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

/// This device's enrolment with a hub and where its sync stands: kept in the device's storage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubLink {
    /// What the hub said at enrolment (without the token).
    pub enrolled: Enrolled,
    /// The device token, sent as `Authorization: Bearer`.
    pub token: String,
    /// Where the next pull goes on from (`None`: from the start).
    pub cursor: Option<String>,
    /// The push sent and not yet answered 200.
    pub unacked: Option<PendingPush>,
    /// The next push carries everything: the first one (the hub holds nothing of this notebook yet)
    /// and the one after a gap.
    pub full_push: bool,
    /// When this device last finished a sync (pushed what it had and pulled to the end).
    pub last_sync_ms: Option<u64>,
    /// Why syncing stopped, until a person acts.
    pub stopped: Option<Problem>,
}

/// What to do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Send the unacknowledged push again, byte for byte.
    Resend,
    /// Make a new push of this scope (see [`super::export`]) and keep it with [`HubLink::push_made`].
    Export(Scope),
    /// Nothing to push: pull.
    Pull,
    /// Syncing stopped: nothing until a person acts.
    Stopped,
}

/// What a pull brought.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pulled {
    /// A page: a bundle to import, the cursor to keep once it is applied, and whether more wait.
    Page {
        /// The bundle's text.
        bundle: String,
        /// Where the next pull goes on from, once this page is applied.
        cursor: String,
        /// Whether to ask again at once.
        more: bool,
    },
    /// Nothing new (204).
    InSync {
        /// The cursor to keep.
        cursor: String,
    },
}

impl HubLink {
    /// The link an enrolment answer makes (`201 Created` with a token), or why there is none.
    pub fn from_enrolment(answer: &Answer) -> Result<HubLink, Problem> {
        if answer.status != 201 {
            return Err(Problem::of_answer(answer));
        }
        let nonsense = Problem::Nonsense { status: answer.status };
        let mut enrolled: Enrolled = serde_json::from_str(&answer.body).map_err(|_| nonsense.clone())?;
        let token = enrolled.token.take().filter(|t| !t.is_empty() && t.is_ascii()).ok_or(nonsense)?;
        Ok(HubLink { enrolled, token, cursor: None, unacked: None, full_push: true, last_sync_ms: None, stopped: None })
    }

    /// The marking ceiling the hub applies to what this device receives.
    pub fn ceiling(&self) -> Option<Ceiling> {
        Ceiling::parse(&self.enrolled.max_marking)
    }

    /// Makes the export state agree with the hub and with the push kept: the sequence never goes back
    /// below what the hub expects next (a device whose file exports the hub already counted) nor below
    /// the push kept (a device that stopped before keeping its export state).
    pub fn reconcile(&self, state: &mut ExportState) {
        if let Some(p) = &self.unacked {
            if state.sequence < p.sequence {
                *state = state.merge(&p.after);
            }
        }
        let hub_has = self.enrolled.next_sequence.saturating_sub(1);
        if state.sequence < hub_has {
            state.sequence = hub_has;
        }
    }

    /// What to do next, given how many records wait to leave this device.
    pub fn next(&self, waiting: usize) -> Next {
        if self.stopped.is_some() {
            Next::Stopped
        } else if self.unacked.is_some() {
            Next::Resend
        } else if self.full_push {
            Next::Export(Scope::All)
        } else if waiting > 0 {
            Next::Export(Scope::Changes)
        } else {
            Next::Pull
        }
    }

    /// Keeps a push just made, before it is sent (and after its bytes were kept).
    pub fn push_made(&mut self, push: PendingPush) {
        self.unacked = Some(push);
    }

    /// The bytes to send again for the unacknowledged push, given what the app's store holds for it
    /// (`None`: nothing, or it could not be read). Bytes that are missing, cut short or another push's
    /// cannot be sent: the hub would count them as this sequence, or refuse them as a shared id. The
    /// push is then dropped for a push of everything, which the next export makes at the next
    /// sequence: it holds what the lost one held, and the hub takes it whether or not the lost one
    /// reached it (docs/hub-api.md: a bundle of everything is applied past a gap).
    pub fn kept_bytes(&mut self, stored: Option<String>) -> Option<String> {
        let push = self.unacked.as_ref()?;
        match stored {
            Some(text) if push.is_made_of(&text) => Some(text),
            _ => {
                self.unacked = None;
                self.full_push = true;
                None
            }
        }
    }

    /// Records waiting to reach the hub: those not exported yet and those in the unacknowledged push.
    pub fn waiting(&self, not_exported: usize) -> usize {
        not_exported + self.unacked.as_ref().map_or(0, |p| p.records)
    }

    /// Takes the hub's answer to the unacknowledged push (or the lack of one). `Ok` when the push is
    /// settled (applied, a repeat, or dropped for a push of everything after a gap), so that the next
    /// step can follow at once; `Err` with the problem otherwise. A push that got no answer is kept to
    /// be sent again as it is; a problem that stops syncing is kept in [`HubLink::stopped`].
    pub fn on_push(&mut self, answer: Result<&Answer, Transport>) -> Result<Option<Pushed>, Problem> {
        let a = answer.map_err(Problem::of_transport)?;
        if a.status == 200 {
            let pushed: Pushed = serde_json::from_str(&a.body).map_err(|_| Problem::Nonsense { status: 200 })?;
            let ours = self.unacked.as_ref().map(|p| p.sequence);
            if ours.is_some_and(|s| s != pushed.sequence) {
                return Err(Problem::Nonsense { status: 200 });
            }
            self.unacked = None;
            self.full_push = false;
            return Ok(Some(pushed));
        }
        if a.status == 409 && a.refusal().is_some_and(|r| r.error == "gap") {
            // Sequence numbers went to file exports the hub never saw. A bundle of everything holds what
            // they held, and the hub takes it past the gap.
            self.unacked = None;
            self.full_push = true;
            return Ok(None);
        }
        let problem = Problem::of_answer(a);
        if problem.stops_sync() {
            if matches!(problem, Problem::Refused(_) | Problem::TooLarge) {
                // The hub will refuse these bytes every time; what they held goes in a later push of
                // everything once a person asks for it.
                self.unacked = None;
                self.full_push = true;
            }
            self.stopped = Some(problem.clone());
        }
        Err(problem)
    }

    /// Reads the hub's answer to a pull (or the lack of one).
    pub fn on_pull(&mut self, answer: Result<&Answer, Transport>) -> Result<Pulled, Problem> {
        let a = answer.map_err(Problem::of_transport)?;
        let nonsense = Problem::Nonsense { status: a.status };
        match a.status {
            200 => {
                let cursor = a.cursor.clone().filter(|c| !c.is_empty()).ok_or(nonsense)?;
                Ok(Pulled::Page { bundle: a.body.clone(), cursor, more: a.more })
            }
            204 => Ok(Pulled::InSync { cursor: a.cursor.clone().filter(|c| !c.is_empty()).ok_or(nonsense)? }),
            _ => {
                let problem = Problem::of_answer(a);
                if problem.stops_sync() {
                    self.stopped = Some(problem.clone());
                }
                Err(problem)
            }
        }
    }

    /// A pulled page was applied (or there was nothing new): the next pull goes on from `cursor`.
    pub fn pulled(&mut self, cursor: String) {
        self.cursor = Some(cursor);
    }

    /// Everything was pushed and pulled to the end.
    pub fn synced(&mut self, now_ms: u64) {
        self.last_sync_ms = Some(now_ms);
    }

    /// Leaving the hub: the records of a push it never acknowledged are counted as not exported again
    /// (in `held_back`), so that the next file export of changes carries them rather than skip them.
    /// `kept` is what the app's store holds for that push. When those bytes are lost, which records
    /// they held is unknown: every record this device edited counts as not exported again, since a
    /// change carried twice merges into the same state and one carried never is lost to the team.
    pub fn leave(self, state: &mut ExportState, kept: Option<&str>, now_ms: u64) {
        let Some(p) = self.unacked else { return };
        let read = kept.filter(|t| p.is_made_of(t)).map(|t| crate::formats::bundle::read_bundle(t.as_bytes(), now_ms));
        match read {
            Some(Ok(b)) => state.held_back.extend(b.records.iter().map(|r| r.id)),
            _ => state.last_seen = Default::default(),
        }
    }

    /// A person asked to sync ("Sync now"): a stopped sync tries again.
    pub fn resume(&mut self) {
        self.stopped = None;
    }
}

/// How long to wait before trying again after `failures` failures in a row (at least 1), in ms: an
/// exponential backoff from [`FIRST_BACKOFF_MS`] up to [`MAX_BACKOFF_MS`], with half of it random
/// (`random` is any number) so that devices that failed together do not come back together, and never
/// sooner than the hub's `Retry-After`.
pub fn backoff_ms(failures: u32, retry_after_s: Option<u64>, random: u32) -> u64 {
    let exp = failures.saturating_sub(1).min(20);
    let cap = FIRST_BACKOFF_MS.saturating_mul(1u64 << exp).min(MAX_BACKOFF_MS);
    let half = cap / 2;
    let delay = half + (u64::from(random) % (half + 1));
    delay.max(retry_after_s.unwrap_or(0).saturating_mul(1000))
}

/// How the status line looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// All is well.
    Calm,
    /// Changes wait for a network or the next sync.
    Waiting,
    /// Something went wrong.
    Trouble,
}

/// What the status line needs to know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusInput<'a> {
    /// Whether the browser has a network.
    pub online: bool,
    /// Records waiting to reach the hub ([`HubLink::waiting`]).
    pub waiting: usize,
    /// The last sync's problem, if it failed.
    pub problem: Option<&'a Problem>,
    /// Now.
    pub now_ms: u64,
}

/// The shell's status line for a device linked to a hub: "Synced 2 min ago", "3 changes waiting",
/// "Offline — 3 changes waiting", or what went wrong.
pub fn status(link: &HubLink, input: StatusInput<'_>) -> (String, Tone) {
    let waiting = match input.waiting {
        0 => None,
        1 => Some("1 change waiting".to_string()),
        n => Some(format!("{n} changes waiting")),
    };
    let with_waiting = |head: &str| match &waiting {
        Some(w) => format!("{head} — {w}"),
        None => head.to_string(),
    };
    if let Some(p) = &link.stopped {
        return (with_waiting(p.short()), Tone::Trouble);
    }
    if !input.online {
        return match &waiting {
            Some(_) => (with_waiting("Offline"), Tone::Waiting),
            None => (format!("Offline — {}", synced(link.last_sync_ms, input.now_ms).to_lowercase()), Tone::Waiting),
        };
    }
    if let Some(p) = input.problem {
        return (with_waiting(p.short()), Tone::Trouble);
    }
    match waiting {
        Some(w) => (w, Tone::Waiting),
        None => (synced(link.last_sync_ms, input.now_ms), Tone::Calm),
    }
}

/// "Synced just now", "Synced 2 min ago", "Synced 3 h ago", "Synced 2 days ago", or "Not synced yet".
pub fn synced(last_ms: Option<u64>, now_ms: u64) -> String {
    let Some(last) = last_ms else { return "Not synced yet".into() };
    let min = now_ms.saturating_sub(last) / 60_000;
    match min {
        0 => "Synced just now".into(),
        1..=59 => format!("Synced {min} min ago"),
        60..=1439 => format!("Synced {} h ago", min / 60),
        _ if min < 2880 => "Synced 1 day ago".into(),
        _ => format!("Synced {} days ago", min / 1440),
    }
}
