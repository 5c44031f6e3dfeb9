//! The IndexedDB backend: the same keys and texts as the localStorage layout, in one object store.
//!
//! Why IndexedDB: Chromium writes localStorage to disk in the background, so a meeting shown as saved
//! was lost when the browser was killed a few seconds later. A readwrite transaction with
//! `durability: "strict"` completes only once the browser has flushed it to disk, and a batch is one
//! transaction, so it lands whole or not at all without the undo log the localStorage backend keeps.

use std::rc::Rc;

use indexed_db_futures::database::Database;
use indexed_db_futures::error::{DomException, Error, OpenDbError};
use indexed_db_futures::internals::SystemRepr;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{TransactionDurability, TransactionMode, TransactionOptions};
use indexed_db_futures::KeyRange;
use liaison_core::storage::{Backend, Op, StoreError, WriteOutcome};
use wasm_bindgen::JsCast;

/// The database the app uses; tests open others beside it.
pub const DB_NAME: &str = "liaison";
/// The one object store: keys are the layout's key strings, values their texts.
const STORE: &str = "kv";
/// A value at least this long (a page) is put and waited for before the next request.
const LARGE_VALUE: usize = 64 * 1024;

/// An open IndexedDB database behind core's backend trait. Clone shares the connection.
#[derive(Clone, Debug)]
pub struct IndexedDbBackend {
    db: Rc<Database>,
    /// Test hook: when set, every write fails after this many ops, and its transaction is aborted.
    fail_after: Rc<std::cell::Cell<Option<usize>>>,
    /// Test hook: a size limit in UTF-16 code units of keys and values, as `MemoryBackend` has, so the
    /// conformance suite's size-cap cases run here (the real quota is out of a page's reach).
    capacity: Rc<std::cell::Cell<Option<usize>>>,
}

fn describe(e: &Error) -> String {
    match e {
        Error::DomException(d) => d.message(),
        other => other.to_string(),
    }
}

/// The browser's words for a failed request, with a full disk told apart: an aborted transaction
/// carries the `QuotaExceededError` of the request that failed.
fn store_error(e: &Error) -> StoreError {
    if let Error::DomException(DomException::Other(d)) = e {
        if d.name() == "QuotaExceededError" {
            return StoreError::QuotaExceeded;
        }
    }
    StoreError::Failed(describe(e))
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

/// The keys under `prefix`, as an IndexedDB key range: every string that starts with it sorts between
/// the prefix and the prefix followed by the highest code unit.
fn prefix_range(prefix: &str) -> KeyRange<String> {
    KeyRange::Bound(prefix.to_string(), false, format!("{prefix}\u{ffff}"), false)
}

impl IndexedDbBackend {
    /// Opens (and on first use creates) the database `name`. Fails where IndexedDB is missing or
    /// blocked (some private modes, locked-down browsers), and the caller falls back to localStorage.
    pub async fn open(name: &str) -> Result<Self, StoreError> {
        let db = Database::open(name)
            .with_version(1u8)
            .with_on_upgrade_needed(|event, db| {
                if event.old_version() < 1.0 {
                    db.create_object_store(STORE).build()?;
                }
                Ok(())
            })
            .await
            .map_err(|e: OpenDbError| unavailable(e))?;
        Ok(IndexedDbBackend { db: Rc::new(db), fail_after: Rc::default(), capacity: Rc::default() })
    }

    /// Test hook: makes every later write fail after `ops` ops (`None`: writes work again), to show that
    /// an aborted transaction leaves nothing behind.
    pub fn fail_writes_after(&self, ops: Option<usize>) {
        self.fail_after.set(ops);
    }

    /// Test hook: limits the store's size, in UTF-16 code units of keys and values (`None` lifts it). A
    /// batch that would pass the limit is refused as storage full, after its requests were made, by
    /// aborting its transaction.
    pub fn set_capacity(&self, units: Option<usize>) {
        self.capacity.set(units);
    }

    /// Whether `ops`, applied to what is stored, would pass the test size limit.
    async fn over_capacity(&self, ops: &[Op]) -> Result<bool, StoreError> {
        let Some(cap) = self.capacity.get() else { return Ok(false) };
        let mut stored: std::collections::BTreeMap<String, String> = self.list("").await?.into_iter().collect();
        for op in ops {
            match op {
                Op::Put(k, v) => stored.insert(k.clone(), v.clone()),
                Op::Delete(k) => stored.remove(k),
                Op::DeleteIf(k, text) if stored.get(k) == Some(text) => stored.remove(k),
                Op::DeleteIf(..) => None,
            };
        }
        let units: usize = stored.iter().map(|(k, v)| k.encode_utf16().count() + v.encode_utf16().count()).sum();
        Ok(units > cap)
    }

    /// Removes every key under a prefix. Used by tests to start clean.
    pub async fn clear_prefix(&self, prefix: &str) -> Result<(), StoreError> {
        let keys: Vec<String> = self.list(prefix).await?.into_iter().map(|(k, _)| k).collect();
        match self.write(keys.into_iter().map(Op::Delete).collect()).await.error {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }
}

impl Backend for IndexedDbBackend {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        let tx = self.db.transaction(STORE).build().map_err(|e| store_error(&e))?;
        let store = tx.object_store(STORE).map_err(|e| store_error(&e))?;
        let value: Option<String> = store.get(key.to_string()).await.map_err(|e| store_error(&e))?;
        Ok(value)
    }

    /// Keys and values come from `getAllKeys` and `getAll` over one key range in one transaction: both
    /// answer in key order, so they pair up, and start-up reads thousands of records in two requests.
    async fn list(&self, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        let tx = self.db.transaction(STORE).build().map_err(|e| store_error(&e))?;
        let store = tx.object_store(STORE).map_err(|e| store_error(&e))?;
        let keys = store.get_all_keys::<String>().with_query::<String, _>(prefix_range(prefix)).primitive();
        let values = store.get_all::<String>().with_query::<String, _>(prefix_range(prefix)).primitive();
        let (keys, values) = match (keys, values) {
            (Ok(k), Ok(v)) => (k, v),
            (Err(e), _) | (_, Err(e)) => return Err(store_error(&e)),
        };
        let keys = keys.await.map_err(|e| store_error(&e))?;
        let values = values.await.map_err(|e| store_error(&e))?;
        let mut out = Vec::new();
        for (k, v) in keys.zip(values) {
            // A value that is not a string was not written by Liaison: it is skipped, as localStorage
            // cannot hold one at all.
            if let (Ok(k), Ok(v)) = (k, v) {
                out.push((k, v));
            }
        }
        Ok(out)
    }

    async fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let tx = self.db.transaction(STORE).build().map_err(|e| store_error(&e))?;
        let store = tx.object_store(STORE).map_err(|e| store_error(&e))?;
        let keys = store
            .get_all_keys::<String>()
            .with_query::<String, _>(prefix_range(prefix))
            .primitive()
            .map_err(|e| store_error(&e))?
            .await
            .map_err(|e| store_error(&e))?;
        Ok(keys.filter_map(Result::ok).collect())
    }

    /// One readwrite transaction with strict durability per batch: it reports done only after the
    /// commit completed, so the save indicator says "saved" only for what is on disk.
    async fn write(&self, ops: Vec<Op>) -> WriteOutcome {
        let failed = |error| WriteOutcome { applied: 0, error: Some(error) };
        let bytes: usize = ops.iter().map(|op| if let Op::Put(k, v) = op { (k.len() + v.len()) * 2 } else { 0 }).sum();
        let over_capacity = match self.over_capacity(&ops).await {
            Ok(over) => over,
            Err(e) => return failed(e),
        };
        let tx = match self
            .db
            .transaction(STORE)
            .with_mode(TransactionMode::Readwrite)
            .with_options(TransactionOptions::new().with_durability(TransactionDurability::Strict))
            .build()
        {
            Ok(tx) => tx,
            Err(e) => return failed(store_error(&e)),
        };
        let store = match tx.object_store(STORE) {
            Ok(s) => s,
            Err(e) => return failed(store_error(&e)),
        };
        for (n, op) in ops.into_iter().enumerate() {
            if self.fail_after.get() == Some(n) {
                // Aborting rolls back every request the transaction already made.
                let _ = tx.abort().await;
                return failed(StoreError::Failed("a simulated failure".into()));
            }
            let request = match op {
                // A page (about 1 MB) is copied into the browser when it is put: waiting for each one to
                // land spreads the copies over several tasks, so a batch of a hundred pages does not hold
                // the page for one long task. Requests made from a request's completion keep the
                // transaction alive.
                Op::Put(k, v) if v.len() > LARGE_VALUE => store.put(v).with_key(k).await.map(drop),
                Op::Put(k, v) => store.put(v).with_key(k).primitive().map(drop),
                Op::Delete(k) => store.delete(k).primitive().map(drop),
                // Compare and delete inside the transaction: no other write can come between the two.
                Op::DeleteIf(k, text) => {
                    let stored: Result<Option<String>, Error> = store.get(k.clone()).await;
                    match stored {
                        Ok(Some(stored)) if stored == text => store.delete(k).primitive().map(drop),
                        Ok(_) => Ok(()),
                        Err(e) => Err(e),
                    }
                }
            };
            if let Err(e) = request {
                {
                    let _ = tx.abort().await;
                    return failed(store_error(&e));
                }
            }
        }
        if over_capacity {
            let _ = tx.abort().await;
            return failed(StoreError::QuotaExceeded);
        }
        // Chromium refuses a transaction that does not fit only when it commits, and the wrapper's error
        // then says just "aborted": the `QuotaExceededError` is on the transaction itself.
        let raw: web_sys::IdbTransaction = tx.as_sys().clone().unchecked_into();
        match tx.commit().await {
            Ok(()) => WriteOutcome { applied: usize::MAX, error: None },
            Err(_) if raw.error().is_some_and(|d| d.name() == "QuotaExceededError") => {
                failed(StoreError::QuotaExceeded)
            }
            // Browsers that abort without naming the cause: a quota that leaves no room for the batch.
            Err(e) if nearly_full(bytes).await => {
                let _ = e;
                failed(StoreError::QuotaExceeded)
            }
            Err(e) => failed(store_error(&e)),
        }
    }
}

/// Whether the origin's quota leaves less room than a batch of `bytes` needs (with a margin for
/// IndexedDB's own bookkeeping), by `navigator.storage.estimate()`.
async fn nearly_full(bytes: usize) -> bool {
    match super::health::read(0, true).await.estimate {
        Some((usage, quota)) => quota - usage < bytes as f64 * 2.0 + 1024.0 * 1024.0,
        None => false,
    }
}
