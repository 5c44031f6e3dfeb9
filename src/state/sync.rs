//! Syncing with the team hub: enrolment, the loop that pushes and pulls by itself, and what the shell
//! and Settings → Team hub show. The rules are core's (`exchange::hub`); the requests are the
//! platform's (`platform::hub`). This file only runs them in order.
//!
//! One tab syncs at a time: the one holding the Web Lock `liaison-hub/v1/sync`. It pushes as the
//! device (the profile id every tab exports under), from the device's one export state, which every
//! tab joins through storage; the other tabs see its progress through the stored link.

use leptos::prelude::*;
use leptos::task::spawn_local;
use liaison_core::exchange::hub::{
    self, backoff_ms, read_code, EnrolRequest, HubLink, Next, PendingPush, Problem, Pulled, StatusInput, Tone,
    Transport,
};
use liaison_core::exchange::{self, ImportLog};
use liaison_core::formats::bundle::{self, Scope};
use liaison_core::marking::Ceiling;
use liaison_core::storage::{DEVICES_KEY, EXPORT_KEY};
use liaison_core::text::plural;

use super::AppState;
use crate::platform::hub::{self as net, Failed};
use crate::platform::{self, hold_for_page};

/// How long a pull waits for a page's records to be stored before it leaves the cursor where it was.
const STORED_PATIENCE_MS: u64 = 20_000;

/// The lock whose holder is the tab that syncs.
const SYNC_LOCK: &str = "liaison-hub/v1/sync";
/// How often a tab that does not hold the lock asks for it again.
const LOCK_RETRY_MS: u64 = 10_000;

/// Where this device's sync stands. Copy: every part is an arena handle.
#[derive(Clone, Copy)]
pub struct HubSync {
    /// The enrolment and sync state; `None` for a notebook that never joined a hub.
    pub link: RwSignal<Option<HubLink>>,
    /// What went wrong in the last attempt, until one succeeds.
    pub problem: RwSignal<Option<Problem>>,
    /// Records waiting to reach the hub, counted a few seconds after the last edit.
    pub waiting: RwSignal<usize>,
    /// Whether the browser has a network.
    pub online: RwSignal<bool>,
    /// Now, refreshed every few seconds, for "Synced 2 min ago".
    pub now_ms: RwSignal<u64>,
    /// An enrolment under way.
    pub enrolling: RwSignal<bool>,
    /// The code a `/?enrol=CODE` link brought, until it is used: Team hub fills it in and asks.
    pub offered_code: RwSignal<Option<String>>,
    /// Failures in a row, for the backoff.
    failures: StoredValue<u32>,
    /// Bumped by each edit; the count of waiting records follows the last one only.
    edits: StoredValue<u64>,
}

impl HubSync {
    pub(super) fn new() -> Self {
        HubSync {
            link: RwSignal::new(net::load_link()),
            problem: RwSignal::new(None),
            waiting: RwSignal::new(0),
            online: RwSignal::new(platform::is_online()),
            now_ms: RwSignal::new(platform::now_ms()),
            enrolling: RwSignal::new(false),
            offered_code: RwSignal::new(platform::hub::enrol_param()),
            failures: StoredValue::new(0),
            edits: StoredValue::new(0),
        }
    }

    /// The shell's status line and its tone, or `None` for a notebook that never joined a hub.
    pub fn status(&self) -> Option<(String, Tone)> {
        let problem = self.problem.get();
        self.link.with(|link| {
            let link = link.as_ref()?;
            let input = StatusInput {
                online: self.online.get(),
                waiting: link.waiting(self.waiting.get()),
                problem: problem.as_ref(),
                now_ms: self.now_ms.get(),
            };
            Some(hub::status(link, input))
        })
    }
}

/// What stopped a pass.
enum Stop {
    /// Try again after the backoff.
    Problem(Problem),
    /// Another tab left the hub, or this one did: nothing to sync with.
    Unlinked,
}

impl From<Problem> for Stop {
    fn from(p: Problem) -> Self {
        Stop::Problem(p)
    }
}

fn transport(f: Failed) -> Transport {
    match f {
        Failed::Transport(t) => t,
        // Only long polls are interruptible, and they are told apart before this.
        Failed::Interrupted => Transport::TimedOut,
    }
}

impl AppState {
    /// Reconciles the export state with a stored push, listens for what should start a sync, and
    /// starts the loop in whichever tab gets the lock.
    pub(super) fn start_sync(&self) {
        let state = *self;
        let sync = self.sync;
        if let Some(link) = sync.link.get_untracked() {
            state.reconcile(&link);
        }
        net::on_link_change(move |link| {
            if let Some(l) = &link {
                state.reconcile(l);
            }
            sync.link.set(link);
            net::wake();
        });
        let listener = platform::on_online_change(move |online| {
            sync.online.set(online);
            if online {
                net::wake();
            }
        });
        // The listener lives as long as the page.
        std::mem::forget(listener);
        net::on_visibility_change(move |visible| {
            if visible {
                net::wake();
            }
        });
        net::every(5_000, move || sync.now_ms.set(platform::now_ms()));
        // A few seconds after an edit (or a pulled page, or another tab's edit): count what waits, and
        // push it. The count is not kept up per keystroke, since it looks at every changed record.
        Effect::new(move |_| {
            state.notebook.track();
            sync.edits.update_value(|e| *e += 1);
            let edit = sync.edits.get_value();
            net::after(hub::AFTER_EDIT_MS, move || {
                if sync.edits.try_get_value() == Some(edit) {
                    state.count_waiting();
                    net::wake();
                }
            });
        });
        state.count_waiting();
        spawn_local(async move {
            // A browser without Web Locks syncs from every tab: the hub takes repeats, and a tab's
            // sequence numbers come from the one export state all tabs join.
            while !hold_for_page(SYNC_LOCK).await.unwrap_or(true) {
                net::sleep_or_wake(LOCK_RETRY_MS).await;
            }
            state.sync_loop().await;
        });
    }

    /// Keeps the export state's sequence ahead of what the hub and the kept push have seen.
    fn reconcile(&self, link: &HubLink) {
        let before = self.exchange.export_state.get_untracked();
        let mut after = before.clone();
        link.reconcile(&mut after);
        if after != before {
            self.exchange.export_state.set(after.clone());
            self.save_meta(EXPORT_KEY, after);
        }
    }

    fn count_waiting(&self) {
        let n = self.changes_since_export_untracked();
        if self.sync.waiting.try_get_untracked() != Some(n) {
            self.sync.waiting.set(n);
        }
    }

    fn changes_since_export_untracked(&self) -> usize {
        let replicas = self.replicas.get_value();
        self.exchange.export_state.with_untracked(|s| self.notebook.with_untracked(|nb| s.pending(nb, &replicas).len()))
    }

    async fn sync_loop(self) {
        let sync = self.sync;
        loop {
            net::clear_wake();
            let linked = sync.link.with_untracked(|l| l.as_ref().is_some_and(|l| l.stopped.is_none()));
            if !linked || !sync.online.get_untracked() {
                net::sleep_or_wake(hub::EVERY_MS).await;
                continue;
            }
            match self.sync_pass().await {
                Ok(()) => {
                    sync.failures.set_value(0);
                    sync.problem.set(None);
                    if net::is_visible() {
                        // Another officer's edit arrives while the officer looks, with no step of theirs.
                        if let Err(Stop::Problem(p)) = self.long_poll().await {
                            self.failed(p).await;
                        }
                    } else {
                        net::sleep_or_wake(hub::EVERY_MS).await;
                    }
                }
                Err(Stop::Problem(p)) => self.failed(p).await,
                Err(Stop::Unlinked) => {}
            }
        }
    }

    async fn failed(&self, problem: Problem) {
        let sync = self.sync;
        sync.failures.update_value(|f| *f = f.saturating_add(1));
        let retry_after = match &problem {
            Problem::RateLimited { after_s } => *after_s,
            _ => None,
        };
        let wait = backoff_ms(sync.failures.get_value(), retry_after, net::random_u32());
        sync.problem.set(Some(problem));
        net::sleep_or_wake(wait).await;
    }

    /// Pushes what waits, then pulls to the end. A browser without IndexedDB cannot keep a push, so it
    /// only pulls, and the pass ends with the problem that tells the officer why nothing was sent.
    async fn sync_pass(&self) -> Result<(), Stop> {
        let mut unsent = None;
        loop {
            let link = self.sync.link.get_untracked().ok_or(Stop::Unlinked)?;
            self.count_waiting();
            match link.next(self.sync.waiting.get_untracked()) {
                Next::Stopped => return Err(Stop::Unlinked),
                Next::Pull => break,
                Next::Export(scope) => match self.make_push(link, scope).await {
                    Err(Stop::Problem(Problem::NoDatabase)) => {
                        unsent = Some(Problem::NoDatabase);
                        break;
                    }
                    other => other?,
                },
                Next::Resend => {
                    let Some(push) = &link.unacked else { continue };
                    // Read back from its store every time, after a reload too: what is sent is what
                    // was kept, and bytes that are not (lost, cut short) give a push of everything.
                    let stored = net::kept_push(push.sequence).await;
                    let Some(text) = self.with_link(|l| l.kept_bytes(stored))? else { continue };
                    let team = link.enrolled.team.clone();
                    let path = format!("/v1/teams/{team}/push");
                    let answer = net::request("POST", &path, Some(&link.token), Some(&text), hub::TIMEOUT_MS, false)
                        .await
                        .map_err(transport);
                    let settled = self.with_link(|l| l.on_push(answer.as_ref().map_err(|t| *t)))?;
                    if self.sync.link.with_untracked(|l| l.as_ref().is_some_and(|l| l.unacked.is_none())) {
                        net::forget_push().await;
                    }
                    settled?;
                }
            }
        }
        loop {
            let link = self.sync.link.get_untracked().ok_or(Stop::Unlinked)?;
            match self.pull(&link, 0).await? {
                true => continue,
                false => break,
            }
        }
        if let Some(problem) = unsent {
            return Err(Stop::Problem(problem));
        }
        let now = platform::now_ms();
        self.with_link(|l| l.synced(now))?;
        Ok(())
    }

    /// One pull; `Ok(true)` when more pages wait.
    async fn pull(&self, link: &HubLink, wait_s: u64) -> Result<bool, Stop> {
        let mut path = format!("/v1/teams/{}/pull?wait={wait_s}", link.enrolled.team);
        if let Some(c) = &link.cursor {
            // A cursor is digits, a dot and a UUID: nothing to encode.
            path.push_str(&format!("&cursor={c}"));
        }
        let timeout = hub::TIMEOUT_MS + wait_s * 1000;
        let answer = match net::request("GET", &path, Some(&link.token), None, timeout, wait_s > 0).await {
            Err(Failed::Interrupted) => return Ok(false),
            other => other.map_err(transport),
        };
        let pulled = self.with_link(|l| l.on_pull(answer.as_ref().map_err(|t| *t)))??;
        match pulled {
            Pulled::InSync { cursor } => {
                self.with_link(|l| l.pulled(cursor))?;
                Ok(false)
            }
            Pulled::Page { bundle, cursor, more } => {
                self.apply_page(&bundle)?;
                // The cursor moves past a page only once its records are stored. Saved first, it would
                // outlive records lost to a closed tab or a full disk, and the hub would not send them
                // again; left behind, the page is pulled again and joins as a repeat.
                if !self.all_stored_within(STORED_PATIENCE_MS).await {
                    return Ok(false);
                }
                self.with_link(|l| l.pulled(cursor))?;
                Ok(more)
            }
        }
    }

    /// Waits until every changed record and metadata value has reached storage, for at most `ms`.
    pub(super) async fn all_stored_within(&self, ms: u64) -> bool {
        let until = platform::now_ms().saturating_add(ms);
        while self.saving.unsaved() > 0 {
            if platform::now_ms() >= until {
                return false;
            }
            platform::after_next_paint().await;
        }
        true
    }

    /// Waits for news from the hub while the page is visible, and applies it.
    async fn long_poll(&self) -> Result<(), Stop> {
        let link = self.sync.link.get_untracked().ok_or(Stop::Unlinked)?;
        if link.unacked.is_some() || self.sync.waiting.get_untracked() > 0 {
            // Something still waits to go (an edit made during the pass): a short pause, then a pass.
            net::sleep_or_wake(hub::AFTER_EDIT_MS).await;
            return Ok(());
        }
        if self.pull(&link, hub::LONG_POLL_S).await? {
            // More pages: the next pass takes them at once.
            net::wake();
        }
        Ok(())
    }

    /// Makes the next push and keeps it: its bytes in their store, then the link that says what they
    /// are, then the export state, so that a device that stops between any two resends it rather than
    /// skip it (and one that stops before the link was kept makes it again, at the same sequence).
    async fn make_push(&self, mut link: HubLink, scope: Scope) -> Result<(), Stop> {
        let turn = self.sequence_turn().await.map_err(|_| Problem::OtherTabExporting)?;
        let (export, state) = self
            .make_export(scope, Ceiling::All)
            .map_err(|problems| Stop::Problem(Problem::Refused(vec![problems])))?;
        net::keep_push(state.sequence, &export.text).await?;
        link.push_made(PendingPush::new(state.sequence, scope, export.records, &export.text, state.clone()));
        // The officer may have left the hub while the bytes were written: `keep_link` then stops.
        let token = link.token.clone();
        if self.sync.link.with_untracked(|l| l.as_ref().map(|l| &l.token) != Some(&token)) {
            return Err(Stop::Unlinked);
        }
        self.keep_link(link)?;
        self.record_export(state, turn).await;
        self.count_waiting();
        Ok(())
    }

    /// Applies a pulled page through the import pipeline, without a preview: whole or not at all.
    /// Conflicts land in Conflicts; edits dated in the future are told.
    fn apply_page(&self, text: &str) -> Result<(), Problem> {
        let now = platform::now_ms();
        let read = bundle::read_bundle(text.as_bytes(), now);
        // Pages are not logged as imports: the cursor says what was pulled, and a log entry per page
        // would grow without end.
        let plan = self
            .notebook
            .with_untracked(|nb| exchange::plan(nb, &ImportLog::default(), vec![("team hub".into(), read)], now));
        let mut conflicts = 0;
        let mut future = 0;
        for file in &plan.files {
            match file {
                exchange::FileVerdict::Rejected { problems, .. } => {
                    return Err(Problem::PageRefused(problems.iter().map(ToString::to_string).collect()));
                }
                exchange::FileVerdict::Ready(p) => {
                    conflicts += p.conflicts;
                    future += p.future_stamps;
                }
            }
        }
        if !plan.changes_anything() {
            return Ok(());
        }
        let mut scratch = ImportLog::default();
        let mut applied = None;
        self.notebook.update(|nb| applied = Some(exchange::apply(nb, &mut scratch, plan, now)));
        if let Some(Err(e)) = applied {
            return Err(Problem::PageRefused(vec![e.to_string()]));
        }
        self.persist_together();
        let devices: Vec<_> = self.notebook.with_untracked(|nb| nb.devices().values().cloned().collect());
        self.save_meta(DEVICES_KEY, devices);
        if conflicts > 0 {
            self.prompts.notify(format!(
                "{} from the team hub {} a conflict to resolve: choose in Conflicts.",
                plural(conflicts, "record", "records"),
                if conflicts == 1 { "has" } else { "have" }
            ));
        }
        if future > 0 {
            self.prompts.notify(format!(
                "{} from the team hub {} dated in the future: the clock of the device that made them may be wrong.",
                plural(future, "edit", "edits"),
                if future == 1 { "is" } else { "are" }
            ));
        }
        Ok(())
    }

    /// Changes the link and keeps it; `Err(Unlinked)` when the officer left the hub meanwhile.
    fn with_link<T>(&self, f: impl FnOnce(&mut HubLink) -> T) -> Result<T, Stop> {
        let mut link = self.sync.link.get_untracked().ok_or(Stop::Unlinked)?;
        let out = f(&mut link);
        self.keep_link(link)?;
        Ok(out)
    }

    fn keep_link(&self, link: HubLink) -> Result<(), Stop> {
        // Another tab may have left the hub (or enrolled again) since this pass began: its choice stands.
        let stored = net::load_link();
        if stored.as_ref().map(|l| &l.token) != Some(&link.token) {
            self.sync.link.set(stored);
            return Err(Stop::Unlinked);
        }
        net::save_link(Some(&link)).map_err(|e| Stop::Problem(Problem::NotKept(e)))?;
        self.sync.link.set(Some(link));
        Ok(())
    }

    /// Enrols this device with the hub it was opened from, by a code the officer typed or a link
    /// brought. `Err` with what to tell the officer.
    pub async fn enrol(&self, input: &str) -> Result<(), String> {
        let code = read_code(input).map_err(|e| e.message().to_string())?;
        let device = self.device.get_untracked();
        let request = EnrolRequest { code, device: Some(device.id), label: Some(device.label.clone()) };
        let body = serde_json::to_string(&request).map_err(|e| e.to_string())?;
        self.sync.enrolling.set(true);
        let answer = net::request("POST", "/v1/enrol", None, Some(&body), hub::TIMEOUT_MS, false).await;
        self.sync.enrolling.set(false);
        let link = match answer {
            Ok(a) => HubLink::from_enrolment(&a),
            Err(f) => Err(Problem::of_transport(transport(f))),
        }
        .map_err(|p| p.message())?;
        net::save_link(Some(&link))?;
        self.reconcile(&link);
        self.sync.problem.set(None);
        self.sync.offered_code.set(None);
        self.sync.link.set(Some(link));
        net::wake();
        Ok(())
    }

    /// "Sync now": a stopped sync tries again, and a waiting one goes at once.
    pub fn sync_now(&self) {
        if let Some(mut link) = self.sync.link.get_untracked() {
            link.resume();
            if net::save_link(Some(&link)).is_ok() {
                self.sync.link.set(Some(link));
            }
        }
        self.sync.failures.set_value(0);
        self.sync.problem.set(None);
        net::wake();
    }

    /// Forgets the hub and its token; the notes stay. What a push the hub never acknowledged carried
    /// counts as not exported again, for the next file export.
    pub async fn leave_hub(&self) -> Result<(), String> {
        let kept = match self.sync.link.get_untracked().and_then(|l| l.unacked) {
            Some(push) => net::kept_push(push.sequence).await,
            None => None,
        };
        let link = self.sync.link.get_untracked();
        net::save_link(None)?;
        if let Some(link) = link {
            let mut state = self.exchange.export_state.get_untracked();
            link.leave(&mut state, kept.as_deref(), platform::now_ms());
            self.exchange.export_state.set(state.clone());
            self.save_meta(EXPORT_KEY, state);
        }
        net::forget_push().await;
        self.sync.link.set(None);
        self.sync.problem.set(None);
        self.count_waiting();
        net::wake();
        Ok(())
    }
}
