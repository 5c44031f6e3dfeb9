//! The page itself: printing, the start-up placeholder, and what a DOM event came from.

use wasm_bindgen::JsCast;

/// Opens the browser's print dialog for the page.
pub fn print() {
    if let Some(w) = web_sys::window() {
        let _ = w.print();
    }
}

/// Takes the element with this id out of the page, if it is there.
pub fn remove_element(id: &str) {
    if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id)) {
        el.remove();
    }
}

/// Whether an event came from somewhere that takes text: a field, a text area, a list or anything
/// editable.
pub fn came_from_a_field(ev: &web_sys::Event) -> bool {
    let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else {
        return false;
    };
    matches!(el.tag_name().to_lowercase().as_str(), "input" | "textarea" | "select")
        || el.has_attribute("contenteditable")
}

/// Whether focus is leaving `container` for somewhere outside it (or for nowhere), judged from a
/// `focusout` event: a menu closes then, and stays open while focus moves between its own items.
pub fn focus_left(ev: &web_sys::FocusEvent, container: &web_sys::Element) -> bool {
    match ev.related_target().and_then(|t| t.dyn_into::<web_sys::Node>().ok()) {
        Some(node) => !container.contains(Some(&node)),
        None => true,
    }
}

/// Whether `el` has the page's focus.
pub fn is_focused(el: &web_sys::Element) -> bool {
    web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element()).is_some_and(|a| a == *el)
}

/// The browser's user-agent string and platform hint, for suggesting a device label.
pub fn browser_and_platform() -> (String, String) {
    let Some(nav) = web_sys::window().map(|w| w.navigator()) else { return (String::new(), String::new()) };
    (nav.user_agent().unwrap_or_default(), nav.platform().unwrap_or_default())
}
