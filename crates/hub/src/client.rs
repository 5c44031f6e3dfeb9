//! The client side of the protocol, blocking, for `liaison enrol`, `push` and `pull` and for the tests:
//! one function per request, each answering with what the hub said in plain words.

use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What the hub answered, as the app's sync rules read it too.
pub use liaison_core::exchange::hub::Answer;

/// What `liaison enrol` keeps, in the token file: the hub, the team and this device's token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenFile {
    /// The hub's base URL, `http://host:port`.
    pub hub: String,
    /// The team.
    pub team: String,
    /// The device id the hub knows this token by.
    pub device: String,
    /// The officer.
    pub officer: String,
    /// `officer` or `coordinator`.
    pub role: String,
    /// The marking ceiling.
    pub max_marking: String,
    /// The secret: whoever holds it speaks for the device.
    pub token: String,
}

impl TokenFile {
    /// Reads a token file.
    pub fn read(path: &Path) -> Result<TokenFile, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read the token file: {e}"))?;
        serde_json::from_str(&text).map_err(|e| format!("the token file is not one `liaison enrol` wrote: {e}"))
    }

    /// Writes it readable by its owner only, and only if the file does not exist yet, so that an enrolment
    /// never replaces another device's token.
    pub fn write_new(&self, path: &Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => "the token file exists already; give another name".to_string(),
            _ => format!("cannot write the token file: {e}"),
        })?;
        std::io::Write::write_all(&mut f, format!("{text}\n").as_bytes())
            .map_err(|e| format!("cannot write the token file: {e}"))
    }
}

/// The most a client reads of one answer (a page is at most 1 MB, unless one record is larger).
const MAX_ANSWER: u64 = 64 * 1024 * 1024;

/// A client of one hub.
pub struct Client {
    base: String,
    agent: ureq::Agent,
}

impl Client {
    /// A client of the hub at `base` (`http://127.0.0.1:8090`).
    pub fn new(base: &str) -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .new_agent();
        Client { base: base.trim_end_matches('/').to_string(), agent }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn answer(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<Answer, String> {
        let mut resp = result.map_err(|e| format!("cannot reach the hub: {e}"))?;
        let status = resp.status().as_u16();
        let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let cursor = header("liaison-cursor");
        let more = header("liaison-more").as_deref() == Some("true");
        let retry_after = header("retry-after").and_then(|v| v.parse().ok());
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER)
            .read_to_string()
            .map_err(|e| format!("the hub's answer could not be read: {e}"))?;
        Ok(Answer { status, body, cursor, more, retry_after })
    }

    /// `POST /v1/enrol` with a code, and this device's id and label when it has them.
    pub fn enrol(&self, code: &str, device: Option<&str>, label: Option<&str>) -> Result<Answer, String> {
        let body = serde_json::json!({ "code": code, "device": device, "label": label }).to_string();
        Self::answer(self.agent.post(self.url("/v1/enrol")).content_type("application/json").send(body.as_bytes()))
    }

    /// `GET /v1/me`.
    pub fn me(&self, token: &str) -> Result<Answer, String> {
        Self::answer(self.agent.get(self.url("/v1/me")).header("authorization", format!("Bearer {token}")).call())
    }

    /// `POST /v1/teams/TEAM/push` with a bundle's bytes.
    pub fn push(&self, token: &str, team: &str, bundle: &[u8]) -> Result<Answer, String> {
        Self::answer(
            self.agent
                .post(self.url(&format!("/v1/teams/{team}/push")))
                .header("authorization", format!("Bearer {token}"))
                .content_type("application/json")
                .send(bundle),
        )
    }

    /// `GET /v1/teams/TEAM/pull`, from `cursor` (the start when `None`), waiting up to `wait_s` seconds
    /// for news, with at most `max` records.
    pub fn pull(
        &self,
        token: &str,
        team: &str,
        cursor: Option<&str>,
        wait_s: u64,
        max: Option<usize>,
    ) -> Result<Answer, String> {
        let mut req = self
            .agent
            .get(self.url(&format!("/v1/teams/{team}/pull")))
            .header("authorization", format!("Bearer {token}"))
            .query("wait", wait_s.to_string());
        if let Some(c) = cursor {
            req = req.query("cursor", c);
        }
        if let Some(m) = max {
            req = req.query("max", m.to_string());
        }
        Self::answer(req.call())
    }

    /// `GET /healthz`.
    pub fn health(&self) -> Result<Answer, String> {
        Self::answer(self.agent.get(self.url("/healthz")).call())
    }

    /// Every page from `cursor` on, until the hub says there is no more: the bundles and the cursor to
    /// go on from next time.
    pub fn pull_all(&self, token: &str, team: &str, cursor: Option<&str>) -> Result<(Vec<String>, String), String> {
        let mut pages = Vec::new();
        let mut cursor = cursor.map(str::to_string);
        loop {
            let a = self.pull(token, team, cursor.as_deref(), 0, None)?;
            if a.status != 200 && a.status != 204 {
                return Err(a.message());
            }
            let next = a.cursor.clone().ok_or("the hub's answer carries no cursor")?;
            if a.status == 200 {
                pages.push(a.body);
            }
            cursor = Some(next);
            if !a.more {
                break;
            }
        }
        Ok((pages, cursor.unwrap_or_default()))
    }
}
