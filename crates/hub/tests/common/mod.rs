//! What the hub's tests share: a real hub on 127.0.0.1 with its own SQLite file, and officers with real
//! notebooks that export real bundles with core's writer.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use liaison_core::formats::bundle::{self, ExportInput, Scope};
use liaison_core::formats::wire::DeviceV1;
use liaison_core::marking::Ceiling;
use liaison_core::{DeviceId, Field, Kind, Notebook, RecordId, Value};
use liaison_hub::client::{Answer, Client};
use liaison_hub::server::{self, Config};
use liaison_hub::store::AnyStore;
use liaison_hub::sync::{self, Role};

pub fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh directory under the system's temporary one, removed by its owner's `Drop`.
pub fn temp_dir(what: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("liaison-hub-{what}-{}-{n}-{}", std::process::id(), now_ms()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot make {}: {e}", dir.display()));
    dir
}

/// A hub serving on a free port of 127.0.0.1, stopped when dropped. Its database is a temporary SQLite
/// file, or, when `HUB_TEST_POSTGRES` names a PostgreSQL server (`postgres://user@127.0.0.1:PORT/postgres`),
/// a new database there, dropped afterwards.
pub struct TestHub {
    pub url: String,
    pub db: String,
    dir: PathBuf,
    postgres: Option<(String, String)>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// The database URL for a new test database on the server `admin` names, made empty.
fn new_postgres_db(admin: &str) -> (String, String) {
    let name = format!("hub_test_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
    let mut client = postgres::Client::connect(admin, postgres::NoTls).unwrap_or_else(|e| panic!("{admin}: {e}"));
    client.batch_execute(&format!("CREATE DATABASE {name}")).unwrap_or_else(|e| panic!("{e}"));
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
    (format!("{base}/{name}"), name)
}

pub fn start(config: Config) -> TestHub {
    let dir = temp_dir("server");
    let postgres = std::env::var("HUB_TEST_POSTGRES").ok().filter(|s| !s.is_empty());
    let (db, pg) = match &postgres {
        Some(admin) => {
            let (url, name) = new_postgres_db(admin);
            (url, Some((admin.clone(), name)))
        }
        None => (dir.join("hub.sqlite").to_string_lossy().into_owned(), None),
    };
    serve_on(db, dir, pg, config)
}

/// A second hub process on the same database as `first` (it owns nothing of it).
pub fn start_beside(first: &TestHub, config: Config) -> TestHub {
    serve_on(first.db.clone(), temp_dir("beside"), None, config)
}

fn serve_on(db: String, dir: PathBuf, pg: Option<(String, String)>, config: Config) -> TestHub {
    let store = Arc::new(AnyStore::open(&db).unwrap_or_else(|e| panic!("{e}")));
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build();
        let rt = rt.unwrap_or_else(|e| panic!("{e}"));
        let serving = store.clone();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("{e}"));
            let _ = addr_tx.send(listener.local_addr().unwrap_or_else(|e| panic!("{e}")));
            let stop = async move {
                let _ = stop_rx.await;
            };
            server::serve(listener, serving, config, stop).await.unwrap_or_else(|e| panic!("{e}"));
        });
        drop(rt);
        // Outside the runtime: PostgreSQL's blocking client closes its connections as it drops.
        drop(store);
    });
    let addr = addr_rx.recv().unwrap_or_else(|e| panic!("the hub did not start: {e}"));
    TestHub { url: format!("http://{addr}"), db, dir, postgres: pg, stop: Some(stop_tx), thread: Some(thread) }
}

impl Drop for TestHub {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((admin, name)) = self.postgres.take() {
            if let Ok(mut client) = postgres::Client::connect(&admin, postgres::NoTls) {
                let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

impl TestHub {
    pub fn client(&self) -> Client {
        Client::new(&self.url)
    }

    pub fn store(&self) -> AnyStore {
        AnyStore::open(&self.db).unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn invite(&self, team: &str, officer: &str, role: Role, ceiling: Ceiling) -> String {
        sync::invite(&self.store(), team, officer, role, ceiling, 3_600_000, now_ms())
            .unwrap_or_else(|r| panic!("{}", r.message))
    }

    /// Enrols `device` (or a fresh id) with a new invite, and gives its token.
    pub fn enrol(&self, team: &str, officer: &str, role: Role, ceiling: Ceiling, device: Option<DeviceId>) -> String {
        let code = self.invite(team, officer, role, ceiling);
        let id = device.map(|d| d.to_string());
        let a = self.client().enrol(&code, id.as_deref(), Some("test device")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.status, 201, "{}", a.body);
        a.json()["token"].as_str().unwrap_or_default().to_string()
    }
}

/// An officer's device: a real notebook, and the sequence of its exports.
pub struct Officer {
    pub nb: Notebook,
    pub dev: DeviceV1,
    pub seq: u64,
    pub token: String,
    next_random: u8,
}

impl Officer {
    pub fn new(n: u8, officer: &str) -> Officer {
        let id = DeviceId::new_v7(now_ms(), [n, 7, 7, 7, 7, 7, 7, 7, 7, 7]);
        Officer {
            nb: Notebook::new(id),
            dev: DeviceV1 { id, label: format!("{officer}'s laptop"), officer: officer.to_string() },
            seq: 0,
            token: String::new(),
            next_random: 0,
        }
    }

    pub fn create(&mut self, kind: Kind, fields: &[(Field, &str)]) -> RecordId {
        self.next_random = self.next_random.wrapping_add(1);
        let mut random = [self.next_random; 10];
        random[2..].copy_from_slice(&COUNTER.fetch_add(1, Ordering::SeqCst).to_be_bytes());
        let id = self.nb.create(kind, now_ms(), random);
        for (f, v) in fields {
            self.set(id, *f, v);
        }
        id
    }

    pub fn set(&mut self, id: RecordId, field: Field, value: &str) {
        let value = match field {
            Field::Participants | Field::Tags | Field::Emails => Value::List(vec![value.to_string()]),
            _ => Value::Text(value.to_string()),
        };
        self.nb.set(id, field, value, now_ms()).unwrap_or_else(|e| panic!("{e:?}"));
    }

    /// Exports what changed and pushes it with this officer's token.
    pub fn push_changes(&mut self, client: &Client, team: &str) -> Result<Answer, String> {
        let bundle = self.export(Scope::Changes);
        client.push(&self.token, team, bundle.as_bytes())
    }

    /// A bundle of what changed since the previous one (or of everything), with the next sequence.
    pub fn export(&mut self, scope: Scope) -> String {
        let changed = self.nb.take_changed();
        self.seq += 1;
        let records = match scope {
            Scope::All => self.nb.records().collect(),
            Scope::Changes => changed.iter().filter_map(|id| self.nb.record(*id)).collect(),
        };
        let mut id = [0u8; 16];
        id[..8].copy_from_slice(&self.seq.to_be_bytes());
        id[8..].copy_from_slice(&self.dev.id.0.as_bytes()[8..]);
        bundle::write_bundle(ExportInput {
            bundle_id: uuid::Uuid::from_bytes(id),
            created_ms: now_ms(),
            device: &self.dev,
            sequence: self.seq,
            scope,
            devices: vec![self.dev.clone()],
            records,
        })
        .unwrap_or_else(|p| panic!("{p:?}"))
    }
}

/// Every record id of every page, in the order received, pulling from the start with pages of at most
/// `max` records.
pub fn pull_ids(client: &Client, token: &str, team: &str, max: Option<usize>) -> (Vec<RecordId>, usize) {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let a = client.pull(token, team, cursor.as_deref(), 0, max).unwrap_or_else(|e| panic!("{e}"));
        assert!(a.status == 200 || a.status == 204, "{} {}", a.status, a.body);
        if a.status == 200 {
            pages += 1;
            ids.extend(records_of(&a).iter().map(|r| r.id));
        }
        cursor = a.cursor.clone();
        if !a.more {
            return (ids, pages);
        }
    }
}

/// The records of one page, read with core's reader.
pub fn records_of(a: &Answer) -> Vec<liaison_core::Record> {
    bundle::read_bundle(a.body.as_bytes(), now_ms())
        .unwrap_or_else(|p| panic!("a page is a valid bundle: {p:?}"))
        .records
}
