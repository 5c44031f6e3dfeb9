//! What the app asks or tells the officer outside any one screen: notices, the Undo offer and the
//! confirmation dialog.

use std::time::Duration;

use leptos::prelude::*;
use liaison_core::crdt::id::RecordId;
use liaison_core::crdt::record::Record;
use liaison_core::schema::{Field, Value};

/// How long the "Undo" offer stays on screen.
const UNDO_FOR: Duration = Duration::from_secs(8);

/// A message shown until dismissed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// For dismissing.
    pub id: u64,
    /// What happened.
    pub text: String,
}

/// What "Undo" puts back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UndoAction {
    /// Restore a deleted record.
    Restore(RecordId),
    /// Set an action's done flag back.
    SetDone(RecordId, bool),
    /// Put a record back as it was before a conflict was resolved, with the conflict: (before, right
    /// after the resolution). Only while the record is still as the resolution left it.
    Unresolve(Box<(Record, Record)>),
    /// Take a merge of duplicate contacts back: (survivor, duplicate, the survivor's values before).
    Unmerge(RecordId, RecordId, Vec<(Field, Value)>),
}

/// The offer shown after a destructive or list-changing action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UndoOffer {
    /// Distinguishes offers, so an old timer does not hide a newer one.
    pub serial: u64,
    /// "Meeting deleted."
    pub message: String,
    /// What Undo does.
    pub action: UndoAction,
}

/// A question that must be answered before something destructive happens.
#[derive(Clone)]
pub struct ConfirmRequest {
    /// Dialog heading.
    pub title: String,
    /// What will happen.
    pub message: String,
    /// The confirming button's text.
    pub confirm_label: &'static str,
    /// Runs on confirmation.
    pub on_confirm: Callback<()>,
}

/// Notices, the Undo offer and the open confirmation. Copy: every part is an arena handle.
#[derive(Clone, Copy)]
pub struct Prompts {
    /// Messages to read once (unreadable stored entries, say).
    pub notices: RwSignal<Vec<Notice>>,
    /// The current Undo offer.
    pub undo: RwSignal<Option<UndoOffer>>,
    /// The open confirmation dialog.
    pub confirm: RwSignal<Option<ConfirmRequest>>,
    serial: StoredValue<u64>,
}

impl Prompts {
    /// Starts with the notices start-up left.
    pub(super) fn new(problems: Vec<String>) -> Self {
        let notices = problems.into_iter().enumerate().map(|(i, text)| Notice { id: i as u64, text }).collect();
        Prompts {
            notices: RwSignal::new(notices),
            undo: RwSignal::new(None),
            confirm: RwSignal::new(None),
            serial: StoredValue::new(1_000),
        }
    }

    fn next_serial(&self) -> u64 {
        self.serial
            .try_update_value(|s| {
                *s += 1;
                *s
            })
            .unwrap_or_default()
    }

    /// Shows a notice until dismissed.
    pub fn notify(&self, text: String) {
        let id = self.next_serial();
        self.notices.update(|n| n.push(Notice { id, text }));
    }

    /// Dismisses a notice.
    pub fn dismiss(&self, id: u64) {
        self.notices.update(|n| n.retain(|x| x.id != id));
    }

    /// Offers Undo for a while, replacing any earlier offer.
    pub(super) fn offer_undo(&self, message: &str, action: UndoAction) {
        let serial = self.next_serial();
        self.undo.set(Some(UndoOffer { serial, message: message.into(), action }));
        let undo = self.undo;
        set_timeout(
            move || {
                if undo.try_with_untracked(|u| u.as_ref().is_some_and(|u| u.serial == serial)) == Some(true) {
                    undo.set(None);
                }
            },
            UNDO_FOR,
        );
    }

    /// Takes the current Undo offer off the screen, for carrying it out.
    pub(super) fn take_undo(&self) -> Option<UndoAction> {
        let offer = self.undo.get_untracked()?;
        self.undo.set(None);
        Some(offer.action)
    }
}
