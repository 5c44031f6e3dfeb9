//! Export, import, conflicts and duplicates: the commands behind those screens.

use std::collections::BTreeMap;

use leptos::prelude::*;
use liaison_core::bundle::{self, Problem, Scope};
use liaison_core::interop::{self, Ceiling, ExportText};
use liaison_core::exchange::{self, ImportUndo};
use liaison_core::id::RecordId;
use liaison_core::model::Field;
use liaison_core::record::Value;
use liaison_core::storage::{DEVICES_KEY, EXPORT_KEY, IMPORTS_KEY, NOT_DUPLICATES_KEY};

use super::AppState;
use crate::platform::{self, PickedFile};

/// The formats besides bundles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Contacts as vCard 4.0.
    VCard,
    /// Meetings as events and follow-ups as to-dos.
    ICal,
    /// Contacts, meetings and actions as three CSV files.
    Csv,
}

/// What a vCard or iCalendar file holds, read but not yet imported.
#[derive(Clone, Debug)]
pub enum Readable {
    /// Contact cards.
    Cards(Vec<interop::vcard::Card>),
    /// Events and to-dos.
    Calendar(interop::ical::Calendar),
}

/// The preview of one vCard or iCalendar file, from a dry run on a copy of the notebook.
#[derive(Clone, Debug)]
pub struct InteropPreview {
    /// The file's name.
    pub file: String,
    /// "vCard" or "iCalendar".
    pub format: &'static str,
    /// Records it would create.
    pub created: usize,
    /// Records it would change.
    pub updated: usize,
    /// Records it matches and leaves as they are.
    pub unchanged: usize,
    /// What in the file cannot be imported or was read with a caveat, as sentences.
    pub problems: Vec<String>,
    /// What is imported on confirmation.
    pub content: Readable,
}

/// Whether the first bytes of a file hold `marker`, case ignored.
fn starts_with_marker(bytes: &[u8], marker: &[u8]) -> bool {
    let head: Vec<u8> = bytes.iter().take(64).map(u8::to_ascii_uppercase).collect();
    head.windows(marker.len()).any(|w| w == marker)
}

/// The file's extension decides; only a file without a known one is judged by its first line. A `.json`
/// file is always read as a bundle, so a bundle that is not one is refused as such, never re-read as
/// something else.
fn is_vcard(name: &str, bytes: &[u8]) -> bool {
    let name = name.to_lowercase();
    name.ends_with(".vcf") || (!name.ends_with(".json") && !name.ends_with(".ics") && starts_with_marker(bytes, b"BEGIN:VCARD"))
}

fn is_ical(name: &str, bytes: &[u8]) -> bool {
    let name = name.to_lowercase();
    name.ends_with(".ics") || (!name.ends_with(".json") && !name.ends_with(".vcf") && starts_with_marker(bytes, b"BEGIN:VCALENDAR"))
}

/// The last import, kept in memory so it can be undone during this session.
#[derive(Clone, Debug)]
pub struct LastImport {
    /// What undoing needs.
    pub undo: ImportUndo,
    /// "2 bundles: 40 new, 3 updated".
    pub summary: String,
}

impl AppState {
    /// Exports everything or the changes since the last export, as a download, leaving out records
    /// marked above `ceiling`.
    pub fn export(&self, scope: Scope, ceiling: Ceiling) -> Result<(String, usize), String> {
        let device = self.device.get_untracked();
        let replicas = self.replicas.get_value();
        let mut state = self.export_state.get_untracked();
        let request = exchange::ExportRequest {
            device: &device,
            replicas: &replicas,
            scope,
            bundle_id: platform::random_uuid(),
            now_ms: platform::now_ms(),
            today: self.today,
            ceiling,
        };
        let export = self.notebook.with_untracked(|nb| exchange::export(nb, &mut state, request));
        platform::download(&export.file_name, &export.text, "application/json")?;
        self.export_state.set(state.clone());
        self.save_meta(EXPORT_KEY, state);
        Ok((export.file_name, export.records))
    }

    /// Exports contacts as vCard, meetings and follow-ups as iCalendar, or everything as three CSV files,
    /// as downloads. Returns a sentence saying what was written and what was left out.
    pub fn export_format(&self, format: Format, ceiling: Ceiling, excel: bool) -> Result<String, String> {
        let date = self.today.to_string();
        let files: Vec<(String, ExportText, &str)> = self.notebook.with_untracked(|nb| match format {
            Format::VCard => vec![(format!("liaison-contacts-{date}.vcf"), interop::vcard::export_all(nb, ceiling), "text/vcard")],
            Format::ICal => vec![(
                format!("liaison-meetings-{date}.ics"),
                interop::ical::export_all(nb, ceiling, platform::now_ms()),
                "text/calendar",
            )],
            Format::Csv => interop::csv::export_all(nb, ceiling, interop::csv::CsvOptions { excel })
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
        let mut msg = format!("Saved {} with {written} record{}.", files.iter().map(|f| f.0.as_str()).collect::<Vec<_>>().join(", "), if written == 1 { "" } else { "s" });
        if above > 0 {
            msg.push_str(&format!(" {above} left out by the marking limit ({}).", ceiling.label().to_lowercase()));
        }
        if undated > 0 {
            msg.push_str(&format!(" {undated} meeting(s) without a date left out of the calendar."));
        }
        Ok(msg)
    }

    /// Downloads one contact as a vCard.
    pub fn export_contact_vcard(&self, id: RecordId) -> Result<(), String> {
        let Some((name, text)) = self.notebook.with_untracked(|nb| {
            let c = nb.contact(id)?;
            let slug: String = c.display_name().chars().map(|ch| if ch.is_alphanumeric() { ch } else { '-' }).collect();
            Some((format!("{}.vcf", slug.trim_matches('-')), interop::vcard::export(nb, &[c], Ceiling::All).text))
        }) else {
            return Err("this contact no longer exists".into());
        };
        platform::download(&name, &text, "text/vcard")
    }

    /// Downloads the contacts a list shows (its filters applied) as one vCard file.
    pub fn export_contacts_vcard(&self, filter: &liaison_core::query::ContactFilter) -> Result<usize, String> {
        let export = self.notebook.with_untracked(|nb| interop::vcard::export(nb, &filter.apply(nb), Ceiling::All));
        platform::download(&format!("liaison-contacts-{}.vcf", self.today), &export.text, "text/vcard")?;
        Ok(export.written)
    }

    /// How many records a "changes" export would carry now.
    pub fn changes_since_export(&self) -> usize {
        let since = self.export_state.with(|s| s.since());
        let replicas = self.replicas.get_value();
        self.notebook.with(|nb| nb.changed_here_since(&replicas, &since).len())
    }

    /// Reads the picked files and plans their import. Nothing changes until [`AppState::confirm_import`].
    pub fn plan_import(&self, files: Vec<PickedFile>) {
        let now = platform::now_ms();
        let (other, files): (Vec<PickedFile>, Vec<PickedFile>) = files
            .into_iter()
            .partition(|f| f.bytes.as_ref().is_ok_and(|b| is_vcard(&f.name, b) || is_ical(&f.name, b)));
        let previews: Vec<InteropPreview> = other.into_iter().filter_map(|f| self.preview_interop(f, now)).collect();
        self.interop_plan.set(previews);
        let read: Vec<(String, Result<bundle::Bundle, Vec<Problem>>)> = files
            .into_iter()
            .map(|f| {
                let result = match f.bytes {
                    Ok(bytes) => bundle::read_bundle(&bytes, now),
                    Err(reason) => Err(vec![Problem { record: None, message: reason }]),
                };
                (f.name, result)
            })
            .collect();
        let plan = self.notebook.with_untracked(|nb| self.import_log.with_untracked(|log| exchange::plan(nb, log, read, now)));
        self.import_plan.set(Some(plan));
    }

    /// Reads a vCard or iCalendar file and imports it into a copy of the notebook to preview it.
    fn preview_interop(&self, f: PickedFile, now: u64) -> Option<InteropPreview> {
        let bytes = f.bytes.ok()?;
        let mut copy = self.notebook.get_untracked();
        let mut random = platform::random_bytes;
        let (format, content, problems, outcome) = if is_vcard(&f.name, &bytes) {
            let parsed = interop::vcard::parse(&bytes);
            let outcome = interop::vcard::import(&mut copy, &parsed.cards, now, &mut random);
            ("vCard", Readable::Cards(parsed.cards), parsed.problems, outcome)
        } else {
            let cal = interop::ical::parse(&bytes);
            let outcome = interop::ical::import(&mut copy, &cal, now, &mut random);
            let problems = cal.problems.clone();
            ("iCalendar", Readable::Calendar(cal), problems, outcome)
        };
        let problems = problems.iter().chain(&outcome.not_imported).map(|p| p.to_string()).collect();
        Some(InteropPreview {
            file: f.name,
            format,
            created: outcome.created.len(),
            updated: outcome.updated.len(),
            unchanged: outcome.unchanged.len(),
            problems,
            content,
        })
    }

    /// Applies the previewed import in one step: bundles, then vCard and iCalendar files.
    pub fn confirm_import(&self) {
        let others = self.interop_plan.get_untracked();
        self.interop_plan.set(Vec::new());
        if !others.is_empty() {
            let now = platform::now_ms();
            let mut random = platform::random_bytes;
            self.notebook.update(|nb| {
                for p in &others {
                    match &p.content {
                        Readable::Cards(cards) => {
                            interop::vcard::import(nb, cards, now, &mut random);
                        }
                        Readable::Calendar(cal) => {
                            interop::ical::import(nb, cal, now, &mut random);
                        }
                    }
                }
            });
            self.persist();
            let (created, updated) = others.iter().fold((0, 0), |(c, u), p| (c + p.created, u + p.updated));
            self.notify(format!(
                "Imported {} file{}: {created} new, {updated} updated. Likely duplicates, if any, are listed under Duplicates.",
                others.len(),
                if others.len() == 1 { "" } else { "s" }
            ));
        }
        let Some(plan) = self.import_plan.get_untracked() else { return };
        self.import_plan.set(None);
        let (mut new, mut updated, mut bundles) = (0, 0, 0);
        for p in plan.ready().filter(|p| p.repeat_of.is_none()) {
            new += p.new;
            updated += p.updated;
            bundles += 1;
        }
        let mut log = self.import_log.get_untracked();
        let mut applied = None;
        self.notebook.update(|nb| applied = Some(exchange::apply(nb, &mut log, plan, platform::now_ms())));
        let undo = match applied {
            Some(Ok(undo)) => Some(undo),
            Some(Err(e)) => {
                self.notify(format!("Nothing was imported: {e}."));
                return;
            }
            None => None,
        };
        self.import_log.set(log.clone());
        self.persist();
        self.save_meta(IMPORTS_KEY, log);
        let devices: Vec<_> = self.notebook.with_untracked(|nb| nb.devices().values().cloned().collect());
        self.save_meta(DEVICES_KEY, devices);
        if let Some(undo) = undo {
            let summary = format!(
                "Imported {bundles} bundle{}: {new} new, {updated} updated.",
                if bundles == 1 { "" } else { "s" }
            );
            self.last_import.set(Some(LastImport { undo, summary }));
        }
    }

    /// Undoes the last import, unless its records were edited since.
    pub fn undo_import(&self) {
        let Some(last) = self.last_import.get_untracked() else { return };
        let mut log = self.import_log.get_untracked();
        let mut result = Ok(());
        self.notebook.update(|nb| result = exchange::undo(nb, &mut log, last.undo, platform::now_ms()));
        match result {
            Ok(()) => {
                self.last_import.set(None);
                self.import_log.set(log.clone());
                self.persist();
                self.save_meta(IMPORTS_KEY, log);
            }
            Err(e) => {
                self.last_import.set(None);
                self.notify(format!("The import cannot be undone: {e}."));
            }
        }
    }

    /// Resolves a field conflict with a value: a new edit that has seen every conflicting value.
    pub fn resolve(&self, id: RecordId, field: Field, value: Value) {
        self.notebook.update(|nb| {
            // A field conflict always writes: the register holds several values, so none is "unchanged".
            let _ = nb.set(id, field, value, platform::now_ms());
        });
        self.persist();
    }

    /// Settles a delete conflict by bringing the record back with every edit.
    pub fn restore_record(&self, id: RecordId) {
        self.notebook.update(|nb| {
            let _ = nb.restore(id, platform::now_ms());
        });
        self.persist();
    }

    /// Settles a delete conflict by deleting again, having seen the edits.
    pub fn keep_deleted(&self, id: RecordId) {
        self.notebook.update(|nb| {
            let _ = nb.delete(id, platform::now_ms());
        });
        self.persist();
    }

    /// Merges a duplicate contact into a survivor with the chosen values.
    pub fn merge_contacts(&self, survivor: RecordId, duplicate: RecordId, values: Vec<(Field, Value)>) {
        self.notebook.update(|nb| {
            let _ = nb.merge_contacts(survivor, duplicate, values, platform::now_ms());
        });
        self.persist();
    }

    /// Remembers that two contacts are different people.
    pub fn not_duplicates(&self, a: RecordId, b: RecordId) {
        self.not_duplicates.update(|s| {
            s.insert((a.min(b), a.max(b)));
        });
        self.save_meta(NOT_DUPLICATES_KEY, self.not_duplicates.get_untracked());
    }

    /// Gap messages for the import log, by officer.
    pub fn gaps(&self) -> Vec<String> {
        self.notebook.with(|nb| self.import_log.with(|log| log.gap_messages(nb)))
    }

    /// Per device, the sequence numbers imported.
    pub fn imported_by_device(&self) -> Vec<(String, Vec<u64>, u64)> {
        let mut by: BTreeMap<liaison_core::DeviceId, (Vec<u64>, u64)> = BTreeMap::new();
        self.import_log.with(|log| {
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
