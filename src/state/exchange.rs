//! Export and import: what this device remembers of them, and the commands behind those screens.

use std::collections::BTreeMap;

use leptos::prelude::*;
use liaison_core::crdt::id::RecordId;
use liaison_core::exchange::pipeline;
use liaison_core::exchange::summary;
use liaison_core::exchange::{self, ExportState, ImportLog, ImportUndo, Plan, Planner};
use liaison_core::formats::bundle::{self, Problem, Scope};
use liaison_core::formats::{self, ical, ExportText, FileFormat};
use liaison_core::marking::Ceiling;
use liaison_core::storage::{Backend, DEVICES_KEY, EXPORT_KEY, IMPORTS_KEY};
use liaison_core::text::plural;

use super::AppState;
use crate::platform::{self, Exclusive, FileToRead, LocalStorageBackend, NotHeld, PickedFile};

/// The Web Lock a tab holds from taking the device's next bundle sequence until storage has it.
const SEQUENCE_LOCK: &str = "liaison/v1/export-sequence";
/// How long a tab waits for its turn at the sequence, and then for its export state to be stored.
const SEQUENCE_PATIENCE_MS: i32 = 20_000;
/// What a file export says when another tab kept the turn at numbering bundles past that patience.
const BUSY: &str = "Another Liaison tab on this device is still making a bundle (an export or a team hub push). Nothing was exported; try again in a moment.";

/// " 2 left out by the marking limit (up to restricted).", or nothing when none was.
fn left_out_by_limit(above: usize, ceiling: Ceiling) -> String {
    if above == 0 {
        return String::new();
    }
    format!(" {above} left out by the marking limit ({}).", ceiling.label().to_lowercase())
}

/// Exports and imports: what this device remembers of them, and the import in progress. Copy: every part
/// is an arena handle.
#[derive(Clone, Copy)]
pub struct Exchange {
    /// What this device remembers of its exports.
    pub export_state: RwSignal<ExportState>,
    /// The marking limit of exports, chosen on the Export screen or beside the contacts list's export,
    /// and kept for the session so that one choice holds for every export.
    pub export_ceiling: RwSignal<Ceiling>,
    /// Every bundle imported here.
    pub import_log: RwSignal<ImportLog>,
    /// The import being previewed, before the officer confirms it.
    pub import_plan: RwSignal<Option<Plan>>,
    /// How far the files being read for an import have come; `None` when none are being read.
    pub import_progress: RwSignal<Option<ImportProgress>>,
    /// Which reading of files is the current one: cancelling, or picking files again, moves it on, and
    /// a reading that is no longer current stops at its next slice.
    import_run: StoredValue<u64>,
    /// The last import, while it can still be undone.
    pub last_import: RwSignal<Option<LastImport>>,
}

impl Exchange {
    /// What start-up read of past exports and imports.
    pub(super) fn new(export_state: ExportState, import_log: ImportLog) -> Self {
        Exchange {
            export_state: RwSignal::new(export_state),
            export_ceiling: RwSignal::new(Ceiling::All),
            import_log: RwSignal::new(import_log),
            import_plan: RwSignal::new(None),
            import_progress: RwSignal::new(None),
            import_run: StoredValue::new(0),
            last_import: RwSignal::new(None),
        }
    }

    /// Starts a new reading of files, and so stops any other; returns its number.
    fn next_run(&self) -> u64 {
        self.import_run.update_value(|r| *r += 1);
        self.import_run.get_value()
    }

    fn is_current(&self, run: u64) -> bool {
        self.import_run.get_value() == run
    }
}

/// How far the reading of an import's files has come, for its progress bar.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportProgress {
    /// The file being read, from 1.
    pub file: usize,
    /// How many files there are.
    pub files: usize,
    /// Records read and checked so far.
    pub records: usize,
    /// How much of the work is done, from 0 to 1, with each file weighed by its size.
    pub done: f64,
}

/// How long one slice of planning may take before the page gets its turn. Well under the 50 ms that
/// browsers call a long task, since reading a file's bytes comes on top.
const SLICE_MS: f64 = 30.0;

/// Of one file's share of the progress bar: reading its bytes, then checking them as a bundle; planning
/// its records takes the rest.
const READ_SHARE: f64 = 0.1;
const PARSE_SHARE: f64 = 0.4;

/// The last import, kept in memory so it can be undone during this session.
#[derive(Clone, Debug)]
pub struct LastImport {
    /// What undoing needs.
    pub undo: ImportUndo,
    /// "2 bundles: 40 new, 3 updated".
    pub summary: String,
}

impl AppState {
    /// Exports everything or what has not left this device yet, as a download, leaving out records
    /// marked above `ceiling`; those stay pending (see `exchange::export`).
    pub async fn export(&self, scope: Scope, ceiling: Ceiling) -> Result<exchange::Export, String> {
        let turn = self.sequence_turn().await.map_err(|_| BUSY.to_string())?;
        let (export, state) = self.make_export(scope, ceiling)?;
        platform::download(&export.file_name, &export.text, "application/json")?;
        self.record_export(state, turn).await;
        Ok(export)
    }

    /// Like [`AppState::export`], as a smaller file: the browser compresses the bundle with gzip and
    /// the download is named `….json.gz`, which Liaison and the `liaison` tool read as they read the
    /// plain file. The returned export names the compressed file.
    pub async fn export_compressed(&self, scope: Scope, ceiling: Ceiling) -> Result<exchange::Export, String> {
        let turn = self.sequence_turn().await.map_err(|_| BUSY.to_string())?;
        let (mut export, state) = self.make_export(scope, ceiling)?;
        export.file_name.push_str(".gz");
        platform::download_gzip(&export.file_name, &export.text).await?;
        self.record_export(state, turn).await;
        Ok(export)
    }

    /// Waits for this tab's turn at numbering a bundle, then brings the export state up to what storage
    /// holds, which includes the export of every earlier holder (each stores it before letting go). A
    /// file export and a push both take the device's next sequence; two tabs that took it at once, each
    /// before hearing of the other, would give the hub two bundles under one number, and it would stop
    /// the device's sync with "two devices share this id". Without Web Locks it goes on without the
    /// turn, as before; behind a holder that keeps it past the patience given, it is `Err(Busy)` and
    /// no bundle is made, rather than one that might take the holder's number.
    pub(super) async fn sequence_turn(&self) -> Result<Option<Exclusive>, NotHeld> {
        let turn = match LocalStorageBackend.exclusive_within(SEQUENCE_LOCK, SEQUENCE_PATIENCE_MS).await {
            Ok(turn) => Some(turn),
            Err(NotHeld::NoLocks) => None,
            Err(NotHeld::Busy) => return Err(NotHeld::Busy),
        };
        if let Ok(Some(text)) = platform::backend().get(EXPORT_KEY).await {
            if let Ok(stored) = serde_json::from_str::<ExportState>(&text) {
                let merged = self.exchange.export_state.with_untracked(|ours| ours.merge(&stored));
                if self.exchange.export_state.with_untracked(|ours| *ours != merged) {
                    self.exchange.export_state.set(merged);
                }
            }
        }
        Ok(turn)
    }

    /// Keeps the export state an export led to, and gives up the turn once storage has it (or after a
    /// while: a full disk leaves it to the write-behind queue, which tries again).
    pub(super) async fn record_export(&self, state: ExportState, turn: Option<Exclusive>) {
        self.exported(state);
        self.all_stored_within(SEQUENCE_PATIENCE_MS as u64).await;
        drop(turn);
    }

    /// The bundle of an export and the export state it leads to, which is kept only once the file is
    /// offered for download.
    pub(super) fn make_export(
        &self,
        scope: Scope,
        ceiling: Ceiling,
    ) -> Result<(exchange::Export, ExportState), String> {
        let device = self.device.get_untracked().into();
        let replicas = self.replicas.get_value();
        let mut state = self.exchange.export_state.get_untracked();
        let request = exchange::ExportRequest {
            device: &device,
            replicas: &replicas,
            scope,
            bundle_id: platform::random_uuid(),
            now_ms: platform::now_ms(),
            today: self.today,
            ceiling,
        };
        let export = self
            .notebook
            .with_untracked(|nb| exchange::export(nb, &mut state, request))
            .map_err(|problems| problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))?;
        Ok((export, state))
    }

    fn exported(&self, state: ExportState) {
        self.exchange.export_state.set(state.clone());
        self.save_meta(EXPORT_KEY, state);
    }

    /// Exports contacts as vCard, meetings and follow-ups as iCalendar, or everything as three CSV files,
    /// as downloads. Returns a sentence saying what was written and what was left out.
    pub fn export_format(&self, format: FileFormat, ceiling: Ceiling, excel: bool) -> Result<String, String> {
        let date = self.today.to_string();
        let files: Vec<(String, ExportText, &str)> = self.notebook.with_untracked(|nb| match format {
            FileFormat::VCard => {
                vec![(format!("liaison-contacts-{date}.vcf"), formats::vcard::export_all(nb, ceiling), "text/vcard")]
            }
            FileFormat::ICal => vec![(
                format!("liaison-meetings-{date}.ics"),
                formats::ical::export_all(nb, ceiling, platform::now_ms()),
                "text/calendar",
            )],
            FileFormat::Csv => formats::csv::export_all(nb, ceiling, formats::csv::CsvOptions { excel })
                .into_iter()
                .map(|(name, text)| (format!("liaison-{date}-{name}"), text, "text/csv"))
                .collect(),
        });
        let (mut written, mut above, mut undated) = (0, 0, 0);
        for (name, text, mime) in &files {
            platform::download(name, &text.text, mime)?;
            written += text.written;
            above += text.above_ceiling;
            undated += text.undated;
        }
        let mut msg = format!(
            "Saved {} with {}.",
            files.iter().map(|f| f.0.as_str()).collect::<Vec<_>>().join(", "),
            plural(written, "record", "records")
        );
        msg.push_str(&left_out_by_limit(above, ceiling));
        if undated > 0 {
            msg.push_str(&format!(
                " {} without a date left out of the calendar.",
                plural(undated, "meeting", "meetings")
            ));
        }
        Ok(msg)
    }

    /// Downloads one contact as a vCard.
    pub fn export_contact_vcard(&self, id: RecordId) -> Result<(), String> {
        let Some((name, text)) = self.notebook.with_untracked(|nb| {
            let c = nb.contact(id)?;
            let slug: String = c.display_name().chars().map(|ch| if ch.is_alphanumeric() { ch } else { '-' }).collect();
            Some((format!("{}.vcf", slug.trim_matches('-')), formats::vcard::export(nb, &[c], Ceiling::All).text))
        }) else {
            return Err("this contact no longer exists".into());
        };
        platform::download(&name, &text, "text/vcard")
    }

    /// Downloads the contacts a list shows (its filters applied) as one vCard file, leaving out those
    /// marked above `ceiling` as every export does. Returns a sentence saying what was written and what
    /// was left out.
    pub fn export_contacts_vcard(
        &self,
        filter: &liaison_core::queries::ListFilter,
        ceiling: Ceiling,
    ) -> Result<String, String> {
        let export = self.notebook.with_untracked(|nb| formats::vcard::export(nb, &filter.contacts(nb), ceiling));
        let name = format!("liaison-contacts-{}.vcf", self.today);
        platform::download(&name, &export.text, "text/vcard")?;
        Ok(format!(
            "Saved {name} with {}.{}",
            plural(export.written, "contact", "contacts"),
            left_out_by_limit(export.above_ceiling, ceiling)
        ))
    }

    /// How many records have not left this device yet: what a "changes" export without a marking
    /// limit would carry now.
    pub fn changes_since_export(&self) -> usize {
        let replicas = self.replicas.get_value();
        self.exchange.export_state.with(|s| self.notebook.with(|nb| s.pending(nb, &replicas).len()))
    }

    /// Reads the picked files and plans their import, one file and one slice at a time, so that the page
    /// stays responsive and shows how far it has come (`import_progress`). Nothing changes until
    /// [`AppState::confirm_import`]; [`AppState::cancel_import`] stops the reading at its next slice.
    /// vCard and iCalendar files are read as bundles of proposals (`exchange::pipeline`), so every file
    /// goes through the same preview, apply and Undo.
    pub fn import_files(&self, files: Vec<FileToRead>) {
        if files.is_empty() {
            return;
        }
        let state = *self;
        let ex = self.exchange;
        let run = ex.next_run();
        ex.import_plan.set(None);
        let count = files.len();
        let sizes: Vec<f64> = files.iter().map(|f| f.size().max(1) as f64).collect();
        let total: f64 = sizes.iter().sum();
        let report = move |file: usize, records: usize, done_bytes: f64| {
            ex.import_progress.set(Some(ImportProgress { file, files: count, records, done: done_bytes / total }));
        };
        report(1, 0, 0.0);
        leptos::task::spawn_local(async move {
            let now = platform::now_ms();
            let mut planner = Planner::new(now);
            let mut budget = 2_000usize;
            let mut before = 0.0;
            // Files are planned in the order the preview shows them (by officer and sequence), whatever
            // order they were picked in, so that each file's counts read in that order. Their first bytes
            // say where each goes; each is then read, parsed and planned before the next is read, so one
            // file at a time is held parsed beside the plan.
            let mut ordered = Vec::with_capacity(count);
            for (file, size) in files.into_iter().zip(sizes) {
                let head = platform::read_head(&file, bundle::HEAD_BYTES).await;
                let name = file.name();
                let other_program = pipeline::detect(&name, &head).is_some();
                ordered.push((summary::FileOrder::of_head(&name, &head, other_program), file, size));
            }
            if !ex.is_current(run) {
                return;
            }
            ordered.sort_by(|a, b| a.0.cmp(&b.0));
            for (i, (_, file, size)) in ordered.into_iter().enumerate() {
                report(i + 1, planner.records_planned(), before);
                platform::yield_to_page().await;
                let picked = platform::read_file(&file, move || !ex.is_current(run)).await;
                if !ex.is_current(run) {
                    return;
                }
                report(i + 1, planner.records_planned(), before + size * READ_SHARE);
                platform::yield_to_page().await;
                if !ex.is_current(run) {
                    return;
                }
                let read = state.notebook.with_untracked(|nb| read_picked(nb, picked, now));
                planner.add(file.name(), read);
                loop {
                    let share = planner.file_progress().map_or(0.0, |(d, t)| d as f64 / t.max(1) as f64);
                    let at = before + size * (READ_SHARE + PARSE_SHARE + (1.0 - READ_SHARE - PARSE_SHARE) * share);
                    report(i + 1, planner.records_planned(), at);
                    platform::yield_to_page().await;
                    if !ex.is_current(run) {
                        return;
                    }
                    let started = platform::elapsed_ms();
                    let done = state
                        .notebook
                        .with_untracked(|nb| ex.import_log.with_untracked(|log| planner.step(nb, log, budget)));
                    if done {
                        break;
                    }
                    // Slices are sized by how long the last one took, since records differ in cost.
                    let took = (platform::elapsed_ms() - started).max(1.0);
                    budget = ((budget as f64 * SLICE_MS / took) as usize).clamp(100, 200_000);
                }
                before += size;
            }
            let plan = state.notebook.with_untracked(|nb| planner.finish(nb));
            ex.import_progress.set(None);
            ex.import_plan.set(Some(plan));
        });
    }

    /// Stops reading files, or drops the previewed import: nothing of it is applied.
    pub fn cancel_import(&self) {
        self.exchange.next_run();
        self.exchange.import_progress.set(None);
        self.exchange.import_plan.set(None);
    }

    /// Applies the previewed import in one step, bundles and vCard and iCalendar files alike.
    pub fn confirm_import(&self) {
        // Taken, not cloned: a team's plan holds every record it brings.
        let Some(plan) = self.exchange.import_plan.try_update(Option::take).flatten() else { return };
        let (mut new, mut updated, mut bundles) = (0, 0, 0);
        for p in plan.ready().filter(|p| p.repeat_of.is_none()) {
            new += p.new;
            updated += p.updated;
            bundles += 1;
        }
        let mut log = self.exchange.import_log.get_untracked();
        let mut applied = None;
        self.notebook.update(|nb| applied = Some(exchange::apply(nb, &mut log, plan, platform::now_ms())));
        let undo = match applied {
            Some(Ok(undo)) => Some(undo),
            Some(Err(e)) => {
                self.prompts.notify(format!("Nothing was imported: {e}."));
                return;
            }
            None => None,
        };
        self.exchange.import_log.set(log.clone());
        self.persist_together();
        self.save_meta(IMPORTS_KEY, log);
        let devices: Vec<_> = self.notebook.with_untracked(|nb| nb.devices().values().cloned().collect());
        self.save_meta(DEVICES_KEY, devices);
        if let Some(undo) = undo {
            let summary = format!("Imported {}: {new} new, {updated} updated.", plural(bundles, "file", "files"));
            self.exchange.last_import.set(Some(LastImport { undo, summary }));
        }
    }

    /// Undoes the last import, unless its records were edited since.
    pub fn undo_import(&self) {
        let Some(last) = self.exchange.last_import.try_update(Option::take).flatten() else { return };
        let mut log = self.exchange.import_log.get_untracked();
        let mut result = Ok(());
        self.notebook.update(|nb| result = exchange::undo(nb, &mut log, last.undo, platform::now_ms()));
        match result {
            Ok(()) => {
                self.exchange.import_log.set(log.clone());
                self.persist_replacing();
                self.save_meta(IMPORTS_KEY, log);
            }
            Err(e) => {
                self.prompts.notify(format!("The import cannot be undone: {e}."));
            }
        }
    }

    /// Gap messages for the import log, by officer.
    pub fn gaps(&self) -> Vec<String> {
        self.notebook.with(|nb| self.exchange.import_log.with(|log| log.gap_messages(nb)))
    }

    /// Per device, the sequence numbers imported.
    pub fn imported_by_device(&self) -> Vec<(String, Vec<u64>, u64)> {
        let mut by: BTreeMap<liaison_core::DeviceId, (Vec<u64>, u64)> = BTreeMap::new();
        self.exchange.import_log.with(|log| {
            for e in &log.entries {
                let entry = by.entry(e.device).or_default();
                entry.0.push(e.sequence);
                entry.1 = entry.1.max(e.imported_ms);
            }
        });
        self.notebook.with(|nb| {
            by.into_iter()
                .map(|(d, (mut seqs, last))| {
                    seqs.sort_unstable();
                    (nb.author(d), seqs, last)
                })
                .collect()
        })
    }
}

/// A picked file read as a bundle: a Liaison bundle, or a vCard, iCalendar or CSV file turned into a
/// bundle of proposals (with the browser's charsets and time zones); or why it cannot be imported.
fn read_picked(nb: &liaison_core::Notebook, picked: PickedFile, now: u64) -> Result<bundle::Bundle, Vec<Problem>> {
    let mut random = platform::random_bytes;
    let zones = ical::Zones { officer: &platform::officer_offset, named: &platform::zone_offset };
    let cx = pipeline::FileContext { charsets: platform::legacy_charsets, zones: Some(&zones) };
    match picked.bytes {
        Ok(bytes) => match pipeline::detect(&picked.name, &bytes) {
            Some(format) => Ok(pipeline::read_file(nb, format, &picked.name, &bytes, cx, now, &mut random)),
            None => bundle::read_bundle(&bytes, now),
        },
        Err(reason) => Err(vec![Problem { record: None, message: reason }]),
    }
}
