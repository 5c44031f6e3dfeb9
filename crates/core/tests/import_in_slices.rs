//! Planning an import a slice at a time, as the app does so that the page stays responsive, gives the
//! very plan that planning it in one go gives: the same verdicts, counts, refusals and overlay, whatever
//! the size of the slices (docs/design.md, M9 and invariant 5).

use std::path::{Path, PathBuf};

use liaison_core::exchange::{self, FileVerdict, ImportLog, Plan, Planner};
use liaison_core::formats::bundle::{read_bundle, Bundle, Problem};
use liaison_core::{DeviceId, Notebook};
use liaison_testkit::bundles::{generate, Spec};

/// The importing device's clock: after every generated and committed bundle.
const NOW: u64 = 1_790_000_000_000;

fn core_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

type Files = Vec<(String, Result<Bundle, Vec<Problem>>)>;

/// Every golden fixture and every hostile corpus bundle, as read for an import.
fn committed_files() -> Files {
    let mut out = Vec::new();
    for dir in ["tests/fixtures", "tests/corpus"] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(core_dir().join(dir))
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        for p in paths {
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            out.push((p.display().to_string(), read_bundle(&bytes, NOW)));
        }
    }
    out
}

/// A small team: officers whose bundles overlap, with edits that supersede, conflict and delete.
fn team_files() -> Files {
    let spec = Spec { officers: 4, records: 80, edit_percent: 30, seed: 11 };
    generate(&spec).into_iter().map(|g| (g.file_name, read_bundle(g.text.as_bytes(), NOW))).collect()
}

/// A notebook that already holds the first team bundle, so that later files update and conflict.
fn notebook_with_first_bundle() -> (Notebook, ImportLog) {
    let mut nb = Notebook::new(DeviceId::new_v7(NOW - 1_000, [0x42; 10]));
    let mut log = ImportLog::default();
    let first: Files = team_files().into_iter().take(1).collect();
    let plan = exchange::plan(&nb, &log, first, NOW);
    exchange::apply(&mut nb, &mut log, plan, NOW).expect("the first bundle applies");
    (nb, log)
}

/// Plans `files` with slices of `slice` record steps, adding each file only once the one before is
/// planned, as the app reads them.
fn plan_in_slices(nb: &Notebook, log: &ImportLog, files: Files, slice: usize) -> Plan {
    let mut planner = Planner::new(NOW);
    for (name, read) in files {
        planner.add(name, read);
        let mut last = None;
        while !planner.step(nb, log, slice) {
            let progress = planner.file_progress();
            assert!(progress.is_some_and(|(done, total)| done <= total), "{progress:?}");
            assert_ne!(progress, last, "a slice made no progress");
            last = progress;
        }
    }
    planner.finish(nb)
}

fn same_plan(a: &Plan, b: &Plan) {
    assert_eq!(a.files, b.files);
    // The overlay and the log entries are private: their debug text shows every record byte for byte.
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
}

#[test]
fn planning_in_slices_gives_the_plan_of_planning_at_once_for_every_committed_bundle() {
    let nb = Notebook::new(DeviceId::new_v7(NOW - 1_000, [0x42; 10]));
    let log = ImportLog::default();
    let whole = exchange::plan(&nb, &log, committed_files(), NOW);
    assert!(whole.files.iter().any(|f| matches!(f, FileVerdict::Rejected { .. })));
    assert!(whole.ready().count() > 1);
    for slice in [1, 7, 1000] {
        same_plan(&plan_in_slices(&nb, &log, committed_files(), slice), &whole);
    }
}

#[test]
fn planning_a_team_in_slices_over_records_already_here_gives_the_same_counts_and_overlay() {
    let (nb, log) = notebook_with_first_bundle();
    let whole = exchange::plan(&nb, &log, team_files(), NOW);
    let counted: usize = whole.ready().map(|p| p.updated + p.unchanged).sum();
    assert!(counted > 0, "the later bundles must meet records already here");
    assert!(whole.ready().any(|p| p.conflicts > 0), "{:?}", whole.files);
    assert!(whole.ready().next().is_some_and(|p| p.repeat_of.is_some()), "the first bundle is a repeat");
    for slice in [1, 3, 50, usize::MAX] {
        same_plan(&plan_in_slices(&nb, &log, team_files(), slice), &whole);
    }
}

#[test]
fn a_planner_counts_the_records_it_has_planned_and_finishes_with_what_was_added() {
    let nb = Notebook::new(DeviceId::new_v7(NOW - 1_000, [0x42; 10]));
    let log = ImportLog::default();
    let files = team_files();
    let total: usize = files.iter().map(|(_, r)| r.as_ref().map_or(0, |b| b.records.len())).sum();
    let mut planner = Planner::new(NOW);
    assert!(planner.step(&nb, &log, 10), "nothing added, nothing to plan");
    for (name, read) in files {
        planner.add(name, read);
    }
    assert_eq!(planner.records_planned(), 0);
    assert!(!planner.step(&nb, &log, 10));
    while !planner.step(&nb, &log, 10) {}
    assert_eq!(planner.records_planned(), total);
    assert_eq!(planner.file_progress(), None);
    let plan = planner.finish(&nb);
    assert_eq!(plan.ready().count(), 4);
}
