//! How long the import preview's summary takes beside the planning it follows, on a team's bundles
//! (`liaison_testkit::bundles`): median of several runs, in milliseconds, as a table.
//!
//!   cargo run --release -p liaison-core --example bench_preview -- [officers] [records] [runs]

use std::time::Instant;

use liaison_core::exchange::{self, summary, ImportLog};
use liaison_core::formats::bundle::read_bundle;
use liaison_core::{DeviceId, Notebook};
use liaison_testkit::bundles::{generate, Spec};

const NOW: u64 = 1_790_000_000_000;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let (officers, records, runs) = (
        args.first().copied().unwrap_or(10),
        args.get(1).copied().unwrap_or(10_000),
        args.get(2).copied().unwrap_or(5),
    );
    let spec = Spec { officers, records, edit_percent: 30, seed: 11 };
    let texts: Vec<(String, String)> = generate(&spec).into_iter().map(|g| (g.file_name, g.text)).collect();
    let nb = Notebook::new(DeviceId::new_v7(NOW - 60_000, [0x42; 10]));
    let log = ImportLog::default();
    let (mut planning, mut summarizing, mut ordering) = (Vec::new(), Vec::new(), Vec::new());
    let mut changed = 0;
    for _ in 0..runs.max(1) {
        let files = texts.iter().map(|(n, t)| (n.clone(), read_bundle(t.as_bytes(), NOW))).collect();
        let started = Instant::now();
        let plan = exchange::plan(&nb, &log, files, NOW);
        planning.push(started.elapsed().as_secs_f64() * 1e3);
        let started = Instant::now();
        let s = summary::summarize(&nb, &log, &plan);
        summarizing.push(started.elapsed().as_secs_f64() * 1e3);
        let started = Instant::now();
        std::hint::black_box(summary::files_in_order(&plan));
        ordering.push(started.elapsed().as_secs_f64() * 1e3);
        changed = s.changed;
    }
    println!("{officers} bundles, {records} records each, {changed} records to add or change; median of {runs} runs");
    println!("| step | median ms |");
    println!("| --- | ---: |");
    println!("| plan (baseline) | {:.1} |", median(planning));
    println!("| summarize | {:.1} |", median(summarizing));
    println!("| files_in_order | {:.3} |", median(ordering));
}
