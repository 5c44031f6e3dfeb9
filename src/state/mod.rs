//! Reactive app state: plain core data in signals, grouped by concern. Every change goes through a
//! command (`edit.rs`, `exchange.rs`), then into the write-behind queue (`saving.rs`), which persists
//! through the platform backend and reports back here.

mod boot;
mod edit;
mod exchange;
mod health;
mod prompts;
mod saving;
mod sync;

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;
use liaison_core::crdt::id::{DeviceId, RecordId};
use liaison_core::date::Date;
use liaison_core::model::DeviceProfile;
use liaison_core::queries::search::{IndexBuild, SearchIndex};
use liaison_core::schema::Field;
use liaison_core::storage;
use liaison_core::Notebook;

pub use boot::{boot, Boot};
pub use exchange::{Exchange, LastImport};
pub use health::Health;
pub use prompts::{ConfirmRequest, Notice, Prompts, UndoAction, UndoOffer};
pub use saving::{SaveState, Saving};
pub use sync::HubSync;

use crate::platform;

/// Unexported data older than this, in storage the browser may evict, earns a reminder.
pub const AT_RISK_AFTER_DAYS: u64 = 7;

/// Everything the screens share: the notebook, this device's profile and today, then one part per
/// concern. Copy: every part is an arena handle.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The records: the truth while the app runs.
    pub notebook: RwSignal<Notebook>,
    /// This device's profile.
    pub device: RwSignal<DeviceProfile>,
    /// Today, in the device's time zone, read at start-up.
    pub today: Date,
    /// Values a field refused (too large to keep), by record and field, shown under the field.
    pub field_errors: RwSignal<BTreeMap<(RecordId, Field), String>>,
    /// Contact pairs a person said are different people.
    pub not_duplicates: RwSignal<BTreeSet<(RecordId, RecordId)>>,
    /// Whether edits have reached storage.
    pub saving: Saving,
    /// What the browser says about storage.
    pub health: Health,
    /// Exports, imports and the import being previewed.
    pub exchange: Exchange,
    /// Notices, the Undo offer and the confirmation dialog.
    pub prompts: Prompts,
    /// The search index.
    pub search: Search,
    /// Syncing with the team hub.
    pub sync: HubSync,
    /// The ids this device's tabs stamp edits with; this tab's is `notebook.device()`.
    replicas: StoredValue<BTreeSet<DeviceId>>,
}

/// The search index and a counter that says it changed. Copy: every part is an arena handle.
#[derive(Clone, Copy)]
pub struct Search {
    /// The index, updated per changed record.
    pub index: StoredValue<SearchIndex>,
    /// Bumped whenever the index changes, so that open results refresh.
    pub version: RwSignal<u64>,
    /// Records not indexed yet while the index is built after start-up (0 once it is complete): until
    /// then a search finds only what is indexed so far, and says so.
    pub indexing: RwSignal<usize>,
}

/// How long one slice of the start-up index build may keep the main thread, in ms: short enough that
/// a keystroke or a scroll in between waits no longer than a frame.
const INDEX_SLICE_MS: f64 = 10.0;
/// Records indexed between two looks at the clock.
const INDEX_STEP: usize = 128;

impl Search {
    /// Builds the index of `notebook` after the first screen has been painted, a slice at a time, with
    /// the browser painting and handling input between slices. Edits meanwhile reach the index through
    /// `reindex` as always (see `IndexBuild`).
    fn build_after_first_paint(self, notebook: RwSignal<Notebook>) {
        let mut build = notebook.with_untracked(IndexBuild::new);
        self.indexing.set(build.remaining());
        leptos::task::spawn_local(async move {
            platform::mark("liaison:index-start");
            platform::after_next_paint().await;
            loop {
                let until = platform::page_ms() + INDEX_SLICE_MS;
                let complete = loop {
                    let Some(complete) = self
                        .index
                        .try_update_value(|index| notebook.try_with_untracked(|nb| build.step(index, nb, INDEX_STEP)))
                        .flatten()
                    else {
                        // The app was unmounted (tests do that): nothing left to index for.
                        return;
                    };
                    if complete || platform::page_ms() >= until {
                        break complete;
                    }
                };
                self.indexing.set(build.remaining());
                self.version.update(|v| *v += 1);
                if complete {
                    platform::mark("liaison:index-ready");
                    return;
                }
                platform::yield_to_browser().await;
            }
        });
    }
}

/// Teaches `notebook` this device's profile under each id its tabs stamp with, so that every tab's
/// edits are shown as this officer's.
fn learn_own_profile<'a>(
    notebook: &mut Notebook,
    replicas: impl IntoIterator<Item = &'a DeviceId>,
    device: &DeviceProfile,
) {
    notebook.learn_devices(replicas.into_iter().map(|id| DeviceProfile { id: *id, ..device.clone() }));
}

impl AppState {
    /// Builds the state from what start-up found and starts listening to other tabs.
    pub fn new(boot: Boot) -> Self {
        let Boot { notebook, device, problems, storage_error, export, imports, not_duplicates, replicas } = boot;
        let this_tab = notebook.device();
        let storage_enabled = storage_error.is_none();
        let state = AppState {
            notebook: RwSignal::new(notebook),
            device: RwSignal::new(device),
            today: platform::today(),
            field_errors: RwSignal::new(BTreeMap::new()),
            not_duplicates: RwSignal::new(not_duplicates),
            saving: Saving::new(storage_error),
            health: Health::new(),
            exchange: Exchange::new(export, imports),
            prompts: Prompts::new(problems),
            search: Search {
                index: StoredValue::new(SearchIndex::new()),
                version: RwSignal::new(0),
                indexing: RwSignal::new(0),
            },
            replicas: StoredValue::new(replicas.into_iter().chain([this_tab]).collect()),
            sync: HubSync::new(),
        };
        state.search.build_after_first_paint(state.notebook);
        if storage_enabled {
            state.health.watch();
            if state.notebook.with_untracked(|nb| nb.records().next().is_some()) {
                // There is data to keep: ask once per start. Chromium answers without asking the user.
                state.health.request_persistence();
            }
            state.start_saving();
            state.start_sync();
        }
        state
    }

    /// Days since the last export, or since the oldest record when nothing was ever exported; `None`
    /// when there is nothing to export.
    pub fn days_unexported(&self, now_ms: u64) -> Option<u64> {
        let since =
            self.exchange.export_state.with(|s| s.last_ms).or_else(|| {
                self.notebook.with(|nb| nb.records().filter_map(|r| r.created()).map(|s| s.wall_ms).min())
            })?;
        Some(now_ms.saturating_sub(since) / 86_400_000)
    }

    /// Whether the officer still has to name this device.
    pub fn needs_setup(&self) -> bool {
        self.device.with(|d| d.officer.trim().is_empty() || d.label.trim().is_empty())
    }

    /// Saves the device profile.
    pub fn save_device(&self, device: DeviceProfile) {
        self.adopt_device(device.clone());
        self.save_meta(storage::DEVICE_KEY, device);
    }

    /// Makes `device` this device's profile, here and in the notebook.
    fn adopt_device(&self, device: DeviceProfile) {
        let replicas = self.replicas.get_value();
        self.notebook.update(|nb| learn_own_profile(nb, &replicas, &device));
        self.device.set(device);
    }
}

/// The app state from context.
pub fn use_app() -> AppState {
    // Provided by `App` before any screen renders; a screen rendered without it is a programming error.
    use_context::<AppState>().expect("AppState is provided by App")
}
