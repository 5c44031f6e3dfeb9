//! The key-value store a notebook is saved in, as a trait, and the in-memory store native tests use.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

/// Why storage could not do what was asked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The browser's storage is full.
    #[error("browser storage is full")]
    QuotaExceeded,
    /// Storage cannot be used at all (disabled, blocked, or it throws when touched).
    #[error("browser storage cannot be used: {0}")]
    Unavailable(String),
    /// The stored data was written by a newer version of Liaison.
    #[error("the stored data was written by a newer version of Liaison (layout {0}); this version will not change it")]
    NewerSchema(u32),
    /// The stored layout version cannot be read or migrated.
    #[error("the stored data has an unknown layout ({0}); this version will not change it")]
    UnknownSchema(String),
    /// Any other failure, with the browser's words.
    #[error("saving failed: {0}")]
    Failed(String),
}

/// One change to storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Set a key.
    Put(String, String),
    /// Remove a key.
    Delete(String),
    /// Remove a key only if it holds exactly this text, checked inside the batch: how compaction drops a
    /// per-record value it folded into a page without dropping a newer edit written meanwhile.
    DeleteIf(String, String),
}

/// How a batch of writes went. Ops are applied in order; `applied` of them landed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteOutcome {
    /// How many ops landed: all of them (any number at least the batch's length) or, on an error, none,
    /// since every backend writes a batch whole or not at all.
    pub applied: usize,
    /// Why the rest did not, if any did not.
    pub error: Option<StoreError>,
}

/// A key-value store behind an async interface.
#[allow(async_fn_in_trait)]
pub trait Backend {
    /// The value of one key.
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError>;
    /// Every key and value under a prefix, in key order.
    async fn list(&self, prefix: &str) -> Result<Vec<(String, String)>, StoreError>;
    /// Every key under a prefix, in key order, without reading the values.
    async fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        Ok(self.list(prefix).await?.into_iter().map(|(k, _)| k).collect())
    }
    /// Applies ops in order, whole or not at all: on a failure, what the batch changed is put back.
    async fn write(&self, ops: Vec<Op>) -> WriteOutcome;
}

/// An in-memory backend. Its size limit counts UTF-16 code units of keys and values, as browsers do.
#[derive(Debug, Default)]
pub struct MemoryBackend {
    map: RefCell<BTreeMap<String, String>>,
    capacity: Cell<Option<usize>>,
    fail_after: Cell<Option<usize>>,
}

fn units(s: &str) -> usize {
    s.encode_utf16().count()
}

impl MemoryBackend {
    /// An empty, unlimited store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Limits the store's size, like a browser quota. `None` lifts the limit.
    pub fn set_capacity(&self, units: Option<usize>) {
        self.capacity.set(units);
    }

    /// Makes every later write fail after `ops` ops (`None`: writes work again), as a tab closed part-way
    /// through a batch would; what the batch did so far is put back, as a browser's aborted transaction is.
    pub fn fail_writes_after(&self, ops: Option<usize>) {
        self.fail_after.set(ops);
    }

    /// A copy of everything stored, to compare before and after.
    pub fn snapshot(&self) -> BTreeMap<String, String> {
        self.map.borrow().clone()
    }

    /// Sets a key directly, as another program (or corruption) would.
    pub fn poke(&self, key: &str, value: &str) {
        self.map.borrow_mut().insert(key.into(), value.into());
    }

    fn used_without(&self, key: &str) -> usize {
        self.map.borrow().iter().filter(|(k, _)| *k != key).map(|(k, v)| units(k) + units(v)).sum()
    }
}

impl Backend for MemoryBackend {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.map.borrow().get(key).cloned())
    }

    async fn list(&self, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        let map = self.map.borrow();
        Ok(map
            .range(prefix.to_string()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    async fn write(&self, ops: Vec<Op>) -> WriteOutcome {
        let before = self.map.borrow().clone();
        for (n, op) in ops.into_iter().enumerate() {
            if self.fail_after.get() == Some(n) {
                *self.map.borrow_mut() = before;
                return WriteOutcome { applied: 0, error: Some(StoreError::Failed("a simulated failure".into())) };
            }
            match op {
                Op::Put(k, v) => {
                    if let Some(cap) = self.capacity.get() {
                        if self.used_without(&k) + units(&k) + units(&v) > cap {
                            // Whole or not at all, like the browser backend.
                            *self.map.borrow_mut() = before;
                            return WriteOutcome { applied: 0, error: Some(StoreError::QuotaExceeded) };
                        }
                    }
                    self.map.borrow_mut().insert(k, v);
                }
                Op::Delete(k) => {
                    self.map.borrow_mut().remove(&k);
                }
                Op::DeleteIf(k, text) => {
                    let mut map = self.map.borrow_mut();
                    if map.get(&k) == Some(&text) {
                        map.remove(&k);
                    }
                }
            }
        }
        WriteOutcome { applied: usize::MAX, error: None }
    }
}
