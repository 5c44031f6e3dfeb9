//! Helpers for running `liaison` as a coordinator would, on bundles made by simulated officers.
//!
//! Each officer is a core `Notebook` with a device profile; bundles are written with core's
//! `bundle::write_bundle`, into a fresh directory under the system temp dir that is removed afterwards.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use liaison_core::formats::bundle::{write_bundle, ExportInput, Scope};
use liaison_core::formats::wire::DeviceV1;
use liaison_core::{DeviceId, Field, Kind, Notebook, Record, RecordId, Value};
use uuid::Uuid;

/// 2026-01-01T00:00:00Z.
pub const T0: u64 = 1_767_225_600_000;
/// An hour in ms.
pub const HOUR: u64 = 3_600_000;

/// Runs the binary; returns (exit code, stdout, stderr).
pub fn liaison<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_liaison")).args(args).output().expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// A directory of its own under the system temp dir, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let dir = std::env::temp_dir().join(format!(
            "liaison-cli-test-{}-{name}-{}-{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes a file into the directory and returns its path.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, bytes).expect("write test file");
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One simulated officer: a notebook and a device profile.
pub struct Officer {
    pub nb: Notebook,
    pub profile: DeviceV1,
    pub sequence: u64,
}

impl Officer {
    pub fn new(n: u8, label: &str, officer: &str) -> Self {
        let id = DeviceId::new_v7(T0 - 30 * 24 * HOUR, [n; 10]);
        Officer {
            nb: Notebook::new(id),
            profile: DeviceV1 { id, label: label.into(), officer: officer.into() },
            sequence: 0,
        }
    }

    /// An officer whose device starts with a copy of another's records (they synced).
    pub fn from(n: u8, label: &str, officer: &str, other: &Officer, now: u64) -> Self {
        let mut o = Officer::new(n, label, officer);
        o.nb = Notebook::from_records(o.profile.id, other.nb.records().cloned().collect(), now);
        o.nb.learn_devices(other.nb.devices().values().cloned().chain(std::iter::once(other.profile.clone().into())));
        o
    }

    pub fn create(&mut self, kind: Kind, now: u64, seed: u8) -> RecordId {
        self.nb.create(kind, now, [seed; 10])
    }

    pub fn set(&mut self, id: RecordId, field: Field, text: &str, now: u64) {
        self.nb.set(id, field, Value::Text(text.into()), now).expect("a valid edit");
    }

    /// A bundle of everything this officer holds.
    pub fn export(&mut self, now: u64) -> String {
        self.sequence += 1;
        let mut devices: Vec<DeviceV1> = self.nb.devices().values().cloned().map(DeviceV1::from).collect();
        devices.push(self.profile.clone());
        let records: Vec<&Record> = self.nb.records().collect();
        write_bundle(ExportInput {
            bundle_id: Uuid::from_u128(u128::from(now) << 8 | u128::from(self.profile.id.0.as_bytes()[15])),
            created_ms: now,
            device: &self.profile,
            sequence: self.sequence,
            scope: Scope::All,
            devices,
            records,
        })
        .expect("a test officer's bundle is within the limits")
    }
}

/// Three officers over one meeting and one contact.
///
/// Ana creates the contact "Anna Berg" and the meeting "Staff talks" (with her as participant); Bo and
/// Chiara sync with Ana, then, without seeing each other's work, both rewrite the meeting's notes (a
/// conflict). Chiara adds a follow-up action, and Ana later changes the contact's title.
pub struct World {
    pub ana: Officer,
    pub bo: Officer,
    pub chiara: Officer,
    pub contact: RecordId,
    pub meeting: RecordId,
    pub action: RecordId,
}

impl World {
    pub fn new() -> Self {
        let mut ana = Officer::new(1, "Field laptop", "Lt Col Ana Ruiz");
        let contact = ana.create(Kind::Contact, T0, 1);
        ana.set(contact, Field::Name, "Anna Berg", T0);
        let meeting = ana.create(Kind::Meeting, T0 + 1000, 2);
        ana.set(meeting, Field::Title, "Staff talks", T0 + 1000);
        ana.set(meeting, Field::Notes, "Agenda agreed.", T0 + 1000);
        ana.nb
            .set(meeting, Field::Participants, Value::List(vec![contact.to_string()]), T0 + 1000)
            .expect("participants");
        let mut bo = Officer::from(2, "Tablet", "Maj Bo Lind", &ana, T0 + HOUR);
        let mut chiara = Officer::from(3, "Office PC", "Capt Chiara Bianchi", &ana, T0 + HOUR);
        bo.set(meeting, Field::Notes, "Notes by Bo", T0 + 2 * HOUR);
        chiara.set(meeting, Field::Notes, "Notes by Chiara", T0 + 3 * HOUR);
        let action = chiara.create(Kind::Action, T0 + 3 * HOUR, 3);
        chiara.set(action, Field::Text, "Send the draft", T0 + 3 * HOUR);
        chiara.set(action, Field::Meeting, &meeting.to_string(), T0 + 3 * HOUR);
        ana.set(contact, Field::Title, "Col", T0 + 4 * HOUR);
        World { ana, bo, chiara, contact, meeting, action }
    }

    /// Writes a.json, b.json and c.json (Ana's, Bo's, Chiara's bundles) and returns their paths.
    pub fn write(&mut self, dir: &TempDir) -> [PathBuf; 3] {
        [
            dir.write("a.json", self.ana.export(T0 + 5 * HOUR)),
            dir.write("b.json", self.bo.export(T0 + 5 * HOUR)),
            dir.write("c.json", self.chiara.export(T0 + 5 * HOUR)),
        ]
    }
}

/// A path as the binary prints it.
pub fn p(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}
