//! The baselines of the team merge benchmark (docs/bench-team.md): reads bundle files one after another,
//! either as a bare `serde_json::Value` parse of their bytes or through Liaison's reader (read and
//! validate), and prints the time taken. Run it under `/usr/bin/time -v` for the peak memory.
//!
//!     cargo run --release -p liaison-cli --example bench_read -- value /tmp/team/v3/*.json
//!     cargo run --release -p liaison-cli --example bench_read -- read /tmp/team/v3/*.json

use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_default();
    let paths: Vec<String> = args.collect();
    let now = liaison_cli::files::now_ms();
    let started = Instant::now();
    let (mut bytes, mut records) = (0usize, 0usize);
    for p in &paths {
        let data = match std::fs::read(p) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("cannot read {p}: {e}");
                return ExitCode::FAILURE;
            }
        };
        bytes += data.len();
        match mode.as_str() {
            "value" => match serde_json::from_slice::<serde_json::Value>(&data) {
                Ok(v) => records += v.get("records").and_then(|r| r.as_array()).map_or(0, Vec::len),
                Err(e) => {
                    eprintln!("{p}: {e}");
                    return ExitCode::FAILURE;
                }
            },
            "read" => match liaison_core::formats::bundle::read_bundle(&data, now) {
                Ok(b) => records += b.records.len(),
                Err(p) => {
                    eprintln!("{p:?}");
                    return ExitCode::FAILURE;
                }
            },
            _ => {
                eprintln!("usage: bench_read value|read FILE...");
                return ExitCode::FAILURE;
            }
        }
    }
    println!(
        "{mode}: {} files, {bytes} bytes, {records} records in {:.3} s",
        paths.len(),
        started.elapsed().as_secs_f64()
    );
    ExitCode::SUCCESS
}
