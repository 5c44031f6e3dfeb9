//! The commands that change records: typing, creating, deleting and Undo, and settling conflicts and
//! duplicates.

use leptos::prelude::*;
use liaison_core::crdt::id::RecordId;
use liaison_core::notebook::EditError;
use liaison_core::schema::{Field, Kind, Value};
use liaison_core::storage::NOT_DUPLICATES_KEY;
use liaison_core::Notebook;

use super::{AppState, ConfirmRequest, UndoAction};
use crate::platform;
use crate::text::capitalised;

impl AppState {
    /// Runs one notebook command at the present time and saves what it changed. A command the notebook
    /// refuses changes nothing; the officer is told why, and the result is `None`.
    fn edit<T>(&self, command: impl FnOnce(&mut Notebook, u64) -> Result<T, EditError>) -> Option<T> {
        let result = self.notebook.try_update(|nb| command(nb, platform::now_ms()));
        self.persist();
        match result? {
            Ok(done) => Some(done),
            Err(e) => {
                self.refused(e);
                None
            }
        }
    }

    /// Every record carries the device's label and the officer's name, so none is made before the
    /// welcome has them (the shell keeps the officer there; this holds for any other way in).
    fn refused_before_setup(&self) -> bool {
        let missing = self.needs_setup();
        if missing {
            self.prompts
                .notify("Say who uses this device first: Settings asks for your name and a device label.".to_string());
        }
        missing
    }

    fn refused(&self, e: EditError) {
        self.prompts.notify(format!("That change was not made: {e}."));
    }

    /// Creates a record.
    pub fn create(&self, kind: Kind) -> Option<RecordId> {
        if self.refused_before_setup() {
            return None;
        }
        self.edit(|nb, now| Ok(nb.create(kind, now, platform::random_bytes())))
    }

    /// Opens a draft for "New meeting" or "New contact": a meeting is dated and timed now. Nothing is
    /// stored until the officer types; leaving it untouched discards it (`discard_draft`).
    pub fn create_draft(&self, kind: Kind) -> Option<RecordId> {
        if self.refused_before_setup() {
            return None;
        }
        self.edit(|nb, now| {
            let (today, time) = platform::local_time(now);
            let defaults = liaison_core::notebook::draft_defaults(kind, today, time);
            Ok(nb.create_draft(kind, defaults, now, platform::random_bytes()))
        })
    }

    /// Forgets a draft the officer leaves untouched; a record that was typed into stays.
    pub fn discard_draft(&self, id: RecordId) {
        if self.notebook.with_untracked(|nb| nb.is_draft(id)) {
            self.notebook.update(|nb| {
                nb.discard_draft(id);
            });
        }
    }

    /// Writes one field (as the officer types).
    pub fn set(&self, id: RecordId, field: Field, value: Value) {
        let mut changed = false;
        let mut refused = None;
        let mut failed = None;
        self.notebook.maybe_update(|nb| {
            let before = nb.record(id).cloned();
            // The forms only offer fields of the record's kind with values of the right shape; what can
            // still be refused is a value too large to keep, which the field then says.
            match nb.set(id, field, value, platform::now_ms()) {
                Err(e @ EditError::TooLarge { .. }) => refused = Some(e.to_string()),
                Err(e) => failed = Some(e),
                Ok(()) => {}
            }
            changed = nb.record(id) != before.as_ref();
            changed
        });
        let had = self.field_errors.with_untracked(|m| m.contains_key(&(id, field)));
        match refused {
            Some(message) => self.field_errors.update(|m| {
                m.insert((id, field), message);
            }),
            None if had => self.field_errors.update(|m| {
                m.remove(&(id, field));
            }),
            None => {}
        }
        if let Some(e) = failed {
            self.refused(e);
        }
        if changed {
            self.persist();
        }
    }

    /// Creates a contact with a name, for the meeting editor's inline "create contact".
    pub fn create_contact_named(&self, name: &str) -> Option<RecordId> {
        let id = self.create(Kind::Contact)?;
        self.set(id, Field::Name, Value::Text(name.trim().to_string()));
        Some(id)
    }

    /// Adds a follow-up action to a meeting.
    pub fn add_action(&self, meeting: RecordId) -> Option<RecordId> {
        let id = self.create(Kind::Action)?;
        // An action on a new meeting nobody typed into yet keeps the meeting: leaving would otherwise
        // discard it and leave the action pointing at nothing.
        if self.notebook.with_untracked(|nb| nb.is_draft(meeting)) {
            self.notebook.update(|nb| {
                nb.keep_draft(meeting);
            });
        }
        self.set(id, Field::Meeting, Value::Text(meeting.to_string()));
        Some(id)
    }

    /// Marks an action done or open, offering Undo when `offer_undo`.
    pub fn set_done(&self, id: RecordId, done: bool, offer_undo: bool) {
        self.set(id, Field::Done, Value::Bool(done));
        if offer_undo {
            let what = if done { "Follow-up marked done." } else { "Follow-up reopened." };
            self.prompts.offer_undo(what, UndoAction::SetDone(id, !done));
        }
    }

    /// Asks first, then deletes, then offers Undo.
    pub fn confirm_delete(
        &self,
        id: RecordId,
        noun: &'static str,
        name: String,
        after: impl Fn() + Send + Sync + 'static,
    ) {
        // A new record nobody typed into holds nothing to lose or restore: it goes without a question.
        if self.notebook.with_untracked(|nb| nb.is_draft(id)) {
            self.discard_draft(id);
            after();
            return;
        }
        let state = *self;
        let follow_ups = self.notebook.with_untracked(|nb| match nb.record(id).map(|r| r.kind) {
            Some(Kind::Meeting) => nb.actions_of(id).len(),
            _ => 0,
        });
        let with = match follow_ups {
            0 => String::new(),
            1 => " Its follow-up action goes with it.".to_string(),
            n => format!(" Its {n} follow-up actions go with it."),
        };
        self.prompts.confirm.set(Some(ConfirmRequest {
            title: format!("Delete this {noun}?"),
            message: format!(
                "“{name}” will be removed from this device.{with} You can restore it from Recently deleted (Settings) for {} days.",
                liaison_core::notebook::TRASH_DAYS
            ),
            confirm_label: "Delete",
            on_confirm: Callback::new(move |_| {
                state.delete(id, noun);
                after();
            }),
        }));
    }

    /// Deletes a record at once and offers Undo.
    pub fn delete(&self, id: RecordId, noun: &str) {
        if self.notebook.with_untracked(|nb| nb.is_draft(id)) {
            self.discard_draft(id);
            return;
        }
        if self.edit(|nb, now| nb.delete_with_follow_ups(id, now)).is_some() {
            self.prompts.offer_undo(&format!("{} deleted.", capitalised(noun)), UndoAction::Restore(id));
        }
    }

    /// Carries out the current Undo offer.
    pub fn run_undo(&self) {
        match self.prompts.take_undo() {
            Some(UndoAction::Restore(id)) => {
                self.restore_deleted(id);
            }
            Some(UndoAction::SetDone(id, done)) => self.set(id, Field::Done, Value::Bool(done)),
            Some(UndoAction::Unresolve(pair)) => {
                let (before, after) = *pair;
                // Putting the old copy back would also throw away whatever reached the record since: an
                // edit here, another tab's, a page from the team hub.
                if self.notebook.with_untracked(|nb| nb.record(before.id) != Some(&after)) {
                    self.prompts.notify(
                        "The record changed after the conflict was resolved, so the resolution stays. Edit the field to change it."
                            .to_string(),
                    );
                    return;
                }
                let records = std::collections::BTreeMap::from([(before.id, Some(before))]);
                self.edit(|nb, now| {
                    nb.replace_records(records, now);
                    Ok(())
                });
            }
            Some(UndoAction::Unmerge(survivor, duplicate, before)) => {
                self.edit(|nb, now| nb.unmerge_contacts(survivor, duplicate, before, now));
            }
            None => {}
        }
    }

    /// Resolves a field conflict with a value: a new edit that has seen every conflicting value.
    pub fn resolve(&self, id: RecordId, field: Field, value: Value) {
        let before = self.notebook.with_untracked(|nb| nb.record(id).cloned());
        // A field conflict always writes: the register holds several values, so none is "unchanged".
        if self.edit(|nb, now| nb.set(id, field, value, now)).is_some() {
            let after = self.notebook.with_untracked(|nb| nb.record(id).cloned());
            if let (Some(before), Some(after)) = (before, after) {
                self.prompts.offer_undo("Resolved.", UndoAction::Unresolve(Box::new((before, after))));
            }
        }
    }

    /// Brings a record back from "Recently deleted" (with the follow-ups that went with a meeting).
    pub fn restore_deleted(&self, id: RecordId) {
        self.edit(|nb, now| nb.restore_deleted(id, now));
    }

    /// Settles a delete conflict by bringing the record back with every edit.
    pub fn restore_record(&self, id: RecordId) {
        self.edit(|nb, now| nb.restore(id, now));
    }

    /// Settles a delete conflict by deleting again, having seen the edits.
    pub fn keep_deleted(&self, id: RecordId) {
        self.edit(|nb, now| nb.delete(id, now));
    }

    /// Merges a duplicate contact into a survivor with the chosen values.
    pub fn merge_contacts(&self, survivor: RecordId, duplicate: RecordId, values: Vec<(Field, Value)>) {
        let before: Vec<(Field, Value)> = self.notebook.with_untracked(|nb| {
            let kept = nb.contact(survivor).unwrap_or_default();
            values.iter().filter_map(|(f, _)| Some((*f, kept.value(*f)?))).collect()
        });
        if self.edit(|nb, now| nb.merge_contacts(survivor, duplicate, values, now)).is_some() {
            self.prompts.offer_undo("Merged.", UndoAction::Unmerge(survivor, duplicate, before));
        }
    }

    /// Remembers that two contacts are different people.
    pub fn not_duplicates(&self, a: RecordId, b: RecordId) {
        self.not_duplicates.update(|s| {
            s.insert((a.min(b), a.max(b)));
        });
        self.save_meta(NOT_DUPLICATES_KEY, self.not_duplicates.get_untracked());
    }
}
