//! The LocalStorage backend.

use liaison_core::storage::{Backend, Op, StoreError, WriteOutcome};
use wasm_bindgen::{JsCast, JsValue};

/// Window.localStorage behind the core's async backend trait. It holds no handle: the storage object is
/// looked up on each call, so a browser that blocks storage fails per call instead of at start-up.
#[derive(Clone, Copy, Debug, Default)]
pub struct LocalStorageBackend;

fn describe(err: &JsValue) -> String {
    if let Some(e) = err.dyn_ref::<web_sys::DomException>() {
        format!("{}: {}", e.name(), e.message())
    } else if let Some(e) = err.dyn_ref::<js_sys::Error>() {
        String::from(e.message())
    } else {
        format!("{err:?}")
    }
}

fn is_quota(err: &JsValue) -> bool {
    err.dyn_ref::<web_sys::DomException>().is_some_and(|e| {
        // Firefox used its own name and code before it adopted the standard one.
        e.name() == "QuotaExceededError" || e.name() == "NS_ERROR_DOM_QUOTA_REACHED" || e.code() == 22
    })
}

fn storage() -> Result<web_sys::Storage, StoreError> {
    let window = web_sys::window().ok_or_else(|| StoreError::Unavailable("no window".into()))?;
    match window.local_storage() {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err(StoreError::Unavailable("this browser offers no local storage".into())),
        Err(e) => Err(StoreError::Unavailable(describe(&e))),
    }
}

impl LocalStorageBackend {
    /// Bytes (UTF-16 code units × 2) used by every key of this origin, as browsers count the quota.
    pub fn used_bytes(&self) -> Result<usize, StoreError> {
        self.used_units().map(|u| u * 2)
    }

    /// UTF-16 code units used by every key and value of this origin.
    pub fn used_units(&self) -> Result<usize, StoreError> {
        let s = storage()?;
        let len = s.length().map_err(|e| StoreError::Unavailable(describe(&e)))?;
        let mut units = 0usize;
        for i in 0..len {
            if let Ok(Some(k)) = s.key(i) {
                let v = s.get_item(&k).ok().flatten().unwrap_or_default();
                units += k.encode_utf16().count() + v.encode_utf16().count();
            }
        }
        Ok(units)
    }

    /// Removes every key under a prefix. Used by tests to start clean.
    pub fn clear_prefix(&self, prefix: &str) -> Result<(), StoreError> {
        let s = storage()?;
        let len = s.length().map_err(|e| StoreError::Unavailable(describe(&e)))?;
        let keys: Vec<String> =
            (0..len).filter_map(|i| s.key(i).ok().flatten()).filter(|k| k.starts_with(prefix)).collect();
        for k in keys {
            s.remove_item(&k).map_err(|e| StoreError::Failed(describe(&e)))?;
        }
        Ok(())
    }
}

impl Backend for LocalStorageBackend {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        storage()?.get_item(key).map_err(|e| StoreError::Unavailable(describe(&e)))
    }

    async fn list(&self, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        let s = storage()?;
        let len = s.length().map_err(|e| StoreError::Unavailable(describe(&e)))?;
        let mut out = Vec::new();
        for i in 0..len {
            let Ok(Some(key)) = s.key(i) else { continue };
            if key.starts_with(prefix) {
                if let Ok(Some(v)) = s.get_item(&key) {
                    out.push((key, v));
                }
            }
        }
        out.sort();
        Ok(out)
    }

    async fn write(&self, ops: Vec<Op>) -> WriteOutcome {
        let s = match storage() {
            Ok(s) => s,
            Err(e) => return WriteOutcome { applied: 0, error: Some(e) },
        };
        // Whole or not at all: what was there before each op is kept, and put back if a later op fails,
        // so that an import never lands half (a full disk fails a write part-way through a batch).
        let mut undo: Vec<(String, Option<String>)> = Vec::with_capacity(ops.len());
        for op in ops {
            let key = match &op {
                Op::Put(k, _) | Op::Delete(k) | Op::DeleteIf(k, _) => k.clone(),
            };
            let before = s.get_item(&key).ok().flatten();
            let result = match &op {
                Op::Put(k, v) => s.set_item(k, v),
                Op::Delete(k) => s.remove_item(k),
                Op::DeleteIf(k, text) if before.as_ref() == Some(text) => s.remove_item(k),
                Op::DeleteIf(..) => Ok(()),
            };
            if let Err(e) = result {
                // Putting back older values frees what the batch took, so it succeeds when the store is
                // full; a store that throws for every call leaves nothing to put back either.
                for (k, old) in undo.into_iter().rev() {
                    let _ = match old {
                        Some(v) => s.set_item(&k, &v),
                        None => s.remove_item(&k),
                    };
                }
                let error = if is_quota(&e) { StoreError::QuotaExceeded } else { StoreError::Failed(describe(&e)) };
                return WriteOutcome { applied: 0, error: Some(error) };
            }
            undo.push((key, before));
        }
        WriteOutcome { applied: usize::MAX, error: None }
    }
}
