//! Writes realistic benchmark bundles: N officers' bundles of M records each, into a directory.
//!
//!     cargo run --release -p liaison-cli --example bench_bundles -- /tmp/liaison-bench
//!     cargo run --release -p liaison-cli --example bench_bundles -- DIR --bundles 20 --records 5000
//!
//! The data is the same as the criterion benchmark's (`liaison_testkit::bundles`): deterministic for a
//! seed. Then, for example: `liaison merge DIR/*.json -o merged.json`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use liaison_testkit::bundles::{generate, Spec};

/// Generate benchmark bundles.
#[derive(Debug, Parser)]
struct Args {
    /// Directory to write into (made if missing)
    dir: PathBuf,
    /// How many bundles (officers)
    #[arg(long, default_value_t = 20)]
    bundles: usize,
    /// How many records each bundle holds
    #[arg(long, default_value_t = 5_000)]
    records: usize,
    /// Percentage of records each officer edits
    #[arg(long, default_value_t = 10)]
    edit_percent: u64,
    /// Generator seed
    #[arg(long, default_value_t = Spec::default().seed)]
    seed: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let spec = Spec { officers: args.bundles, records: args.records, edit_percent: args.edit_percent, seed: args.seed };
    if let Err(e) = std::fs::create_dir_all(&args.dir) {
        eprintln!("cannot make {}: {e}", args.dir.display());
        return ExitCode::FAILURE;
    }
    let started = std::time::Instant::now();
    let bundles = generate(&spec);
    let mut total = 0usize;
    for (n, g) in bundles.iter().enumerate() {
        // Bundle file names carry the device label, date and sequence; a prefix keeps them in order.
        let path = args.dir.join(format!("{:02}-{}", n + 1, g.file_name));
        if let Err(e) = std::fs::write(&path, &g.text) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        total += g.text.len();
        println!("{:>12} bytes  {:>6} records  {}", g.text.len(), g.records, path.display());
    }
    println!(
        "{} bundles, {} bytes in all ({:.1} MB), generated in {:.1} s",
        bundles.len(),
        total,
        total as f64 / 1_048_576.0,
        started.elapsed().as_secs_f64()
    );
    ExitCode::SUCCESS
}
