//! How import, export and re-indexing scale with their input: a markdown table per case, at four sizes,
//! with the median time and the peak memory of the process that did the work.
//!
//!   cargo run --release -p liaison-cli --example scaling [-- SIZE...]
//!
//! Every measurement runs in a fresh child process (this program again, with `--child`), so that each
//! one's peak memory (VmHWM from /proc/self/status, Linux only) is its own and no run warms the next.
//! The peak includes the generated input. A case whose previous size took longer than `SCALING_MAX_S`
//! seconds (default 40) is not run at larger sizes: a quadratic case would otherwise take the best part
//! of an hour, and the table then says so. `SCALING_CASES=ics-import,vcard-tags` runs only those.

use std::process::Command;
use std::time::{Duration, Instant};

use liaison_core::formats::{ical, vcard};

use liaison_core::marking::Ceiling;
use liaison_core::queries::search::SearchIndex;
use liaison_core::{DeviceId, Field, Kind, Notebook, RecordId, Value};

const NOW: u64 = 1_767_225_600_000;
const SIZES: [usize; 4] = [2_500, 5_000, 10_000, 20_000];

struct Case {
    name: &'static str,
    /// What the size counts, for the table's first column.
    unit: &'static str,
    /// How many of `unit` a size of `n` stands for.
    scale: usize,
}

const CASES: [Case; 6] = [
    Case { name: "ics-import", unit: "invitations (as many contacts, 2 attendees + organiser each)", scale: 1 },
    Case { name: "reindex", unit: "changed contacts (as many meetings, 2 participants each)", scale: 1 },
    Case { name: "ics-export", unit: "meetings (2 actions each)", scale: 1 },
    Case { name: "vcard-continuations", unit: "empty continuation lines", scale: 200 },
    Case { name: "vcard-phones", unit: "phones in one card, the second half preferred", scale: 10 },
    Case { name: "vcard-tags", unit: "one-letter tags in one card", scale: 400 },
];

fn random_bytes(seed: &mut u64) -> [u8; 10] {
    let mut out = [0u8; 10];
    for b in &mut out {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *b = (*seed >> 24) as u8;
    }
    out
}

fn set(nb: &mut Notebook, id: RecordId, field: Field, value: Value) {
    nb.set(id, field, value, NOW).expect("the benchmark writes fields of the right kind and shape");
}

/// `n` contacts, each with an email, and `meetings` meetings naming two of them.
fn notebook(n: usize, meetings: usize, seed: &mut u64) -> (Notebook, Vec<RecordId>, Vec<RecordId>) {
    let mut nb = Notebook::new(DeviceId::new_v7(NOW, [7; 10]));
    let mut contacts = Vec::with_capacity(n);
    for i in 0..n {
        let id = nb.create(Kind::Contact, NOW + i as u64, random_bytes(seed));
        set(&mut nb, id, Field::Name, Value::Text(format!("Contact Number{i} Berg")));
        set(&mut nb, id, Field::Emails, Value::List(vec![format!("c{i}@example.org")]));
        contacts.push(id);
    }
    let mut ms = Vec::with_capacity(meetings);
    for i in 0..meetings {
        let id = nb.create(Kind::Meeting, NOW + (n + i) as u64, random_bytes(seed));
        set(&mut nb, id, Field::Title, Value::Text(format!("Staff talks {i}")));
        set(&mut nb, id, Field::Date, Value::Text(format!("2026-{:02}-{:02}", 1 + i % 12, 1 + i % 28)));
        set(&mut nb, id, Field::Start, Value::Text("09:30".into()));
        let who = vec![contacts[i % n].to_string(), contacts[(i * 7 + 1) % n].to_string()];
        set(&mut nb, id, Field::Participants, Value::List(who));
        ms.push(id);
    }
    (nb, contacts, ms)
}

fn invitations(n: usize) -> String {
    let mut s = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Bench//EN\r\n");
    for i in 0..n {
        s.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:invite-{i}@example.org\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260310T093000\r\n\
             DTEND:20260310T103000\r\nSUMMARY:Invitation {i}\r\nORGANIZER;CN=Organiser:mailto:c{o}@example.org\r\n\
             ATTENDEE;CN=A:mailto:C{a}@EXAMPLE.ORG\r\nATTENDEE;CN=B:mailto:c{b}@example.org\r\nEND:VEVENT\r\n",
            o = (i * 3) % n,
            a = i,
            b = (i * 7 + 1) % n,
        ));
    }
    s.push_str("END:VCALENDAR\r\n");
    s
}

/// Reads and imports a one-card file into an empty notebook: the time of that alone.
fn time_vcard_import(bytes: &[u8], seed: &mut u64) -> std::time::Duration {
    let mut nb = Notebook::new(DeviceId::new_v7(NOW, [7; 10]));
    let t = Instant::now();
    let parsed = vcard::parse(bytes);
    vcard::import(&mut nb, &parsed.cards, NOW, &mut || random_bytes(seed));
    let took = t.elapsed();
    assert_eq!(parsed.cards.len(), 1);
    took
}

fn card_with(lines: impl FnOnce(&mut String)) -> Vec<u8> {
    let mut s = String::from(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:019cecd7-5160-7100-9122-334455a53d77\r\nFN:Anna Berg\r\n",
    );
    lines(&mut s);
    s.push_str("END:VCARD\r\n");
    s.into_bytes()
}

/// Runs one case at one size and returns what it measured: the time of the work alone.
fn child(case: &str, n: usize) -> Duration {
    let mut seed = 0x5EED_0000_0000_0001u64 ^ n as u64;
    match case {
        "ics-import" => {
            let (mut nb, _, _) = notebook(n, 0, &mut seed);
            let text = invitations(n);
            let t = Instant::now();
            let cal = ical::parse(text.as_bytes());
            let out = ical::import(&mut nb, &cal, NOW + 10_000_000, &mut || random_bytes(&mut seed));
            let took = t.elapsed();
            assert_eq!(out.created.len(), n);
            took
        }
        "reindex" => {
            let (mut nb, contacts, _) = notebook(n, n, &mut seed);
            let mut index = SearchIndex::build(&nb);
            for (i, c) in contacts.iter().enumerate() {
                set(&mut nb, *c, Field::Name, Value::Text(format!("Renamed Person{i} Lund")));
            }
            // What the app calls with the records an edit or an import changed.
            let t = Instant::now();
            index.update_all(&nb, contacts.iter().copied());
            let took = t.elapsed();
            assert_eq!(index, SearchIndex::build(&nb));
            took
        }
        "ics-export" => {
            let (mut nb, _, meetings) = notebook(n.max(1), n, &mut seed);
            for (i, m) in meetings.iter().enumerate() {
                for k in 0..2 {
                    let a = nb.create(Kind::Action, NOW + 1_000_000 + (2 * i + k) as u64, random_bytes(&mut seed));
                    set(&mut nb, a, Field::Meeting, Value::Text(m.to_string()));
                    set(&mut nb, a, Field::Text, Value::Text(format!("Send the minutes {i}.{k}")));
                }
            }
            let t = Instant::now();
            let out = ical::export_all(&nb, Ceiling::All, NOW);
            let took = t.elapsed();
            assert_eq!(out.written, 3 * n);
            took
        }
        "vcard-continuations" => {
            let bytes = card_with(|s| {
                // A head of 4,000 octets without its colon yet, then empty folds, then the value.
                s.push_str("NOTE;X-PAD=");
                s.push_str(&"p".repeat(4_000));
                s.push_str("\r\n");
                for _ in 0..n * 200 {
                    s.push_str(" \r\n");
                }
                s.push_str(" :the note\r\n");
            });
            let t = Instant::now();
            let parsed = vcard::parse(&bytes);
            let took = t.elapsed();
            assert_eq!(parsed.cards.len(), 1);
            took
        }
        "vcard-phones" => {
            let bytes = card_with(|s| {
                for i in 0..n * 10 {
                    let pref = if i < n * 5 { "" } else { ";TYPE=pref" };
                    s.push_str(&format!("TEL{pref}:+43 1 {i:07}\r\n"));
                }
            });
            time_vcard_import(&bytes, &mut seed)
        }
        "vcard-tags" => {
            let bytes = card_with(|s| {
                s.push_str("CATEGORIES:");
                for i in 0..n * 400 {
                    if i > 0 {
                        s.push(',');
                    }
                    s.push(char::from(b'a' + (i % 26) as u8));
                }
                s.push_str("\r\n");
            });
            time_vcard_import(&bytes, &mut seed)
        }
        other => panic!("no case {other}"),
    }
}

/// The peak resident memory of this process so far, in MiB.
fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn run(case: &str, n: usize) -> Result<(f64, Option<f64>), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new(exe).args(["--child", case, &n.to_string()]).output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("{case} {n} failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let secs: f64 = parts.next().and_then(|s| s.parse().ok()).ok_or("no time from the child")?;
    let peak = parts.next().and_then(|s| s.parse().ok());
    Ok((secs, peak))
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        let (case, n) = match (args.get(1), args.get(2).and_then(|n| n.parse().ok())) {
            (Some(c), Some(n)) => (c.as_str(), n),
            _ => return Err("usage: --child CASE N".into()),
        };
        let took = child(case, n);
        println!("{} {}", took.as_secs_f64(), peak_mib().map_or("-".into(), |p| format!("{p:.1}")));
        return Ok(());
    }
    let sizes: Vec<usize> =
        if args.is_empty() { SIZES.to_vec() } else { args.iter().filter_map(|a| a.parse().ok()).collect() };
    let max_s: f64 = std::env::var("SCALING_MAX_S").ok().and_then(|s| s.parse().ok()).unwrap_or(40.0);
    let only = std::env::var("SCALING_CASES").unwrap_or_default();
    for case in CASES.iter().filter(|c| only.is_empty() || only.split(',').any(|o| o == c.name)) {
        println!("\n### {}\n", case.name);
        println!("| size | {} | median time | time / previous | peak memory |", case.unit);
        println!("| ---: | ---: | ---: | ---: | ---: |");
        let mut previous: Option<f64> = None;
        for &n in &sizes {
            if let Some(p) = previous.filter(|p| *p > max_s) {
                println!("| {n} | {} | not run (the previous size took {p:.0} s) | | |", n * case.scale);
                previous = Some(p);
                continue;
            }
            // One run is enough for slow sizes; quick ones take the median of three.
            let first = run(case.name, n)?;
            let mut runs = vec![first];
            if first.0 < 10.0 {
                runs.push(run(case.name, n)?);
                runs.push(run(case.name, n)?);
            }
            runs.sort_by(|a, b| a.0.total_cmp(&b.0));
            let (secs, _) = runs[runs.len() / 2];
            let peak = runs.iter().filter_map(|r| r.1).fold(None, |m: Option<f64>, p| Some(m.map_or(p, |m| m.max(p))));
            let ratio = previous.map_or(String::new(), |p| format!("{:.1}×", secs / p));
            let peak = peak.map_or("-".into(), |p| format!("{p:.0} MiB"));
            println!("| {n} | {} | {} | {ratio} | {peak} |", n * case.scale, shown(secs));
            previous = Some(secs);
        }
    }
    Ok(())
}

fn shown(secs: f64) -> String {
    if secs < 1.0 {
        format!("{:.1} ms", secs * 1000.0)
    } else {
        format!("{secs:.2} s")
    }
}
