//! The hub's benchmarks, outside the test suite: a real hub on 127.0.0.1 (in this process) and real
//! clients over HTTP.
//!
//!   cargo run --release -p liaison-hub --example bench_hub
//!   HUB_BENCH_POSTGRES=postgres://user@127.0.0.1:PORT/db cargo run --release -p liaison-hub --example bench_hub
//!
//! It measures push ingest (20 devices pushing at once: records a second, and each push's latency at p50
//! and p99), the first sync of a new device against the team so made, the "already in sync" check, and
//! the memory of 1,000 idle waiting pulls. Sizes: HUB_BENCH_PUSHES (per device, default 25) and
//! HUB_BENCH_RECORDS (per push, default 200), so 100,000 records by default.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use liaison_core::formats::bundle::{self, ExportInput, Scope};
use liaison_core::formats::wire::DeviceV1;
use liaison_core::marking::Ceiling;
use liaison_core::{DeviceId, Field, Kind, Notebook, Value};
use liaison_hub::client::Client;
use liaison_hub::server::{self, Config, Rate};
use liaison_hub::store::AnyStore;
use liaison_hub::sync::{self, Role};

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// One device's bundles: `pushes` bundles of `records` new contacts each, written before the clock starts.
fn bundles(n: usize, pushes: usize, records: usize) -> (DeviceV1, Vec<String>) {
    let id = DeviceId::new_v7(now_ms(), [n as u8, (n >> 8) as u8, 1, 2, 3, 4, 5, 6, 7, 8]);
    let dev = DeviceV1 { id, label: format!("bench {n}"), officer: format!("Officer {n}") };
    let mut nb = Notebook::new(id);
    let mut out = Vec::new();
    let mut k = 0u64;
    for seq in 1..=pushes {
        for _ in 0..records {
            k += 1;
            let mut random = [0u8; 10];
            random[..8].copy_from_slice(&k.to_be_bytes());
            random[8] = n as u8;
            let rid = nb.create(Kind::Contact, now_ms(), random);
            let _ = nb.set(rid, Field::Name, Value::Text(format!("Contact {n}-{k}")), now_ms());
            let _ = nb.set(rid, Field::Notes, Value::Text(format!("met at the conference, day {}", k % 7)), now_ms());
        }
        let changed = nb.take_changed();
        let mut bid = [0u8; 16];
        bid[..8].copy_from_slice(&(seq as u64).to_be_bytes());
        bid[8..].copy_from_slice(&id.0.as_bytes()[8..]);
        let text = bundle::write_bundle(ExportInput {
            bundle_id: uuid::Uuid::from_bytes(bid),
            created_ms: now_ms(),
            device: &dev,
            sequence: seq as u64,
            scope: Scope::Changes,
            devices: vec![dev.clone()],
            records: changed.iter().filter_map(|r| nb.record(*r)).collect(),
        });
        out.push(text.unwrap_or_else(|p| panic!("{p:?}")));
    }
    (dev, out)
}

fn main() {
    let devices = 20;
    let pushes = env("HUB_BENCH_PUSHES", 25);
    let per_push = env("HUB_BENCH_RECORDS", 200);
    let dir = std::env::temp_dir().join(format!("liaison-hub-bench-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let (db, backend) = match std::env::var("HUB_BENCH_POSTGRES") {
        Ok(url) if !url.is_empty() => (url, "PostgreSQL"),
        _ => (dir.join("hub.sqlite").to_string_lossy().into_owned(), "SQLite"),
    };
    let store = Arc::new(AnyStore::open(&db).unwrap_or_else(|e| panic!("{e}")));
    let config = Config { rate: Rate { per_second: 1e9, burst: 1e9 }, ..Config::default() };
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let serving = store.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap_or_else(|e| panic!("{e}"));
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("{e}"));
            let _ = addr_tx.send(listener.local_addr().unwrap_or_else(|e| panic!("{e}")));
            let _ = server::serve(listener, serving, config, std::future::pending()).await;
        });
    });
    let addr = addr_rx.recv().unwrap_or_else(|e| panic!("{e}"));
    let url = format!("http://{addr}");
    let team = format!("bench{}", now_ms());

    eprintln!("writing {} bundles of {per_push} records for {devices} devices…", devices * pushes);
    let mut work = Vec::new();
    for n in 0..devices {
        let (dev, texts) = bundles(n, pushes, per_push);
        let code = sync::invite(&*store, &team, &dev.officer, Role::Officer, Ceiling::All, 3_600_000, now_ms())
            .unwrap_or_else(|r| panic!("{}", r.message));
        let a = Client::new(&url).enrol(&code, Some(&dev.id.to_string()), Some(&dev.label)).unwrap_or_default();
        let token = a.json()["token"].as_str().unwrap_or_default().to_string();
        work.push((token, texts));
    }

    let started = Instant::now();
    let threads: Vec<_> = work
        .into_iter()
        .map(|(token, texts)| {
            let (url, team) = (url.clone(), team.clone());
            std::thread::spawn(move || {
                let c = Client::new(&url);
                let mut times = Vec::new();
                for t in texts {
                    let at = Instant::now();
                    let a = c.push(&token, &team, t.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
                    assert_eq!(a.status, 200, "{}", a.body);
                    times.push(at.elapsed());
                }
                times
            })
        })
        .collect();
    let mut times: Vec<Duration> = threads.into_iter().flat_map(|t| t.join().unwrap_or_default()).collect();
    let wall = started.elapsed();
    times.sort();
    let total = devices * pushes * per_push;

    let code = sync::invite(&*store, &team, "New device", Role::Officer, Ceiling::All, 3_600_000, now_ms())
        .unwrap_or_else(|r| panic!("{}", r.message));
    let client = Client::new(&url);
    let token =
        client.enrol(&code, None, None).unwrap_or_default().json()["token"].as_str().unwrap_or_default().to_string();
    let at = Instant::now();
    let (pages, cursor) = client.pull_all(&token, &team, None).unwrap_or_else(|e| panic!("{e}"));
    let downloaded = at.elapsed();
    let mut received = 0;
    let mut nb = Notebook::new(DeviceId::new_v7(now_ms(), [9; 10]));
    for p in &pages {
        let b = bundle::read_bundle(p.as_bytes(), now_ms()).unwrap_or_else(|e| panic!("{e:?}"));
        received += b.records.len();
        for r in &b.records {
            let _ = nb.merge_record(r, now_ms());
        }
    }
    let first_sync = at.elapsed();
    assert_eq!(received, total);

    let mut in_sync = Vec::new();
    for _ in 0..50 {
        let at = Instant::now();
        let a = client.pull(&token, &team, Some(&cursor), 0, None).unwrap_or_default();
        assert_eq!(a.status, 204);
        in_sync.push(at.elapsed());
    }
    in_sync.sort();

    // 1,000 waiting pulls, each on its own connection, written by hand and never read.
    let before = rss_kb();
    let mut idle = Vec::new();
    for _ in 0..1000 {
        let mut s = std::net::TcpStream::connect(addr).unwrap_or_else(|e| panic!("{e}"));
        let req = format!(
            "GET /v1/teams/{team}/pull?cursor={cursor}&wait=60 HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\r\n"
        );
        s.write_all(req.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        idle.push(s);
    }
    std::thread::sleep(Duration::from_secs(3));
    let after = rss_kb();

    println!("hub benchmark, {backend}, {devices} devices pushing at once, {pushes} pushes of {per_push} records each");
    println!();
    println!("| measure | value |");
    println!("| --- | --- |");
    println!(
        "| push ingest | {:.0} records/s ({total} records in {:.2} s) |",
        total as f64 / wall.as_secs_f64(),
        wall.as_secs_f64()
    );
    println!("| push latency p50 ({per_push} records) | {:.1} ms |", percentile(&times, 0.5).as_secs_f64() * 1e3);
    println!("| push latency p99 | {:.1} ms |", percentile(&times, 0.99).as_secs_f64() * 1e3);
    println!(
        "| first sync of a new device ({total} records, {} pages, merged into a notebook) | {:.2} s |",
        pages.len(),
        first_sync.as_secs_f64()
    );
    println!(
        "| of which the pages' download (the hub's work and HTTP) / reading and merging them | {:.2} s / {:.2} s |",
        downloaded.as_secs_f64(),
        (first_sync - downloaded).as_secs_f64()
    );
    println!("| already in sync: round trips | 1 (204) |");
    println!(
        "| already in sync: latency p50 / p99 | {:.2} ms / {:.2} ms |",
        percentile(&in_sync, 0.5).as_secs_f64() * 1e3,
        percentile(&in_sync, 0.99).as_secs_f64() * 1e3
    );
    println!(
        "| memory of 1,000 idle waiting pulls | {} KB ({:.1} KB each) |",
        after.saturating_sub(before),
        after.saturating_sub(before) as f64 / 1000.0
    );
    drop(idle);
    let _ = std::fs::remove_dir_all(&dir);
    std::process::exit(0);
}
