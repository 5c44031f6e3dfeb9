//! The hub protocol's JSON bodies (docs/hub-api.md), shared by the hub that writes them and the app and
//! CLI that read them, so that the two sides cannot drift apart.

use serde::{Deserialize, Serialize};

use crate::crdt::id::DeviceId;

/// `POST /v1/enrol`: the code as typed, and the device asking, when it has a notebook of its own.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    /// The enrolment code, as typed (the hub ignores case, dashes and spaces).
    pub code: String,
    /// The Liaison device id the device's bundles are exported by; without it the hub makes one.
    #[serde(default)]
    pub device: Option<DeviceId>,
    /// The device's label.
    #[serde(default)]
    pub label: Option<String>,
}

/// What enrolment answers (with the token), and what `GET /v1/me` answers (without it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolled {
    /// The device token: shown once, never stored by the hub.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The team.
    pub team: String,
    /// The device id its bundles must be exported by.
    pub device: String,
    /// The officer.
    pub officer: String,
    /// The device's label.
    pub label: String,
    /// `officer` or `coordinator`.
    pub role: String,
    /// The highest marking it receives (`open`, `restricted`, `confidential`, `secret` or `all`).
    pub max_marking: String,
    /// The sequence number the hub expects next from this device.
    pub next_sequence: u64,
}

/// Whether the hub applied a push, or already had it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PushStatus {
    /// Joined into the team's picture now.
    Applied,
    /// The hub had this very bundle (same device, sequence and checksum): nothing was applied again.
    Repeat,
}

impl PushStatus {
    /// The word on the wire.
    pub fn name(self) -> &'static str {
        match self {
            PushStatus::Applied => "applied",
            PushStatus::Repeat => "repeat",
        }
    }
}

/// What a push did (`200 OK`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pushed {
    /// Applied, or a repeat.
    pub status: PushStatus,
    /// The exporting device.
    pub device: String,
    /// The bundle's sequence number.
    pub sequence: u64,
    /// The sequence the hub expects next from that device.
    pub next_sequence: u64,
    /// Records the bundle carried.
    pub records: u64,
    /// Records of the team's picture it changed.
    pub changed: u64,
    /// The team position it was applied at.
    pub position: u64,
}

/// The body of every refusal: `{"error": "word", "message": "a sentence", …}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusalBody {
    /// A stable word: `unauthorized`, `revoked`, `forbidden`, `gap`, `shared-id`, `invalid-bundle`, …
    pub error: String,
    /// What happened and what to do, in plain words.
    pub message: String,
    /// For a gap: the sequence number the hub expects next from that device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<u64>,
    /// For a bundle the hub cannot take: every problem, one sentence each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// An HTTP answer as a client saw it: what the sync rules need of it, whoever did the request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body, as text.
    pub body: String,
    /// `Liaison-Cursor`, on a pull.
    pub cursor: Option<String>,
    /// `Liaison-More: true`, on a pull.
    pub more: bool,
    /// `Retry-After` in seconds, on a 429.
    pub retry_after: Option<u64>,
}

impl Answer {
    /// The refusal in the body, when it is one.
    pub fn refusal(&self) -> Option<RefusalBody> {
        serde_json::from_str(&self.body).ok()
    }

    /// The body as JSON (`null` when it is not), for callers that read one field of it.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The hub's sentence for a refusal, or the status when it gave none.
    pub fn message(&self) -> String {
        match self.json().get("message").and_then(|m| m.as_str()) {
            Some(m) => m.to_string(),
            None => format!("the hub answered {}", self.status),
        }
    }
}

/// Why a request got no answer at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// The connection failed: no network, or nothing listening at the hub's address.
    Unreachable,
    /// No answer came in time. A push may still have reached the hub, so its bytes are sent again.
    TimedOut,
}
