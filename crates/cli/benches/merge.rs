//! The coordinator's merge, measured stage by stage on realistic data.
//!
//!     cargo bench -p liaison-cli --bench merge
//!
//! Data: `liaison_testkit::bundles` with its defaults (20 officers' bundles of 5,000 records each, the
//! same generator as `examples/bench_bundles.rs`), made in memory once before measuring.
//! Stages, each over all 20 bundles:
//! - `read_validate`: `bundle::read_bundle` of every bundle's bytes (parse and full validation);
//! - `merge`: joining the validated bundles with `Merger` (the CRDT join per record) and finishing;
//! - `write`: writing the merged state as a bundle (`Merged::to_bundle`);
//! - `end_to_end`: all of the above plus reading the output back, as `liaison merge` does (no disk I/O).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode};
use liaison_cli::files::now_ms;
use liaison_cli::merge::{merge_device, Merger, DEFAULT_LABEL, DEFAULT_OFFICER};
use liaison_core::formats::bundle::{read_bundle, Bundle, Layout};
use liaison_testkit::bundles::{generate, Spec};

fn read_all(texts: &[(String, String)], now: u64) -> Vec<(String, Bundle)> {
    texts.iter().filter_map(|(name, text)| read_bundle(text.as_bytes(), now).ok().map(|b| (name.clone(), b))).collect()
}

fn merge_all(bundles: Vec<(String, Bundle)>) -> liaison_cli::merge::Merged {
    let mut m = Merger::new();
    for (name, b) in bundles {
        m.add(&name, b);
    }
    m.finish(&merge_device(DEFAULT_LABEL, DEFAULT_OFFICER))
}

fn bench(c: &mut Criterion) {
    let spec = Spec::default();
    let texts: Vec<(String, String)> = generate(&spec).into_iter().map(|g| (g.file_name, g.text)).collect();
    let now = now_ms();
    let total: usize = texts.iter().map(|(_, t)| t.len()).sum();
    let bundles = read_all(&texts, now);
    assert_eq!(bundles.len(), spec.officers, "every generated bundle is valid");
    let merged = merge_all(bundles.clone());
    let out = merged.to_bundle(Layout::Compact).expect("the benchmark's bundles are within the limits");
    eprintln!(
        "data: {} bundles of {} records, {:.1} MB in all; merged: {} records, {:.1} MB",
        texts.len(),
        spec.records,
        total as f64 / 1_048_576.0,
        merged.records.len(),
        out.len() as f64 / 1_048_576.0
    );

    let mut g = c.benchmark_group(format!("merge_{}x{}", spec.officers, spec.records));
    g.sample_size(10).sampling_mode(SamplingMode::Flat).warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(10));
    g.bench_function("read_validate", |b| b.iter(|| black_box(read_all(black_box(&texts), now))));
    g.bench_function("merge", |b| {
        b.iter_batched(|| bundles.clone(), |bs| black_box(merge_all(bs)), BatchSize::PerIteration)
    });
    g.bench_function("write", |b| b.iter(|| black_box(merged.to_bundle(Layout::Compact))));
    g.bench_function("end_to_end", |b| {
        b.iter(|| {
            let merged = merge_all(read_all(black_box(&texts), now));
            let text = merged.to_bundle(Layout::Compact).expect("within the limits");
            black_box(read_bundle(text.as_bytes(), now).is_ok());
            text.len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
