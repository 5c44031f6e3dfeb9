//! Form fields bound to one field of one record. They save on every keystroke: there is no Save button
//! to forget, and a reload mid-sentence keeps the sentence.

use leptos::prelude::*;
use leptos_router::components::A;
use liaison_core::crdt::id::RecordId;
use liaison_core::queries::conflicts::{anchor, field_conflict};
use liaison_core::schema::Field;
use liaison_core::schema::Value;
use liaison_core::validate::Problem;

use crate::components::time::short_time;
use crate::state::use_app;

/// The DOM id of a field's input, unique on the page.
pub fn input_id(id: RecordId, field: Field) -> String {
    format!("{}-{}", field.key(), id)
}

/// Splits what was typed into a list field: commas, semicolons or new lines separate items.
pub fn split_list(text: &str) -> Vec<String> {
    text.split([',', ';', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}

/// The problems of a field as the officer should see them: on a new record, only once they have left
/// the field (on blur), so that a blank form does not greet them with errors; on a record they
/// opened, at once.
fn shown_after_blur(id: RecordId, problems: Signal<Vec<Problem>>) -> (Signal<Vec<Problem>>, WriteSignal<bool>) {
    let app = use_app();
    let fresh = app.notebook.with_untracked(|nb| nb.is_draft(id));
    let (left, set_left) = signal(false);
    let shown = Signal::derive(move || if fresh && !left.get() { Vec::new() } else { problems.get() });
    (shown, set_left)
}

/// The problems reported for one field, under it.
#[component]
pub fn FieldProblems(id: RecordId, field: Field, dom_id: String, problems: Signal<Vec<Problem>>) -> impl IntoView {
    let app = use_app();
    let mine = move || {
        let refused = app.field_errors.with(|m| m.get(&(id, field)).cloned());
        problems.with(|p| {
            p.iter().filter(|p| p.field == field).map(|p| p.message.clone()).chain(refused).collect::<Vec<_>>()
        })
    };
    view! {
        <div class="field-problems" id=format!("{dom_id}-problems") aria-live="polite">
            {move || mine().into_iter().map(|m| view! { <p class="problem">{m}</p> }).collect_view()}
        </div>
    }
}

/// Whether another officer's value of this field waits beside the one shown: what the marker says.
fn conflict_note(id: RecordId, field: Field) -> Memo<Option<(String, String)>> {
    let app = use_app();
    Memo::new(move |_| {
        app.notebook.with(|nb| {
            let c = field_conflict(nb, id, field)?;
            let other = c.others.first()?;
            let more = match c.others.len() - 1 {
                0 => String::new(),
                1 => " and 1 more".into(),
                n => format!(" and {n} more"),
            };
            Some((
                format!("Another version by {}, {}{more}", other.author, short_time(other.wall_ms)),
                anchor(id, field),
            ))
        })
    })
}

/// The mark on a field that two officers changed without seeing each other's edit: who wrote the
/// other version, when, and a link to compare them on the Conflicts screen.
#[component]
pub fn ConflictMarker(id: RecordId, field: Field, dom_id: String) -> impl IntoView {
    let note = conflict_note(id, field);
    move || {
        note.get().map(|(text, anchor)| {
            view! {
                <p class="conflict-marker" id=format!("{dom_id}-conflict")>
                    <span class="conflict-marker-icon" aria-hidden="true">"⇄"</span>
                    <span>{text}" — "</span>
                    <A href=format!("/conflicts#{anchor}") attr:aria-label=format!("Compare the versions of {}", field.label())>"compare"</A>
                </p>
            }
        })
    }
}

/// The class of a field's box: the caller's, and `conflicted` while another version waits.
fn box_class(id: RecordId, field: Field, class: &'static str) -> impl Fn() -> String + Send + Sync + 'static {
    let note = conflict_note(id, field);
    move || if note.with(Option::is_some) { format!("field conflicted {class}") } else { format!("field {class}") }
}

/// A one-line text input (or date, time…), bound to a text field.
#[component]
pub fn TextField(
    id: RecordId,
    field: Field,
    #[prop(optional)] label: Option<&'static str>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] datalist: Option<&'static str>,
    #[prop(optional)] autofocus: bool,
    #[prop(optional)] class: &'static str,
    #[prop(into, default = Signal::stored(Vec::new()))] problems: Signal<Vec<Problem>>,
) -> impl IntoView {
    let app = use_app();
    let dom_id = input_id(id, field);
    let value = Memo::new(move |_| {
        app.notebook.with(|nb| nb.record(id).map(|r| r.text(field.key()).to_string()).unwrap_or_default())
    });
    let (problems, set_left) = shown_after_blur(id, problems);
    let invalid = move || problems.with(|p| p.iter().any(|p| p.field == field));
    let input = NodeRef::<leptos::html::Input>::new();
    // The autofocus attribute only acts on page load; screens reached by navigation focus here.
    Effect::new(move |_| {
        if let (true, Some(el)) = (autofocus, input.get()) {
            let _ = el.focus();
        }
    });
    view! {
        <div class=box_class(id, field, class)>
            <label for=dom_id.clone()>{label.unwrap_or(field.label())}</label>
            <input
                node_ref=input
                id=dom_id.clone()
                type=kind
                list=datalist
                autocomplete="off"
                // An empty date or time input would show the browser's "mm/dd/yyyy" or "--:--"; the
                // stylesheet hides it while the input is not focused.
                data-empty=move || value.with(String::is_empty).then_some("")
                prop:value=value
                aria-invalid=move || invalid().then_some("true")
                aria-describedby=format!("{dom_id}-conflict {dom_id}-problems {dom_id}-hint")
                on:input=move |ev| app.set(id, field, Value::Text(event_target_value(&ev)))
                on:blur=move |_| set_left.set(true)
            />
            {(kind == "date").then(|| view! { <DateShown value=value /> })}
            <ConflictMarker id field dom_id=dom_id.clone() />
            {hint.map(|h| view! { <p class="hint" id=format!("{dom_id}-hint")>{h}</p> })}
            <FieldProblems id field dom_id problems />
        </div>
    }
}

/// A date field's value as the rest of the app writes dates ("24 Nov 2026"), after the browser's own
/// date input, whose order of day and month follows the browser's language and cannot be set. The
/// stylesheet lays it over the input while the input is not focused; the input stays, so a date is
/// still typed or picked as before.
#[component]
pub fn DateShown(#[prop(into)] value: Signal<String>) -> impl IntoView {
    move || {
        let v = value.get();
        liaison_core::date::Date::parse(&v).is_ok().then(|| {
            view! { <span class="date-readout" aria-hidden="true">{liaison_core::date::human_date(&v)}</span> }
        })
    }
}

/// A multi-line text area bound to a text field.
#[component]
pub fn TextArea(
    id: RecordId,
    field: Field,
    #[prop(default = 4)] rows: u32,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    let app = use_app();
    let dom_id = input_id(id, field);
    let value = Memo::new(move |_| {
        app.notebook.with(|nb| nb.record(id).map(|r| r.text(field.key()).to_string()).unwrap_or_default())
    });
    let refused = move || app.field_errors.with(|m| m.contains_key(&(id, field)));
    view! {
        <div class=box_class(id, field, class)>
            <label for=dom_id.clone()>{field.label()}</label>
            <textarea
                id=dom_id.clone()
                rows=rows
                prop:value=value
                aria-invalid=move || refused().then_some("true")
                aria-describedby=format!("{dom_id}-conflict {dom_id}-problems")
                on:input=move |ev| app.set(id, field, Value::Text(event_target_value(&ev)))
            ></textarea>
            <ConflictMarker id field dom_id=dom_id.clone() />
            <FieldProblems id field dom_id problems=Signal::stored(Vec::new()) />
        </div>
    }
}

/// A text input for a list field: items separated by commas. What is typed stays as typed (a trailing
/// comma included) while the stored list follows it; a change from elsewhere (another tab) replaces it.
#[component]
pub fn ListField(
    id: RecordId,
    field: Field,
    #[prop(optional)] label: Option<&'static str>,
    #[prop(default = "Separate several with commas")] hint: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] class: &'static str,
    #[prop(into, default = Signal::stored(Vec::new()))] problems: Signal<Vec<Problem>>,
) -> impl IntoView {
    let app = use_app();
    let dom_id = input_id(id, field);
    let stored = Memo::new(move |_| {
        app.notebook.with(|nb| nb.record(id).map(|r| r.list(field.key()).to_vec()).unwrap_or_default())
    });
    let (text, set_text) = signal(stored.get_untracked().join(", "));
    let (problems, set_left) = shown_after_blur(id, problems);
    Effect::new(move |_| {
        let list = stored.get();
        if split_list(&text.get_untracked()) != list {
            set_text.set(list.join(", "));
        }
    });
    let invalid = move || problems.with(|p| p.iter().any(|p| p.field == field));
    view! {
        <div class=box_class(id, field, class)>
            <label for=dom_id.clone()>{label.unwrap_or(field.label())}</label>
            <input
                id=dom_id.clone()
                type=kind
                autocomplete="off"
                prop:value=text
                aria-invalid=move || invalid().then_some("true")
                aria-describedby=format!("{dom_id}-conflict {dom_id}-problems {dom_id}-hint")
                on:input=move |ev| {
                    let typed = event_target_value(&ev);
                    let list = split_list(&typed);
                    set_text.set(typed);
                    app.set(id, field, Value::List(list));
                }
                on:blur=move |_| set_left.set(true)
            />
            <ConflictMarker id field dom_id=dom_id.clone() />
            <p class="hint" id=format!("{dom_id}-hint")>{hint}</p>
            <FieldProblems id field dom_id problems />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::split_list;

    #[test]
    fn list_text_splits_on_commas_semicolons_and_lines() {
        assert_eq!(split_list("a@x.org, b@y.org;c@z.org\n "), ["a@x.org", "b@y.org", "c@z.org"]);
        assert!(split_list(" , ;").is_empty());
    }
}
