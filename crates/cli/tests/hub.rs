//! `liaison hub serve` as a process on 127.0.0.1: the CLI's own hub commands end to end, and the seeded
//! simulation of five officers syncing through a hub that is killed with SIGKILL in the middle of
//! pushes and restarted.
//!
//! The simulation runs `HUB_SIM_RUNS` seeds (5 unless told; 100 for the full run), or the one seed in
//! `HUB_SIM_SEED`. A failing run names its seed.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

use liaison_core::crdt::clock::Stamp;
use liaison_core::formats::bundle::{self, ExportInput, Scope};
use liaison_core::formats::wire::{encode_record, DeviceV1};
use liaison_core::marking::Ceiling;
use liaison_core::{DeviceId, Field, Kind, Notebook, RecordId, Value};
use liaison_hub::client::Client;
use liaison_hub::store::SqliteStore;
use liaison_hub::sync::{self, Role};
use liaison_testkit::XorShift;

const BIN: &str = env!("CARGO_BIN_EXE_liaison");
const TEAM: &str = "sim";

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

static DIRS: AtomicU64 = AtomicU64::new(0);

struct TempDir(PathBuf);

impl TempDir {
    fn new(what: &str) -> TempDir {
        let n = DIRS.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("liaison-cli-hub-{what}-{}-{n}-{}", std::process::id(), now_ms()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A `liaison hub serve` process on a free port.
struct Served {
    child: Child,
    url: String,
}

fn serve(db: &Path, extra: &[&str]) -> Served {
    let mut child = Command::new(BIN)
        .args(["hub", "serve", "--listen", "127.0.0.1:0", "--db"])
        .arg(db)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {BIN}: {e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap_or_else(|e| panic!("{e}"));
    let url = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("serve said {line:?}")).to_string();
    Served { child, url }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn liaison(args: &[&str]) -> (i32, String) {
    let out = Command::new(BIN).args(args).output().unwrap_or_else(|e| panic!("{e}"));
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn the_cli_invites_enrols_pushes_pulls_and_revokes_through_a_served_hub() {
    let dir = TempDir::new("cli");
    let db = dir.0.join("hub.sqlite");
    let dbs = db.to_string_lossy().into_owned();
    let (code, out) =
        liaison(&["hub", "invite", "--db", &dbs, "--team", "north", "--officer", "Cai Nor", "--role", "coordinator"]);
    assert_eq!(code, 0, "{out}");
    let invite = out.lines().next().unwrap_or_default().to_string();
    let mut hub = serve(&db, &[]);
    let token = dir.0.join("hub.token");
    let tokens = token.to_string_lossy().into_owned();
    let (code, out) = liaison(&["enrol", "--hub", &hub.url, &invite, "--token-file", &tokens]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = liaison(&["enrol", "--hub", &hub.url, &invite, "--token-file", &format!("{tokens}.2")]);
    assert_eq!(code, 2, "a used code enrols nobody: {out}");
    assert!(out.contains("used already"), "{out}");

    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures");
    let all = fixtures.join("v3-all-one-officer.json").to_string_lossy().into_owned();
    let changes = fixtures.join("v3-changes.json").to_string_lossy().into_owned();
    let (code, out) = liaison(&["push", &all, &all, &changes, "--token-file", &tokens]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.matches(": applied").count(), 2, "{out}");
    assert_eq!(out.matches("already on the hub").count(), 1, "{out}");

    let pulled = dir.0.join("team.json");
    let pulleds = pulled.to_string_lossy().into_owned();
    let (code, out) = liaison(&["pull", "--token-file", &tokens, "-o", &pulleds]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = liaison(&["validate", &pulleds]);
    assert_eq!(code, 0, "{out}");
    // The pulled picture is the merge of what was pushed, as `liaison merge` makes it.
    let merged = dir.0.join("merged.json").to_string_lossy().into_owned();
    assert_eq!(liaison(&["merge", &all, &changes, "-o", &merged]).0, 0);
    let records = |p: &str| {
        let b =
            bundle::read_bundle(&std::fs::read(p).unwrap_or_default(), now_ms()).unwrap_or_else(|e| panic!("{e:?}"));
        b.records.iter().map(encode_record).collect::<Vec<_>>()
    };
    assert_eq!(records(&pulleds), records(&merged));

    let (_, out) = liaison(&["hub", "devices", "--db", &dbs, "--team", "north"]);
    let device = out.lines().nth(1).and_then(|l| l.split_whitespace().next()).unwrap_or_default().to_string();
    assert!(out.starts_with("1 device in team north"), "{out}");
    assert_eq!(liaison(&["hub", "revoke", "--db", &dbs, &device]).0, 0);
    let (code, out) = liaison(&["pull", "--token-file", &tokens, "-o", &pulleds]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("revoked"), "{out}");
    let backup = dir.0.join("copy.sqlite").to_string_lossy().into_owned();
    assert_eq!(liaison(&["hub", "backup", "--db", &dbs, "-o", &backup]).0, 0);
    assert_eq!(liaison(&["hub", "devices", "--db", &backup, "--team", "north"]).1.lines().count(), 2);

    // SIGTERM: a graceful stop, exit status 0.
    let pid = hub.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().map(|s| s.success()).unwrap_or(false));
    let status = hub.child.wait().unwrap_or_else(|e| panic!("{e}"));
    assert!(status.success(), "{status:?}");
}

#[test]
fn sigterm_lets_a_push_under_way_finish_and_every_log_line_is_json() {
    use std::io::{Read, Write};
    let dir = TempDir::new("term");
    let db = dir.0.join("hub.sqlite");
    let dbs = db.to_string_lossy().into_owned();
    let (code, out) =
        liaison(&["hub", "invite", "--db", &dbs, "--team", "north", "--officer", "Cai Nor", "--role", "coordinator"]);
    assert_eq!(code, 0, "{out}");
    let log = dir.0.join("serve.log");
    let mut child = Command::new(BIN)
        .args(["hub", "serve", "--listen", "127.0.0.1:0", "--db", &dbs])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap_or_else(|e| panic!("{e}")))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {BIN}: {e}"));
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap_or_else(|| panic!("no stdout")))
        .read_line(&mut line)
        .unwrap_or_else(|e| panic!("{e}"));
    let url = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("serve said {line:?}")).to_string();
    let a = Client::new(&url).enrol(out.lines().next().unwrap_or_default(), None, None).unwrap_or_default();
    let token = a.json()["token"].as_str().unwrap_or_default().to_string();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures");
    let body = std::fs::read(fixtures.join("v3-all-one-officer.json")).unwrap_or_else(|e| panic!("{e}"));

    // One connection: a first request shows the hub has taken it, then a push whose body is half sent
    // when the hub is told to stop.
    let host = url.trim_start_matches("http://");
    let mut conn = std::net::TcpStream::connect(host).unwrap_or_else(|e| panic!("{e}"));
    conn.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut first = [0u8; 12];
    conn.read_exact(&mut first).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(&first, b"HTTP/1.1 200");
    let mut rest = vec![0u8; 4096];
    let _ = conn.read(&mut rest);
    let head = format!(
        "POST /v1/teams/north/push HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let (sent, unsent) = body.split_at(body.len() / 2);
    conn.write_all(sent).unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(std::time::Duration::from_millis(300));
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().map(|s| s.success()).unwrap_or(false));
    std::thread::sleep(std::time::Duration::from_millis(300));
    conn.write_all(unsent).unwrap_or_else(|e| panic!("{e}"));
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap_or_else(|e| panic!("{e}"));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"applied\""), "{answer}");
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    assert!(status.success(), "{status:?}");

    let text = std::fs::read_to_string(&log).unwrap_or_else(|e| panic!("{e}"));
    let lines: Vec<serde_json::Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("a log line that is not JSON ({e}): {l}")))
        .collect();
    let at = |message: &str| {
        lines
            .iter()
            .position(|l| l["fields"]["message"] == message)
            .unwrap_or_else(|| panic!("no {message:?} in {text}"))
    };
    // The push was logged after the stop began, and the hub stopped only after it.
    assert!(at("stopping: finishing the requests under way") < at("push"), "{text}");
    assert!(at("push") < at("hub stopped"), "{text}");
    let push = &lines[at("push")];
    assert_eq!((push["level"].as_str(), push["fields"]["status"].as_str()), (Some("INFO"), Some("applied")));
}

/// One officer's device in the simulation: a notebook, its export sequence, bundles exported but not yet
/// taken by the hub (kept to resend, as the app must), its pull cursor, and every edit it made.
struct Device {
    nb: Notebook,
    profile: DeviceV1,
    token: String,
    seq: u64,
    unsent: Vec<String>,
    cursor: Option<String>,
    online: bool,
    edits: Vec<(RecordId, String, Stamp)>,
}

impl Device {
    fn export(&mut self, rng: &mut XorShift) {
        let changed = self.nb.take_changed();
        if changed.is_empty() {
            return;
        }
        self.seq += 1;
        let text = bundle::write_bundle(ExportInput {
            bundle_id: uuid::Uuid::from_bytes(rng.bytes16()),
            created_ms: now_ms(),
            device: &self.profile,
            sequence: self.seq,
            scope: Scope::Changes,
            devices: vec![self.profile.clone()],
            records: changed.iter().filter_map(|id| self.nb.record(*id)).collect(),
        });
        self.unsent.push(text.unwrap_or_else(|p| panic!("{p:?}")));
    }

    /// Pushes what waits, in order; stops at the first that did not reach the hub.
    fn push(&mut self, client: &Client) -> Result<(), String> {
        while let Some(first) = self.unsent.first() {
            let a = client.push(&self.token, TEAM, first.as_bytes())?;
            if a.status != 200 {
                return Err(format!("push refused: {} {}", a.status, a.body));
            }
            self.unsent.remove(0);
        }
        Ok(())
    }

    fn pull(&mut self, client: &Client) -> Result<(), String> {
        loop {
            let a = client.pull(&self.token, TEAM, self.cursor.as_deref(), 0, Some(7))?;
            if a.status == 200 {
                let b = bundle::read_bundle(a.body.as_bytes(), now_ms()).map_err(|p| format!("{p:?}"))?;
                for r in &b.records {
                    self.nb.merge_record(r, now_ms()).map_err(|e| e.to_string())?;
                }
            } else if a.status != 204 {
                return Err(format!("pull refused: {} {}", a.status, a.body));
            }
            self.cursor = a.cursor.clone();
            if !a.more {
                return Ok(());
            }
        }
    }

    fn edit(&mut self, rng: &mut XorShift, n: usize) {
        let ids: Vec<RecordId> = self.nb.records().map(|r| r.id).collect();
        let (id, field) = if ids.is_empty() || rng.chance(30) {
            let kind = if rng.chance(50) { Kind::Contact } else { Kind::Meeting };
            let id = self.nb.create(kind, now_ms(), rng.bytes10());
            (id, if kind == Kind::Contact { Field::Name } else { Field::Title })
        } else {
            let id = ids[rng.below(ids.len())];
            let kind = self.nb.record(id).map(|r| r.kind).unwrap_or(Kind::Contact);
            let fields: &[Field] = if kind == Kind::Contact {
                &[Field::Name, Field::Notes, Field::Nation]
            } else {
                &[Field::Title, Field::Notes, Field::Location]
            };
            (id, fields[rng.below(fields.len())])
        };
        let value = format!("{} edit {n}", self.profile.officer);
        if self.nb.set(id, field, Value::Text(value), now_ms()).is_ok() {
            let stamp = self.nb.record(id).and_then(|r| r.fields.get(field.key())).and_then(|reg| reg.winner());
            if let Some(e) = stamp {
                self.edits.push((id, field.key().to_string(), e.stamp));
            }
        }
    }
}

fn simulate(seed: u64) -> Result<(), String> {
    let mut rng = XorShift::new(seed);
    let dir = TempDir::new("sim");
    let db = dir.0.join("hub.sqlite");
    // High limits: the simulation is about crashes, not about the rate limit.
    let limits = ["--rate", "100000", "--burst", "100000"];
    let mut hub = serve(&db, &limits);
    let mut devices: Vec<Device> = Vec::new();
    for i in 0..5u8 {
        let name = format!("Officer {i}");
        let id = DeviceId::new_v7(now_ms(), rng.bytes10());
        let store = SqliteStore::open(&db).map_err(|e| e.to_string())?;
        let code = sync::invite(&store, TEAM, &name, Role::Officer, Ceiling::All, 3_600_000, now_ms())
            .map_err(|r| r.message)?;
        let a = Client::new(&hub.url).enrol(&code, Some(&id.to_string()), Some("sim"))?;
        let token = a.json()["token"].as_str().ok_or(format!("not enrolled: {}", a.body))?.to_string();
        devices.push(Device {
            nb: Notebook::new(id),
            profile: DeviceV1 { id, label: format!("device {i}"), officer: name },
            token,
            seq: 0,
            unsent: Vec::new(),
            cursor: None,
            online: true,
            edits: Vec::new(),
        });
    }
    let mut kills = 0;
    for step in 0..120 {
        let d = rng.below(devices.len());
        let roll = rng.below(100);
        if roll < 10 {
            devices[d].online = !devices[d].online;
        } else if roll < 65 {
            devices[d].edit(&mut rng, step);
        } else if roll < 92 {
            if devices[d].online {
                devices[d].export(&mut rng);
                let client = Client::new(&hub.url);
                // Unreachable now and then is expected right after a kill; what waits is resent later.
                let _ = devices[d].push(&client).and_then(|_| devices[d].pull(&client));
            }
        } else {
            // SIGKILL while this device pushes everything it holds, then a restart on the same file.
            devices[d].export(&mut rng);
            let (url, token, unsent) = (hub.url.clone(), devices[d].token.clone(), devices[d].unsent.clone());
            let pusher = std::thread::spawn(move || {
                let client = Client::new(&url);
                let mut taken = 0;
                for b in &unsent {
                    match client.push(&token, TEAM, b.as_bytes()) {
                        Ok(a) if a.status == 200 => taken += 1,
                        _ => break,
                    }
                }
                taken
            });
            std::thread::sleep(std::time::Duration::from_millis(rng.below(8) as u64));
            let _ = hub.child.kill();
            let _ = hub.child.wait();
            let taken = pusher.join().map_err(|_| "the pushing thread panicked".to_string())?;
            let taken = taken.min(devices[d].unsent.len());
            devices[d].unsent.drain(..taken);
            kills += 1;
            hub = serve(&db, &limits);
        }
    }
    // Everyone back online: two rounds of push and pull bring every device up to date.
    let client = Client::new(&hub.url);
    for _ in 0..2 {
        for dev in devices.iter_mut() {
            dev.online = true;
            dev.export(&mut rng);
            dev.push(&client)?;
        }
        for dev in devices.iter_mut() {
            dev.pull(&client)?;
        }
    }
    // The hub's picture, as a new device of the team gets it.
    let store = SqliteStore::open(&db).map_err(|e| e.to_string())?;
    let code = sync::invite(&store, TEAM, "Observer", Role::Officer, Ceiling::All, 3_600_000, now_ms())
        .map_err(|r| r.message)?;
    let token = client.enrol(&code, None, None)?.json()["token"].as_str().unwrap_or_default().to_string();
    let (pages, _) = client.pull_all(&token, TEAM, None)?;
    let mut hub_state: BTreeMap<RecordId, String> = BTreeMap::new();
    let mut hub_records = BTreeMap::new();
    for p in pages {
        for r in bundle::read_bundle(p.as_bytes(), now_ms()).map_err(|e| format!("{e:?}"))?.records {
            hub_state.insert(r.id, encode_record(&r));
            hub_records.insert(r.id, r);
        }
    }
    let mut lost = 0;
    for dev in &devices {
        for (id, field, stamp) in &dev.edits {
            let kept =
                hub_records.get(id).and_then(|r| r.fields.get(field)).is_some_and(|reg| reg.seen().covers(stamp));
            lost += usize::from(!kept);
        }
    }
    if lost > 0 {
        return Err(format!("lost = {lost} edits after {kills} kills"));
    }
    for dev in &devices {
        let mine: BTreeMap<RecordId, String> =
            dev.nb.records().map(|r| (r.id, encode_record(&r.for_export()))).collect();
        if mine != hub_state {
            let differ: BTreeSet<_> =
                mine.keys().chain(hub_state.keys()).filter(|id| mine.get(id) != hub_state.get(id)).collect();
            return Err(format!("{} ends with another state than the hub: records {differ:?}", dev.profile.officer));
        }
    }
    if hub_state.is_empty() {
        return Err("the simulation made no records".into());
    }
    Ok(())
}

#[test]
fn five_officers_converge_with_nothing_lost_through_a_hub_killed_mid_push() {
    let seeds: Vec<u64> = match std::env::var("HUB_SIM_SEED").ok().and_then(|s| s.parse().ok()) {
        Some(seed) => vec![seed],
        None => {
            let runs = std::env::var("HUB_SIM_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(5u64);
            (1..=runs).collect()
        }
    };
    for seed in seeds {
        if let Err(e) = simulate(seed) {
            panic!("simulation seed {seed} failed: {e}; repeat it with HUB_SIM_SEED={seed}");
        }
    }
}
