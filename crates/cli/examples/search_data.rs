//! Writes N contacts and N meetings as bundles of at most 5,000 records each, for the in-browser search
//! benchmark (`tests/bench/bench-search.mjs`): bundles are the fast way into the app.
//!
//!   cargo run --release -p liaison-cli --example search_data -- DIR [N=10000]

use std::path::PathBuf;

use liaison_core::formats::bundle::{write_bundle, ExportInput, Scope};
use liaison_core::formats::wire::DeviceV1;
use liaison_core::{DeviceId, Field, Kind, Notebook, Value};
use liaison_testkit::pools::{FIRST_NAMES, SURNAMES};
use liaison_testkit::{XorShift, BASE_MS};

const NATIONS: [&str; 10] = ["AUT", "CHE", "FRA", "DEU", "POL", "NOR", "ITA", "ESP", "NLD", "SWE"];
const ORGS: [&str; 4] = ["Joint Staff", "Army Command", "Embassy", "Ministry of Defence"];

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().ok_or("usage: search_data DIR [N]")?);
    let n: usize = args.next().map(|s| s.parse().map_err(|_| "N must be a number")).transpose()?.unwrap_or(10_000);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    // The native search benchmark's names, without the CJK ones.
    let first = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12].map(|i| FIRST_NAMES[i]);
    let last = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11].map(|i| SURNAMES[i]);
    let mut rng = XorShift::new(0x5EA2C4);
    let device = DeviceV1 {
        id: DeviceId::new_v7(BASE_MS, rng.bytes10()),
        label: "Bench laptop".into(),
        officer: "Lt Col Ana Ruiz".into(),
    };
    let mut nb = Notebook::new(device.id);
    let mut now = BASE_MS;
    let notes = "Discussed the exercise schedule and host-nation support. ".repeat(4);
    let mut contacts = Vec::new();
    for i in 0..n {
        now += 1_000;
        let id = nb.create(Kind::Contact, now, rng.bytes10());
        let name = format!("{} {} {i}", rng.pick(&first), rng.pick(&last));
        for (f, v) in [
            (Field::Name, Value::Text(name)),
            (Field::Organisation, Value::Text(rng.pick(&ORGS).into())),
            (Field::Nation, Value::Text(rng.pick(&NATIONS).into())),
            (Field::Emails, Value::List(vec![format!("c{i}@example.org")])),
        ] {
            nb.set(id, f, v, now).map_err(|e| e.to_string())?;
        }
        contacts.push(id);
    }
    for i in 0..n {
        now += 1_000;
        let id = nb.create(Kind::Meeting, now, rng.bytes10());
        let date = format!("2026-{:02}-{:02}", 1 + rng.below(11), 1 + rng.below(28));
        let title = format!(
            "{} with {} {i}",
            rng.pick(&["Staff talks", "Planning meeting", "Working lunch"]),
            rng.pick(&NATIONS)
        );
        let who =
            vec![contacts[rng.below(contacts.len())].to_string(), contacts[rng.below(contacts.len())].to_string()];
        for (f, v) in [
            (Field::Title, Value::Text(title)),
            (Field::Date, Value::Text(date)),
            (Field::Location, Value::Text(format!("Room {}", i % 50))),
            (Field::Participants, Value::List(who)),
            (Field::Nations, Value::List(vec![rng.pick(&NATIONS).into()])),
            (Field::Notes, Value::Text(notes.clone())),
        ] {
            nb.set(id, f, v, now).map_err(|e| e.to_string())?;
        }
    }
    let records: Vec<_> = nb.records().collect();
    for (i, chunk) in records.chunks(5_000).enumerate() {
        let text = write_bundle(ExportInput {
            bundle_id: uuid::Builder::from_random_bytes(rng.bytes16()).into_uuid(),
            created_ms: now,
            device: &device,
            sequence: i as u64 + 1,
            scope: Scope::Changes,
            devices: vec![device.clone()],
            records: chunk.to_vec(),
        })
        .map_err(|p| format!("{p:?}"))?;
        let path = dir.join(format!("search-{:02}.json", i + 1));
        std::fs::write(&path, &text).map_err(|e| e.to_string())?;
        println!("{:>10} bytes  {:>5} records  {}", text.len(), chunk.len(), path.display());
    }
    Ok(())
}
