//! Writes realistic benchmark bundles: N officers' bundles of M records each, into a directory.
//!
//!     cargo run --release -p liaison-cli --example bench_bundles -- /tmp/liaison-bench
//!     cargo run --release -p liaison-cli --example bench_bundles -- DIR --bundles 20 --records 5000
//!
//! The data is the same as the criterion benchmark's (`liaison_testkit::bundles`): deterministic for a
//! seed. Then, for example: `liaison merge DIR/*.json -o merged.json`.
//!
//! `--shape team` writes the coordinator's team workload instead (`liaison_testkit::bundles::team`):
//! `--bundles` officers with `--records` records of their own each, plus `--shared` of the first officer's
//! records that every other officer edited, as v3 bundles in `DIR/v3/` and the same records as v1 bundles
//! in `DIR/v1/` (see docs/bench-team.md):
//!
//!     cargo run --release -p liaison-cli --example bench_bundles -- /tmp/team --shape team

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use liaison_testkit::bundles::{generate, team, team_bundles, Generated, Spec, TeamFormat, TeamSpec};

/// What the bundles hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Shape {
    /// One shared base that every officer holds and edits a part of.
    Base,
    /// Records of each officer's own, plus the first officer's shared records edited by all the others.
    Team,
}

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
    /// Generator seed (each shape has its own default)
    #[arg(long)]
    seed: Option<u64>,
    /// What the bundles hold
    #[arg(long, value_enum, default_value_t = Shape::Base)]
    shape: Shape,
    /// With `--shape team`: how many of the first officer's records every other officer edits
    #[arg(long, default_value_t = 500)]
    shared: usize,
}

fn write_all(dir: &std::path::Path, bundles: &[Generated], numbered: bool) -> Result<usize, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    let mut total = 0usize;
    for (n, g) in bundles.iter().enumerate() {
        // Bundle file names carry the device label, date and sequence; a prefix keeps them in order.
        let name = if numbered { format!("{:02}-{}", n + 1, g.file_name) } else { g.file_name.clone() };
        let path = dir.join(name);
        std::fs::write(&path, &g.text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        total += g.text.len();
        println!("{:>12} bytes  {:>6} records  {}", g.text.len(), g.records, path.display());
    }
    Ok(total)
}

fn main() -> ExitCode {
    let args = Args::parse();
    let started = std::time::Instant::now();
    let written = match args.shape {
        Shape::Base => {
            let seed = args.seed.unwrap_or(Spec::default().seed);
            let spec = Spec { officers: args.bundles, records: args.records, edit_percent: args.edit_percent, seed };
            write_all(&args.dir, &generate(&spec), true).map(|t| vec![(args.bundles, t)])
        }
        Shape::Team => {
            let seed = args.seed.unwrap_or(TeamSpec::default().seed);
            let spec = TeamSpec { officers: args.bundles, records: args.records, shared: args.shared, seed };
            let t = team(&spec);
            [(TeamFormat::V3, "v3"), (TeamFormat::V1, "v1")]
                .into_iter()
                .map(|(format, sub)| {
                    let bundles = team_bundles(&t, format, seed);
                    write_all(&args.dir.join(sub), &bundles, false).map(|total| (bundles.len(), total))
                })
                .collect()
        }
    };
    let written = match written {
        Ok(w) => w,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    for (n, total) in written {
        println!("{n} bundles, {total} bytes in all ({:.1} MB)", total as f64 / 1_048_576.0);
    }
    println!("generated in {:.1} s", started.elapsed().as_secs_f64());
    ExitCode::SUCCESS
}
