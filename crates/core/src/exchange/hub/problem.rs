//! What can go wrong between a device and its hub, told in plain words, and which of it stops syncing
//! until a person acts.

use serde::{Deserialize, Serialize};

use super::wire::{Answer, RefusalBody, Transport};

/// Something the hub refused, or a request that got no answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Problem {
    /// Nothing answered at the hub's address.
    Unreachable,
    /// The hub did not answer in time.
    TimedOut,
    /// The code typed is not one the hub made.
    UnknownCode,
    /// The code enrolled a device already.
    UsedCode,
    /// The code's time ran out.
    ExpiredCode,
    /// This device is enrolled already (and not revoked).
    AlreadyEnrolled,
    /// The hub refused this device something that belongs to another team.
    Forbidden(String),
    /// Too many requests; the hub says when to try again.
    RateLimited {
        /// Seconds to wait, when the hub said.
        after_s: Option<u64>,
    },
    /// The hub could not reach its database.
    Storage,
    /// The hub does not know this device's token.
    Unauthorized,
    /// The coordinator revoked this device.
    Revoked,
    /// Another device pushed different changes under this device's id and sequence.
    SharedId,
    /// The hub refused a bundle this device made; the hub's reasons.
    Refused(Vec<String>),
    /// The bundle was larger than the hub takes.
    TooLarge,
    /// A page the hub sent that this device cannot import; the reasons. Nothing of it was applied.
    PageRefused(Vec<String>),
    /// This device could not keep its sync state (a full disk, say).
    NotKept(String),
    /// The browser lets this page use no IndexedDB (a private window, in some browsers), so a push
    /// cannot be kept until the hub acknowledges it, and none is sent: the changes wait on the device,
    /// and pulls still come.
    NoDatabase,
    /// Another tab of this device held the turn at numbering bundles (an export or a push under way) for
    /// longer than a push waits: this one is made at the next pass, so that two bundles never share a
    /// sequence number.
    OtherTabExporting,
    /// An answer that is not what the protocol says.
    Nonsense {
        /// Its HTTP status.
        status: u16,
    },
}

impl Problem {
    /// A request that got no answer.
    pub fn of_transport(t: Transport) -> Problem {
        match t {
            Transport::Unreachable => Problem::Unreachable,
            Transport::TimedOut => Problem::TimedOut,
        }
    }

    /// The refusal an answer carries, by its status and error word; `Nonsense` for anything else.
    pub fn of_answer(a: &Answer) -> Problem {
        let body: Option<RefusalBody> = a.refusal();
        let word = body.as_ref().map(|b| b.error.as_str()).unwrap_or("");
        match (a.status, word) {
            (401, "unknown-code") => Problem::UnknownCode,
            (410, "used-code") => Problem::UsedCode,
            (410, "expired-code") => Problem::ExpiredCode,
            (409, "enrolled") => Problem::AlreadyEnrolled,
            (409, "shared-id") => Problem::SharedId,
            (401, "revoked") => Problem::Revoked,
            (401, _) => Problem::Unauthorized,
            (403, _) => Problem::Forbidden(body.map(|b| b.message).unwrap_or_default()),
            (413, _) => Problem::TooLarge,
            (422, _) => {
                let b = body.unwrap_or(RefusalBody {
                    error: String::new(),
                    message: String::new(),
                    expected: None,
                    problems: Vec::new(),
                });
                Problem::Refused(if b.problems.is_empty() { vec![b.message] } else { b.problems })
            }
            (429, _) => Problem::RateLimited { after_s: a.retry_after },
            (503, _) => Problem::Storage,
            (status, _) => Problem::Nonsense { status },
        }
    }

    /// Whether syncing stops until a person acts ("Sync now", or enrolling again): asking again
    /// would get the same answer, or (two devices sharing an id) make things worse.
    pub fn stops_sync(&self) -> bool {
        matches!(
            self,
            Problem::Unauthorized | Problem::Revoked | Problem::SharedId | Problem::Forbidden(_) | Problem::Refused(_)
        ) || matches!(self, Problem::TooLarge)
    }

    /// What the officer reads, in the shell and on the Team hub screen.
    pub fn message(&self) -> String {
        match self {
            Problem::Unreachable => "Cannot reach the team hub. Changes wait on this device and go when it answers.".into(),
            Problem::TimedOut => "The team hub did not answer in time. Liaison tries again by itself.".into(),
            Problem::UnknownCode => {
                "The team hub does not know this enrolment code. Check it against the one your coordinator sent.".into()
            }
            Problem::UsedCode => {
                "This enrolment code was used already. Each code enrols one device: ask your coordinator for a new one."
                    .into()
            }
            Problem::ExpiredCode => "This enrolment code has expired. Ask your coordinator for a new one.".into(),
            Problem::AlreadyEnrolled => {
                "This device is enrolled with the team hub already. Ask your coordinator to revoke it first if it should enrol again."
                    .into()
            }
            Problem::Forbidden(m) if !m.is_empty() => format!("The team hub refused: {m}."),
            Problem::Forbidden(_) => "The team hub refused: this belongs to another team.".into(),
            Problem::RateLimited { after_s: Some(s) } => {
                format!("The team hub is busy with this device's requests. Liaison tries again in {s} s.")
            }
            Problem::RateLimited { after_s: None } => {
                "The team hub is busy with this device's requests. Liaison tries again shortly.".into()
            }
            Problem::Storage => {
                "The team hub cannot reach its database. Nothing was lost; Liaison tries again by itself.".into()
            }
            Problem::Unauthorized => "The team hub no longer knows this device. Leave the team hub and enrol again.".into(),
            Problem::Revoked => {
                "Your coordinator revoked this device on the team hub. Your notes stay here; ask for a new code to sync again."
                    .into()
            }
            Problem::SharedId => "Another device uses this device's id (a copied profile or a restored backup), so syncing stopped. Ask your coordinator before syncing again.".into(),
            Problem::Refused(reasons) => format!("The team hub refused this device's changes: {}.", reasons.join("; ")),
            Problem::TooLarge => "The changes are larger than the team hub takes. Ask your coordinator to raise its limit.".into(),
            Problem::PageRefused(reasons) => format!(
                "The team hub sent changes this device cannot take, so none of them were applied: {}.",
                reasons.join("; ")
            ),
            Problem::NotKept(why) => format!("This device could not keep its sync state: {why}. Liaison tries again."),
            Problem::NoDatabase => "This browser window does not let Liaison use its database (private windows do this), and changes are sent to the team hub only once a copy is kept until the hub confirms it. So your changes wait on this device: nothing is lost, and changes from the team still arrive. To send yours, open Liaison in an ordinary window, or export them as a file.".into(),
            Problem::OtherTabExporting => "Another Liaison tab on this device is still making a bundle, so this one waits its turn. Liaison tries again by itself.".into(),
            Problem::Nonsense { status } => format!(
                "The team hub gave an answer Liaison does not understand (status {status}). Is this address really a Liaison hub?"
            ),
        }
    }

    /// Shorter words for the shell's status line.
    pub fn short(&self) -> &'static str {
        match self {
            Problem::Unreachable | Problem::TimedOut => "Cannot reach the team hub",
            Problem::RateLimited { .. } => "Team hub busy",
            Problem::Storage => "Team hub has a storage problem",
            Problem::Revoked => "Device revoked by the team hub",
            Problem::Unauthorized => "Team hub no longer knows this device",
            Problem::SharedId => "Sync stopped: two devices share this id",
            Problem::Forbidden(_) | Problem::Refused(_) | Problem::TooLarge => "Sync stopped: the hub refused changes",
            Problem::Nonsense { .. } => "Team hub answer not understood",
            Problem::PageRefused(_) => "Changes from the team hub could not be applied",
            Problem::NotKept(_) => "Sync state could not be saved",
            Problem::NoDatabase => "Changes cannot be sent from this window",
            Problem::OtherTabExporting => "Waiting for another tab",
            Problem::UnknownCode | Problem::UsedCode | Problem::ExpiredCode | Problem::AlreadyEnrolled => {
                "Not enrolled"
            }
        }
    }
}
