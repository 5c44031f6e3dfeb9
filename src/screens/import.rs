//! Import: pick or drop bundle files, see what each would do, then confirm. Nothing changes before.

use leptos::prelude::*;
use leptos_router::components::A;
use liaison_core::exchange::summary::{self, Change, ImportSummary, NOT_GRADED};
use liaison_core::exchange::{FileVerdict, Preview};
use liaison_core::formats::bundle::Scope;
use liaison_core::formats::FileFormat;
use liaison_core::schema::Kind;
use liaison_core::text::plural;

use crate::components::marking::MarkingTag;
use crate::components::time::human_time;
use crate::platform;
use crate::state::use_app;

/// The import screen.
#[component]
pub fn Import() -> impl IntoView {
    let app = use_app();
    let (dragging, set_dragging) = signal(false);
    let take = move |files: Vec<platform::FileToRead>| app.import_files(files);
    let on_pick = move |ev: leptos::ev::Event| take(platform::picked_files(&ev));
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        set_dragging.set(false);
        take(platform::dropped_files(&ev));
    };
    let ready_count = move || {
        app.exchange
            .import_plan
            .with(|p| p.as_ref().map(|p| p.ready().filter(|r| r.repeat_of.is_none()).count()).unwrap_or(0))
    };
    let changes = move || app.exchange.import_plan.with(|p| p.as_ref().is_some_and(|p| p.changes_anything()));
    // Counted once per plan: the notebook is read as it is when the preview opens.
    let preview = Memo::new(move |_| {
        app.exchange.import_plan.with(|p| {
            p.as_ref().map(|p| {
                let files: Vec<FileVerdict> =
                    summary::files_in_order(p).into_iter().map(|i| p.files[i].clone()).collect();
                let total = app
                    .notebook
                    .with_untracked(|nb| app.exchange.import_log.with_untracked(|log| summary::summarize(nb, log, p)));
                (files, total)
            })
        })
    });
    view! {
        <section class="screen">
            <header class="screen-header">
                <div>
                    <h1>"Import"</h1>
                    <p class="muted">"Bring in bundles from other officers. Every file is checked first; nothing changes until you confirm."</p>
                </div>
            </header>
            <div
                class="drop-zone"
                class:dragging=dragging
                on:dragover=move |ev: leptos::ev::DragEvent| {
                    ev.prevent_default();
                    set_dragging.set(true);
                }
                on:dragleave=move |_| set_dragging.set(false)
                on:drop=on_drop
            >
                <label for="bundle-files" class="button primary">"Choose bundle files"</label>
                <input id="bundle-files" class="visually-hidden" type="file" accept=".json,.gz,.vcf,.ics,.csv,application/json,application/gzip,text/vcard,text/calendar,text/csv" multiple on:change=on_pick />
                <p class="muted">"…or drop them here. You can choose several at once: bundles (.json, or the smaller .json.gz), contacts (.vcf, or a spreadsheet of contacts from Outlook or Google as .csv) and calendar invitations (.ics)."</p>
            </div>
            <ImportProgressBar />
            // Only the verdicts and the summary are taken out of the plan: it holds every record the files bring.
            {move || preview.get().map(|(files, summary)| {
                let gaps = summary.gaps.clone();
                view! {
                    <section class="preview" aria-labelledby="preview-heading">
                        <h2 id="preview-heading">"Preview"</h2>
                        <ImportTotal summary />
                        {(!gaps.is_empty()).then(|| view! {
                            <div class="note warn gap-warning" role="alert">
                                <p><strong>"Bundles are missing."</strong>" Their changes are not in these files, so this import leaves them out; what later bundles changed on top of them may look older than it is. Import them too if you can get them."</p>
                                <ul>{gaps.into_iter().map(|g| view! { <li>{g}</li> }).collect_view()}</ul>
                            </div>
                        })}
                        <div class="preview-actions">
                            <button type="button" class="button primary" disabled=move || ready_count() == 0 on:click=move |_| app.confirm_import()>
                                {move || if changes() { "Import" } else { "Import (nothing new)" }}
                            </button>
                            <button
                                type="button"
                                class="button"
                                on:click=move |_| app.cancel_import()
                            >
                                "Cancel"
                            </button>
                        </div>
                        <h3 class="preview-files-heading">"Files, by officer and bundle number"</h3>
                        <ul class="preview-list">
                            {files.into_iter().map(|f| view! { <PreviewCard verdict=f /> }).collect_view()}
                        </ul>
                    </section>
                }
            })}
            {move || app.exchange.last_import.with(|l| l.as_ref().map(|l| l.summary.clone())).map(|summary| view! {
                <div class="banner-inline ok" role="status">
                    <span>{summary}</span>
                    <button type="button" class="button" on:click=move |_| app.undo_import()>"Undo last import"</button>
                </div>
            })}
            <ConflictHint />
            <ImportHistory />
        </section>
    }
}

/// What the import brings across all its files: a list per category that opens to the records' titles,
/// and how many of those records carry each marking.
#[component]
fn ImportTotal(summary: ImportSummary) -> impl IntoView {
    let files = summary.ready + summary.rejected;
    let mut line = format!(
        "{}: {} to add or change, of {} carried.",
        plural(files, "file", "files"),
        plural(summary.changed, "record", "records"),
        summary.carried
    );
    if summary.rejected > 0 {
        line.push_str(&format!(" {} refused (below).", plural(summary.rejected, "file is", "files are")));
    }
    if summary.repeats > 0 {
        line.push_str(&format!(" {} imported before.", plural(summary.repeats, "file was", "files were")));
    }
    view! {
        <section class="import-total" aria-labelledby="total-heading">
            <h3 id="total-heading">"All files together"</h3>
            <p class="muted">{line}</p>
            <div class="change-lists">
                {summary.categories.into_iter().map(|c| {
                    let warn = c.change == Change::Conflict && c.count > 0;
                    let label = c.change.label();
                    if c.count == 0 {
                        return view! {
                            <div class="change-list nothing">
                                <span class="change-name">{label}</span>
                                <span class="change-count">"0"</span>
                            </div>
                        }.into_any();
                    }
                    let more = c.count.saturating_sub(c.listed.len());
                    view! {
                        <details class="change-list" class:warn=warn>
                            <summary>
                                <span class="change-name">{label}</span>
                                <span class="change-count">{c.count}</span>
                            </summary>
                            <ul aria-label=label>
                                {c.listed.into_iter().map(|t| view! {
                                    <li><span class="kind-tag">{kind_word(t.kind)}</span><span class="change-title">{t.title}</span></li>
                                }).collect_view()}
                            </ul>
                            {(more > 0).then(|| view! { <p class="muted">{format!("…and {more} more.")}</p> })}
                        </details>
                    }.into_any()
                }).collect_view()}
            </div>
            {(!summary.markings.is_empty()).then(|| view! {
                <div class="marking-summary">
                    <h4 id="markings-heading">"Markings of these records"</h4>
                    <ul aria-labelledby="markings-heading">
                        {summary.markings.into_iter().map(|m| {
                            let count = plural(m.records, "record", "records");
                            let shown = if m.marking.is_empty() {
                                view! { <span class="marking-none">"No marking"</span> }.into_any()
                            } else if m.marking == NOT_GRADED {
                                view! { <span class="marking-none">{NOT_GRADED}</span> }.into_any()
                            } else {
                                view! { <MarkingTag marking=m.marking.clone() /> }.into_any()
                            };
                            view! { <li>{shown}<span class="marking-count">{count}</span></li> }
                        }).collect_view()}
                    </ul>
                </div>
            })}
        </section>
    }
}

fn kind_word(kind: Kind) -> &'static str {
    match kind {
        Kind::Contact => "Contact",
        Kind::Meeting => "Meeting",
        Kind::Action => "Follow-up",
    }
}

/// While files are read and checked: which file, how many records so far, a progress bar, and Cancel.
#[component]
fn ImportProgressBar() -> impl IntoView {
    let app = use_app();
    let progress = app.exchange.import_progress;
    // Built once and updated in place, so that a click on Cancel is never lost to a redrawn button.
    let label = move || {
        progress.with(|p| p.as_ref().map(|p| format!("Reading {} of {}…", p.file, plural(p.files, "file", "files"))))
    };
    let records = move || {
        progress.with(|p| {
            p.as_ref().map(|p| {
                format!(
                    "{} read and checked so far. Nothing changes until you confirm.",
                    plural(p.records, "record", "records")
                )
            })
        })
    };
    view! {
        <Show when=move || progress.with(Option::is_some)>
            <div class="import-progress" role="status">
                <label for="import-progress">{label}</label>
                <progress id="import-progress" max="1" prop:value=move || progress.with(|p| p.as_ref().map_or(0.0, |p| p.done))></progress>
                <p class="muted">{records}</p>
                <div>
                    <button type="button" class="button" on:click=move |_| app.cancel_import()>"Cancel"</button>
                </div>
            </div>
        </Show>
    }
}

#[component]
fn PreviewCard(verdict: FileVerdict) -> impl IntoView {
    match verdict {
        FileVerdict::Rejected { file, problems } => view! {
            <li class="preview-card rejected">
                <h3>{file}</h3>
                <p class="verdict">"Rejected — nothing from this file will be imported:"</p>
                <ul class="problems">
                    {problems.into_iter().take(20).map(|p| view! { <li>{p.to_string()}</li> }).collect_view()}
                </ul>
            </li>
        }
        .into_any(),
        FileVerdict::Ready(p) => view! { <ReadyCard p /> }.into_any(),
    }
}

#[component]
fn ReadyCard(p: Preview) -> impl IntoView {
    let who = p.device.name().unwrap_or_else(|| "an unnamed device".to_string());
    let scope = if p.scope == Scope::All { "everything" } else { "changes" };
    view! {
        <li class="preview-card">
            <h3>{p.file.clone()}</h3>
            <p class="muted">{match p.format {
                Some(f) => format!("{} file: {}", f.name(), if f == FileFormat::ICal { "meetings and follow-ups" } else { "contacts" }),
                None => format!("Bundle {} from {who}, {scope}, exported {}", p.sequence, human_time(p.created_ms)),
            }}</p>
            {p.repeat_of.map(|t| view! {
                <p class="note">{format!("Already imported on {}. Importing it again changes nothing.", human_time(t))}</p>
            })}
            <dl class="counts">
                <div><dt>"New"</dt><dd>{p.new}</dd></div>
                <div><dt>"Updated"</dt><dd>{p.updated}</dd></div>
                <div><dt>"Unchanged"</dt><dd>{p.unchanged}</dd></div>
                <div class:warn={p.conflicts > 0}><dt>"Conflicts"</dt><dd>{p.conflicts}</dd></div>
                <div><dt>"Deleted"</dt><dd>{p.deleted}</dd></div>
            </dl>
            {(p.future_stamps > 0).then(|| view! {
                <p class="note warn">{format!(
                    "{} dated in the future: the sending device's clock is probably wrong. They are kept, but will not move this device's clock.",
                    liaison_core::text::plural(p.future_stamps, "edit is", "edits are")
                )}</p>
            })}
            {p.shared_ids.iter().map(|id| view! {
                <p class="note warn">{format!(
                    "Two devices share the id {id}: they wrote different values under one stamp (a copied browser profile or a restored backup?). Both values are kept as a conflict."
                )}</p>
            }).collect::<Vec<_>>()}
            {(p.format.is_some() && p.conflicts > 0).then(|| view! {
                <p class="note">"Where the file differs from what is here, both versions are kept for you to choose; nothing here is replaced."</p>
            })}
            {(!p.notes.is_empty()).then(|| view! {
                <ul class="file-notes">
                    {p.notes.iter().take(20).map(|m| view! { <li>{m.clone()}</li> }).collect_view()}
                </ul>
            })}
            {(p.notes.len() > 20).then(|| view! { <p class="muted">{format!("…and {} more.", p.notes.len() - 20)}</p> })}
            {(p.missing_links > 0).then(|| view! {
                <p class="note">{format!("{} at records not on this device yet; they will connect when those arrive.", liaison_core::text::plural(p.missing_links, "link points", "links point"))}</p>
            })}
        </li>
    }
}

#[component]
fn ConflictHint() -> impl IntoView {
    let app = use_app();
    let n = Memo::new(move |_| app.notebook.with(|nb| nb.conflicts().len()));
    move || {
        (n.get() > 0).then(|| {
            view! {
                <p class="note warn">
                    {format!("{} for a decision. ", liaison_core::text::plural(n.get(), "conflict waits", "conflicts wait"))}
                    <A href="/conflicts">"Review conflicts"</A>
                </p>
            }
        })
    }
}

#[component]
fn ImportHistory() -> impl IntoView {
    let app = use_app();
    let rows = Memo::new(move |_| app.imported_by_device());
    let gaps = Memo::new(move |_| app.gaps());
    view! {
        <section class="history-section" aria-labelledby="history-heading">
            <h2 id="history-heading">"Imported files"</h2>
            {move || gaps.get().into_iter().map(|g| view! { <p class="note warn" role="alert">{g}</p> }).collect_view()}
            <Show
                when=move || rows.with(|r| !r.is_empty())
                fallback=|| view! { <p class="muted">"Nothing imported on this device yet."</p> }
            >
                <table class="record-table">
                    <thead>
                        <tr><th scope="col">"From"</th><th scope="col">"Bundles"</th><th scope="col">"Last imported"</th></tr>
                    </thead>
                    <tbody>
                        {move || rows.get().into_iter().map(|(who, seqs, last)| view! {
                            <tr>
                                <td>{who}</td>
                                <td>{seqs.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")}</td>
                                <td>{human_time(last)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </Show>
        </section>
    }
}
