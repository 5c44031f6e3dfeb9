//! Export: everything, or the changes since the last export, as a bundle file.

use crate::components::marking::CeilingSelect;
use leptos::prelude::*;
use leptos::task::spawn_local;
use liaison_core::exchange;
use liaison_core::formats::bundle::Scope;
use liaison_core::formats::FileFormat;
use liaison_core::text::plural;

use crate::components::time::human_time;
use crate::state::use_app;

/// The export screen.
#[component]
pub fn Export() -> impl IntoView {
    let app = use_app();
    let exported_before = app.exchange.export_state.with_untracked(|s| s.sequence > 0);
    let (scope, set_scope) = signal(if exported_before { Scope::Changes } else { Scope::All });
    // Each outcome shows under the buttons that asked for it, so it is where the officer is looking
    // (at the foot of the screen it was below the fold on a laptop).
    let (result, set_result) = signal(None::<Result<String, String>>);
    let (other_result, set_other_result) = signal(None::<Result<String, String>>);
    let ceiling = app.exchange.export_ceiling;
    let (excel, set_excel) = signal(false);
    let other = move |format: FileFormat| {
        set_result.set(None);
        set_other_result.set(Some(app.export_format(format, ceiling.get_untracked(), excel.get_untracked())));
    };
    let total = move || app.notebook.with(|nb| nb.records().count());
    let changes = move || app.changes_since_export();
    let count = move || match scope.get() {
        Scope::All => total(),
        Scope::Changes => changes(),
    };
    let last = move || {
        app.exchange.export_state.with(|s| match (s.last_ms, s.last_scope) {
            (Some(ms), Some(sc)) => format!(
                "Last export: {} — bundle {}, {}.",
                human_time(ms),
                s.sequence,
                if sc == Scope::All { "everything" } else { "changes only" }
            ),
            _ => "Nothing has been exported from this device yet.".to_string(),
        })
    };
    let said = |e: exchange::Export| {
        let marked = if e.marking.is_empty() { String::new() } else { format!(", marked {}", e.marking) };
        let saved = format!("Saved {} with {}{marked}.", e.file_name, plural(e.records, "record", "records"));
        match e.left_out_message() {
            Some(left_out) => format!("{saved} {left_out}"),
            None => saved,
        }
    };
    // An export waits for its sequence number (another tab may be exporting) and the browser compresses
    // in the background; the buttons wait too, so that a second click does not make a second bundle.
    let (busy, set_busy) = signal(false);
    let (compressing, set_compressing) = signal(false);
    let export = move |_| {
        set_busy.set(true);
        set_result.set(None);
        set_other_result.set(None);
        spawn_local(async move {
            set_result.set(Some(app.export(scope.get_untracked(), ceiling.get_untracked()).await.map(said)));
            set_busy.set(false);
        });
    };
    let export_smaller = move |_| {
        set_busy.set(true);
        set_compressing.set(true);
        set_result.set(None);
        set_other_result.set(None);
        spawn_local(async move {
            let outcome = app.export_compressed(scope.get_untracked(), ceiling.get_untracked()).await;
            set_result.set(Some(outcome.map(said)));
            set_compressing.set(false);
            set_busy.set(false);
        });
    };
    view! {
        <section class="screen narrow">
            <header class="screen-header">
                <div>
                    <h1>"Export"</h1>
                    <p class="muted">"Hand your notes to a coordinator as one bundle file. It contains your records as they are on this device, and no passwords or settings."</p>
                </div>
            </header>
            <p class="last-export">{last}</p>
            <fieldset class="choice-group">
                <legend>"What to export"</legend>
                <label class="choice">
                    <input
                        type="radio"
                        name="scope"
                        prop:checked=move || scope.get() == Scope::Changes
                        on:change=move |_| set_scope.set(Scope::Changes)
                    />
                    <span>
                        <strong>"Changes since the last export"</strong>
                        <span class="muted">{move || format!("{} you changed, not yet exported", plural(changes(), "record", "records"))}</span>
                    </span>
                </label>
                <label class="choice">
                    <input
                        type="radio"
                        name="scope"
                        prop:checked=move || scope.get() == Scope::All
                        on:change=move |_| set_scope.set(Scope::All)
                    />
                    <span>
                        <strong>"Everything"</strong>
                        <span class="muted">{move || format!("{}, including deleted ones so deletions travel too", plural(total(), "record", "records"))}</span>
                    </span>
                </label>
            </fieldset>
            <div class="field narrow-field">
                <label for="ceiling">"Include records marked"</label>
                <CeilingSelect id="ceiling" describedby="ceiling-hint" />
                <p class="hint" id="ceiling-hint">"Applies to every export, the contacts list's too, until you close Liaison. Unmarked records count as open; labels Liaison cannot grade go only with “everything”. A bundle of changes keeps what it leaves out waiting for the next export that allows it."</p>
            </div>
            <div class="preview-actions">
                <button type="button" class="button primary" on:click=export disabled=move || count() == 0 || busy.get()>
                    "Export"
                </button>
                <button type="button" class="button" aria-describedby="smaller-hint" on:click=export_smaller disabled=move || count() == 0 || busy.get()>
                    {move || if compressing.get() { "Compressing…" } else { "Export as a smaller file (.json.gz)" }}
                </button>
            </div>
            <ExportOutcome result />
            <p class="hint" id="smaller-hint">"The same bundle, compressed to a fraction of its size for e-mail or a small memory stick. Liaison and the liaison tool open either file."</p>
            <section class="other-formats" aria-labelledby="formats-heading">
                <h2 id="formats-heading">"Other formats"</h2>
                <p class="muted">"For address books, calendars and spreadsheets. The marking shows in every file."</p>
                <div class="preview-actions">
                    <button type="button" class="button" on:click=move |_| other(FileFormat::VCard)>"Contacts as vCard (.vcf)"</button>
                    <button type="button" class="button" on:click=move |_| other(FileFormat::ICal)>"Meetings and follow-ups as iCalendar (.ics)"</button>
                    <button type="button" class="button" on:click=move |_| other(FileFormat::Csv)>"Spreadsheet files (.csv)"</button>
                </div>
                <label class="choice">
                    <input type="checkbox" prop:checked=excel on:change=move |ev| set_excel.set(event_target_checked(&ev)) />
                    <span>"CSV for Excel (UTF-8 with a byte-order mark)"</span>
                </label>
                <ExportOutcome result=other_result />
            </section>
        </section>
    }
}

/// What an export did, or why it failed, beside the buttons that started it; brought into view, since
/// on a small screen even the line under the button can be past the bottom edge.
#[component]
fn ExportOutcome(result: ReadSignal<Option<Result<String, String>>>) -> impl IntoView {
    let shown = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let (Some(_), Some(el)) = (result.get(), shown.get()) {
            crate::platform::scroll_into_view(&el);
        }
    });
    view! {
        <div class="export-outcome" node_ref=shown>
            {move || result.get().map(|r| match r {
                Ok(msg) => view! { <p class="banner-inline ok" role="status">{msg}</p> }.into_any(),
                Err(e) => view! { <p class="banner-inline danger" role="alert">{format!("The export could not be saved: {e}")}</p> }.into_any(),
            })}
        </div>
    }
}
