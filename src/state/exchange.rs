//! Export, import, conflicts and duplicates: the commands behind those screens.

use std::collections::BTreeMap;

use leptos::prelude::*;
use liaison_core::bundle::{self, Problem, Scope};
use liaison_core::exchange::{self, ImportUndo};
use liaison_core::id::RecordId;
use liaison_core::model::Field;
use liaison_core::record::Value;
use liaison_core::storage::{DEVICES_KEY, EXPORT_KEY, IMPORTS_KEY, NOT_DUPLICATES_KEY};

use super::AppState;
use crate::platform::{self, PickedFile};

/// The last import, kept in memory so it can be undone during this session.
#[derive(Clone, Debug)]
pub struct LastImport {
    /// What undoing needs.
    pub undo: ImportUndo,
    /// "2 bundles: 40 new, 3 updated".
    pub summary: String,
}

impl AppState {
    /// Exports everything or the changes since the last export, as a download.
    pub fn export(&self, scope: Scope) -> Result<(String, usize), String> {
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
        };
        let export = self.notebook.with_untracked(|nb| exchange::export(nb, &mut state, request));
        platform::download(&export.file_name, &export.text, "application/json")?;
        self.export_state.set(state.clone());
        self.save_meta(EXPORT_KEY, state);
        Ok((export.file_name, export.records))
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

    /// Applies the previewed import in one step.
    pub fn confirm_import(&self) {
        let Some(plan) = self.import_plan.get_untracked() else { return };
        self.import_plan.set(None);
        let (mut new, mut updated, mut bundles) = (0, 0, 0);
        for p in plan.ready().filter(|p| p.repeat_of.is_none()) {
            new += p.new;
            updated += p.updated;
            bundles += 1;
        }
        let mut log = self.import_log.get_untracked();
        let mut undo = None;
        self.notebook.update(|nb| undo = Some(exchange::apply(nb, &mut log, plan, platform::now_ms())));
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
