//! Which store this tab keeps the notebook in, chosen once at start-up: IndexedDB, after moving what
//! localStorage held into it, or localStorage where IndexedDB cannot be opened.

use std::cell::RefCell;

use liaison_core::storage::{move_store, Backend, Moved, Op, StoreError, WriteOutcome, PREFIX, RECORD_PREFIX};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use super::{IndexedDbBackend, LocalStorageBackend, StorageChange, DB_NAME};

/// The name of the channel tabs tell each other about IndexedDB writes on: IndexedDB has no `storage`
/// event, so each committed batch is posted here and reaches the same handler as localStorage's.
const CHANNEL: &str = "liaison/v1/writes";

/// The store in use. Clone shares the IndexedDB connection.
#[derive(Clone, Debug)]
pub enum AppBackend {
    /// The notebook is in IndexedDB.
    IndexedDb(IndexedDbBackend),
    /// IndexedDB could not be used: the notebook is in localStorage, as before.
    Local(LocalStorageBackend),
}

thread_local! {
    static ACTIVE: RefCell<AppBackend> = const { RefCell::new(AppBackend::Local(LocalStorageBackend)) };
    static CHANNEL_HANDLE: Option<web_sys::BroadcastChannel> = web_sys::BroadcastChannel::new(CHANNEL).ok();
}

/// The store chosen at start-up (localStorage until then).
pub fn backend() -> AppBackend {
    ACTIVE.with(|a| a.borrow().clone())
}

impl AppBackend {
    /// Whether the notebook is in IndexedDB.
    pub fn is_indexed_db(&self) -> bool {
        matches!(self, AppBackend::IndexedDb(_))
    }

    /// Writes a batch without telling other tabs: for compaction, which moves records between keys but
    /// changes none of them, so other tabs have nothing to take.
    pub async fn write_unannounced(&self, ops: Vec<Op>) -> WriteOutcome {
        match self {
            AppBackend::IndexedDb(b) => b.write(ops).await,
            AppBackend::Local(b) => b.write(ops).await,
        }
    }
}

/// Opens IndexedDB, moves what localStorage holds into it, and makes the result the store of this tab.
/// Returns a sentence for the officer when the notebook stays in localStorage.
pub async fn open_storage() -> Option<String> {
    let (chosen, notice) = match IndexedDbBackend::open(DB_NAME).await {
        Err(e) => (
            AppBackend::Local(LocalStorageBackend),
            Some(format!(
                "This browser does not let Liaison use its database ({e}), so the notebook is kept in the \
                 browser's simpler storage, which may lose the last seconds of changes if the browser is closed \
                 abruptly (a private window does this). Export often."
            )),
        ),
        // localStorage that throws on every touch holds nothing this tab could move.
        Ok(idb) if LocalStorageBackend.list(PREFIX).await.is_err() => (AppBackend::IndexedDb(idb), None),
        Ok(idb) => match move_store(&LocalStorageBackend, &idb).await {
            Ok(Moved::Nothing | Moved::NewIsNewer(_)) => (AppBackend::IndexedDb(idb), None),
            Ok(Moved::Done { retire_failed, .. }) => (
                AppBackend::IndexedDb(idb),
                // Harmless (the next start finishes it), and never seen in practice: no need to alarm.
                retire_failed.then(|| "The old copy of the notebook could not be cleared yet; Liaison will try again at the next start.".to_string()),
            ),
            // Left untouched, as every newer layout is: `load` refuses it and the app says so.
            Ok(Moved::OldIsNewer(_)) => (AppBackend::Local(LocalStorageBackend), None),
            Err(e) => (
                AppBackend::Local(LocalStorageBackend),
                Some(format!(
                    "The notebook could not be moved into the browser's database ({e}). It stays where it was, \
                     nothing is lost, and Liaison will try again at the next start."
                )),
            ),
        },
    };
    ACTIVE.with(|a| *a.borrow_mut() = chosen);
    notice
}

/// Tells other tabs what a committed IndexedDB batch changed, as localStorage's `storage` event does.
fn announce(ops: &[Op]) {
    let changes: Vec<(&str, Option<&str>)> = ops
        .iter()
        .map(|op| match op {
            Op::Put(k, v) => (k.as_str(), Some(v.as_str())),
            Op::Delete(k) => (k.as_str(), None),
            // Only compaction deletes by comparison, and what it folds changes no record.
            Op::DeleteIf(k, _) => (k.as_str(), None),
        })
        .filter(|(k, v)| !(k.starts_with(RECORD_PREFIX) && v.is_none()))
        .collect();
    if changes.is_empty() {
        return;
    }
    let Ok(text) = serde_json::to_string(&changes) else { return };
    CHANNEL_HANDLE.with(|c| {
        if let Some(c) = c {
            // Another tab that misses a message still reads everything at its next start.
            let _ = c.post_message(&JsValue::from_str(&text));
        }
    });
}

/// Calls `on_change` for every key another tab's IndexedDB batch changed.
pub(super) fn on_indexed_db_change(on_change: impl Fn(StorageChange) + 'static) {
    let handler = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
        let Some(text) = ev.data().as_string() else { return };
        // A message from another version of Liaison that this one cannot read is ignored, like an
        // unreadable `storage` event value.
        let Ok(changes) = serde_json::from_str::<Vec<(String, Option<String>)>>(&text) else { return };
        for (key, new_value) in changes {
            on_change(StorageChange { key, new_value });
        }
    });
    CHANNEL_HANDLE.with(|c| {
        if let Some(c) = c {
            c.set_onmessage(Some(handler.as_ref().unchecked_ref()));
        }
    });
    // The listener lives as long as the page.
    handler.forget();
}

impl Backend for AppBackend {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        match self {
            AppBackend::IndexedDb(b) => b.get(key).await,
            AppBackend::Local(b) => b.get(key).await,
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        match self {
            AppBackend::IndexedDb(b) => b.list(prefix).await,
            AppBackend::Local(b) => b.list(prefix).await,
        }
    }

    async fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        match self {
            AppBackend::IndexedDb(b) => b.keys(prefix).await,
            AppBackend::Local(b) => b.keys(prefix).await,
        }
    }

    async fn write(&self, ops: Vec<Op>) -> WriteOutcome {
        match self {
            AppBackend::IndexedDb(b) => {
                let outcome = b.write(ops.clone()).await;
                if outcome.error.is_none() {
                    announce(&ops);
                }
                outcome
            }
            AppBackend::Local(b) => b.write(ops).await,
        }
    }
}
