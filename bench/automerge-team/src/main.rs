//! Automerge 0.12 on the team workload (docs/bench-team.md), as Automerge users would model it: one
//! document per officer holding a map of records, each record a map of its fields (text as a string
//! value, lists as lists of strings). The other officers' documents are forks of the first officer's,
//! so they share its history, and then get the officer's own records and edits, one change per record.
//!
//!     automerge-team write DIR             # the 20 saved documents, DIR/officer-NN.automerge (untimed)
//!     automerge-team merge OUT DIR/*.automerge   # timed: load them all, merge into one, save to OUT
//!
//! The records and edits are `liaison_testkit::bundles::team`'s, from the same seed as
//! `bench_bundles --shape team`.

use std::process::ExitCode;
use std::time::Instant;

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, AutoCommit, ObjId, ObjType, ReadDoc, ROOT};
use liaison_core::crdt::record::Record;
use liaison_core::{Field, Value};
use liaison_testkit::bundles::{team, TeamEdit, TeamSpec};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn put_value(
    doc: &mut AutoCommit,
    obj: &ObjId,
    key: &str,
    v: &Value,
) -> std::result::Result<(), automerge::AutomergeError> {
    match v {
        Value::Text(s) => doc.put(obj, key, s.as_str()),
        Value::Bool(b) => doc.put(obj, key, *b),
        Value::List(items) => {
            let list = doc.put_object(obj, key, ObjType::List)?;
            for (i, s) in items.iter().enumerate() {
                doc.insert(&list, i, s.as_str())?;
            }
            Ok(())
        }
    }
}

fn commit(doc: &mut AutoCommit, at_ms: u64) {
    doc.commit_with(CommitOptions::default().with_time((at_ms / 1000) as i64));
}

fn add_record(doc: &mut AutoCommit, records: &ObjId, r: &Record) -> Result<()> {
    let obj = doc.put_object(records, r.id.to_string(), ObjType::Map)?;
    doc.put(&obj, "kind", r.kind.to_string())?;
    for key in r.fields.keys() {
        if let Some(v) = r.get(key) {
            put_value(doc, &obj, key, v)?;
        }
    }
    let at = r.stamps().map(|s| s.wall_ms).max().unwrap_or(0);
    commit(doc, at);
    Ok(())
}

fn apply_edit(doc: &mut AutoCommit, records: &ObjId, e: &TeamEdit) -> Result<()> {
    let Some((_, obj)) = doc.get(records, e.id.to_string())? else {
        return Err(format!("record {} is not in the document", e.id).into());
    };
    for (f, v) in &e.values {
        put_value(doc, &obj, Field::key(*f), v)?;
    }
    commit(doc, e.at_ms);
    Ok(())
}

fn write(dir: &str) -> Result<()> {
    let t = team(&TeamSpec::default());
    std::fs::create_dir_all(dir)?;
    let actor = |o: usize| ActorId::from(t.officers[o].id.0.as_bytes().to_vec());
    let mut first = AutoCommit::new().with_actor(actor(0));
    let records = first.put_object(ROOT, "records", ObjType::Map)?;
    commit(&mut first, liaison_testkit::BASE_MS);
    for r in &t.own[0] {
        add_record(&mut first, &records, r)?;
    }
    let mut docs = Vec::new();
    for o in 1..t.officers.len() {
        let mut doc = first.fork().with_actor(actor(o));
        for r in &t.own[o] {
            add_record(&mut doc, &records, r)?;
        }
        for e in &t.edits[o] {
            apply_edit(&mut doc, &records, e)?;
        }
        docs.push(doc);
    }
    docs.insert(0, first);
    for (o, doc) in docs.iter_mut().enumerate() {
        let bytes = doc.save();
        let path = format!("{dir}/officer-{:02}.automerge", o + 1);
        std::fs::write(&path, &bytes)?;
        println!("{:>12} bytes  {path}", bytes.len());
    }
    Ok(())
}

fn merge(out: &str, paths: &[String]) -> Result<()> {
    let started = Instant::now();
    let mut merged: Option<AutoCommit> = None;
    for p in paths {
        let bytes = std::fs::read(p)?;
        match &mut merged {
            None => merged = Some(AutoCommit::load(&bytes)?),
            // Applying a saved document's changes to the merged one is how Automerge merges saved
            // documents fastest: `load` and then `merge` builds each one's whole op set first.
            Some(m) => {
                m.load_incremental(&bytes)?;
            }
        }
    }
    let mut merged = merged.unwrap_or_default();
    let bytes = merged.save();
    std::fs::write(out, &bytes)?;
    let n = merged.get(ROOT, "records")?.map(|(_, id)| merged.length(&id)).unwrap_or(0);
    println!(
        "automerge: merged {} documents ({n} records) into {out}: {} bytes in {:.3} s",
        paths.len(),
        bytes.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("write") if args.len() == 2 => write(&args[1]),
        Some("merge") if args.len() >= 3 => merge(&args[1], &args[2..]),
        _ => {
            eprintln!("usage: automerge-team write DIR | automerge-team merge OUT FILE...");
            return ExitCode::FAILURE;
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("automerge-team: {e}");
            ExitCode::FAILURE
        }
    }
}
