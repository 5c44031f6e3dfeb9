//! Start-up: reading storage, naming this device on first start, and claiming this tab's replica id.

use std::collections::BTreeSet;

use liaison_core::crdt::id::{DeviceId, RecordId};
use liaison_core::exchange::{ExportState, ImportLog};
use liaison_core::model::DeviceProfile;
use liaison_core::storage::{self, Backend, StoreError, REPLICAS_KEY};
use liaison_core::Notebook;

use super::learn_own_profile;
use crate::platform::{self, LocalStorageBackend};

/// What start-up read from storage.
pub struct Boot {
    pub(super) notebook: Notebook,
    pub(super) device: DeviceProfile,
    pub(super) problems: Vec<String>,
    pub(super) storage_error: Option<StoreError>,
    pub(super) export: ExportState,
    pub(super) imports: ImportLog,
    pub(super) not_duplicates: BTreeSet<(RecordId, RecordId)>,
    pub(super) replicas: Vec<DeviceId>,
}

/// Picks this tab's replica id: the first of the device's replica ids that no other open tab holds, or a
/// new one. Each tab must stamp with its own id, because a version vector says "everything this id wrote
/// up to here has been seen", which two tabs writing under one id would make untrue. The pool is written
/// here; the flag says it still needs saving because that write failed.
async fn claim_replica(device: DeviceId, loaded: Vec<DeviceId>, now: u64) -> (DeviceId, Vec<DeviceId>, bool) {
    const REPLICA_LOCK: &str = "liaison/v1/replica/";
    const POOL_LOCK: &str = "liaison-replica-pool";
    let backend = platform::backend();
    // Tabs starting together each read the pool, mint an id and write the pool back, and the last write
    // drops the others' ids, and with them those tabs' edits from every later "changes" export. Taking
    // turns under one lock, each tab reads the pool after the previous one wrote it.
    let turn = LocalStorageBackend.exclusive(POOL_LOCK).await;
    let stored: Vec<DeviceId> = match backend.get(REPLICAS_KEY).await {
        Ok(Some(text)) => serde_json::from_str(&text).unwrap_or_default(),
        _ => Vec::new(),
    };
    // A tab's localStorage copy can lag another tab's write by a moment, but the lock manager knows at
    // once every replica id an open tab holds.
    let held: Vec<DeviceId> = match &turn {
        Ok(_) => LocalStorageBackend
            .held_locks(REPLICA_LOCK)
            .await
            .unwrap_or_default()
            .iter()
            .filter_map(|n| n.parse().ok())
            .collect(),
        Err(platform::NoLocks) => Vec::new(),
    };
    let mut pool = vec![device];
    for id in loaded.into_iter().chain(stored.iter().copied()).chain(held) {
        if !pool.contains(&id) {
            pool.push(id);
        }
    }
    let mut claimed = None;
    for id in &pool {
        match platform::hold_for_page(&format!("{REPLICA_LOCK}{id}")).await {
            Ok(true) => {
                claimed = Some(*id);
                break;
            }
            Ok(false) => continue,
            // Without Web Locks, tabs cannot tell each other apart: one id it is (see ARCHITECTURE.md).
            Err(platform::NoLocks) => return (device, pool, false),
        }
    }
    let replica = match claimed {
        Some(id) => id,
        None => {
            let fresh = DeviceId::new_v7(now, platform::random_bytes());
            let _ = platform::hold_for_page(&format!("{REPLICA_LOCK}{fresh}")).await;
            pool.push(fresh);
            fresh
        }
    };
    // The pool only ever grows: it is the union of what was stored and what this tab knows.
    let unsaved = pool.iter().any(|id| *id != device && !stored.contains(id))
        && storage::save_meta(&backend, REPLICAS_KEY, &pool).await.is_err();
    drop(turn);
    (replica, pool, unsaved)
}

/// Loads storage, making the device profile on first start.
pub async fn boot() -> Boot {
    platform::mark("liaison:boot");
    let opened = platform::open_storage().await;
    let backend = platform::backend();
    let now = platform::now_ms();
    platform::mark("liaison:storage-open");
    match storage::load(&backend).await {
        Ok(loaded) => {
            platform::mark("liaison:loaded");
            let mut problems: Vec<String> = opened.into_iter().collect();
            problems.extend(loaded.problems.iter().map(|p| p.message()));
            let device = match loaded.device {
                Some(d) => d,
                None => {
                    let d = storage::new_device(DeviceId::new_v7(now, platform::random_bytes()));
                    if let Err(e) = storage::save_device(&backend, &d).await {
                        problems.push(format!("This device's identity could not be saved: {e}."));
                    }
                    d
                }
            };
            let (replica, replicas, grown) = claim_replica(device.id, loaded.replicas, now).await;
            if grown {
                if let Err(e) = storage::save_meta(&backend, REPLICAS_KEY, &replicas).await {
                    problems.push(format!("This tab's identity could not be saved: {e}."));
                }
            }
            super::saving::keep_page_map(loaded.pages);
            let mut notebook = Notebook::from_records(replica, loaded.records, now);
            notebook.set_own_replicas(replicas.iter().copied());
            notebook.learn_devices(loaded.devices);
            learn_own_profile(&mut notebook, &replicas, &device);
            platform::mark("liaison:notebook");
            Boot {
                notebook,
                device,
                problems,
                storage_error: None,
                export: loaded.export,
                imports: loaded.imports,
                not_duplicates: loaded.not_duplicates,
                replicas,
            }
        }
        Err(e) => {
            let device = storage::new_device(DeviceId::new_v7(now, platform::random_bytes()));
            Boot {
                notebook: Notebook::new(device.id),
                device,
                problems: opened.into_iter().collect(),
                storage_error: Some(e),
                export: ExportState::default(),
                imports: ImportLog::default(),
                not_duplicates: BTreeSet::new(),
                replicas: Vec::new(),
            }
        }
    }
}
