//! What the browser says about storage: whether it persists, and how full it is.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::platform::{self, LocalStorageBackend};

/// How often storage use and persistence are read again.
const HEALTH_EVERY: Duration = Duration::from_secs(30);

/// The browser's latest word on storage. Copy: an arena handle.
#[derive(Clone, Copy)]
pub struct Health {
    /// Persistence, quota and use, as last read.
    pub status: RwSignal<platform::health::Health>,
}

impl Health {
    pub(super) fn new() -> Self {
        Health { status: RwSignal::new(platform::health::Health::default()) }
    }

    /// Reads storage use and persistence now, and again every little while.
    pub(super) fn watch(&self) {
        self.refresh();
        let health = *self;
        set_interval(move || health.refresh(), HEALTH_EVERY);
    }

    /// Reads storage use and persistence again.
    pub fn refresh(&self) {
        let status = self.status;
        spawn_local(async move {
            let units = LocalStorageBackend.used_units().unwrap_or(0);
            let h = platform::health::read(units, platform::backend().is_indexed_db()).await;
            if status.try_get_untracked() != Some(h) {
                status.set(h);
            }
        });
    }

    /// Asks the browser to keep this site's data, then shows the answer.
    pub fn request_persistence(&self) {
        let health = *self;
        spawn_local(async move {
            let _ = platform::health::request_persistence().await;
            health.refresh();
        });
    }
}
