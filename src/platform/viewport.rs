//! Where the rows of a windowed list are on the screen, and moving the page and the focus to one of
//! them (see `components::window`). A row is any element with a `data-index` attribute (its place in the
//! whole list) inside the list's element.

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// What can take the focus inside a row: the controls arrow keys move between.
const FOCUSABLE: &str = "a[href], button, input, select, textarea";

fn call(on: &JsValue, method: &str, args: &[&JsValue]) -> Option<JsValue> {
    let f = Reflect::get(on, &JsValue::from_str(method)).ok()?.dyn_into::<Function>().ok()?;
    let args: Array = args.iter().copied().collect();
    f.apply(on, &args).ok()
}

fn number(on: &JsValue, name: &str) -> Option<f64> {
    Reflect::get(on, &JsValue::from_str(name)).ok()?.as_f64()
}

/// The height of the browser's viewport in CSS pixels.
pub fn viewport_height() -> f64 {
    web_sys::window().and_then(|w| w.inner_height().ok()).and_then(|h| h.as_f64()).unwrap_or(800.0)
}

/// One rendered row as measured: its place in the list, and its top edge (relative to the viewport) and
/// height in CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RowGeometry {
    /// The row's place in the whole list.
    pub index: usize,
    /// Its top edge, relative to the viewport.
    pub top: f64,
    /// Its height.
    pub height: f64,
}

fn measure(row: &web_sys::Element) -> Option<RowGeometry> {
    let index = row.get_attribute("data-index")?.parse().ok()?;
    let rect = call(row, "getBoundingClientRect", &[])?;
    Some(RowGeometry { index, top: number(&rect, "top")?, height: number(&rect, "height")? })
}

/// The first and the last rendered row inside `list`, measured (the same row twice when only one is).
pub fn rendered_rows(list: &web_sys::Element) -> Option<(RowGeometry, RowGeometry)> {
    let rows = call(list, "querySelectorAll", &[&JsValue::from_str("[data-index]")])?;
    let rows = Array::from(&rows);
    let first = rows.get(0).dyn_into::<web_sys::Element>().ok()?;
    let last = rows.get(rows.length().checked_sub(1)?).dyn_into::<web_sys::Element>().ok()?;
    Some((measure(&first)?, measure(&last)?))
}

/// The top edge of an element, relative to the viewport.
pub fn top_of(el: &web_sys::Element) -> f64 {
    call(el, "getBoundingClientRect", &[]).and_then(|r| number(&r, "top")).unwrap_or(0.0)
}

/// Scrolls the page by `dy` CSS pixels at once (no smooth scrolling: the row must be there to focus).
pub fn scroll_page_by(dy: f64) {
    if let Some(w) = web_sys::window() {
        w.scroll_by_with_x_and_y(0.0, dy);
    }
}

/// Scrolls the page just enough that `el` is on the screen (`scrollIntoView({block: "nearest"})`): an
/// element already in view does not move the page.
pub fn scroll_into_view(el: &web_sys::Element) {
    let options = js_sys::Object::new();
    if Reflect::set(&options, &JsValue::from_str("block"), &JsValue::from_str("nearest")).is_ok() {
        call(el, "scrollIntoView", &[&options]);
    }
}

fn focusables(row: &web_sys::Element) -> Vec<web_sys::HtmlElement> {
    let Some(list) = call(row, "querySelectorAll", &[&JsValue::from_str(FOCUSABLE)]) else { return Vec::new() };
    Array::from(&list).iter().filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok()).collect()
}

/// The row a keyboard event came from, and which of the row's controls it was: `(row, control)`.
pub fn row_of_event(ev: &web_sys::Event) -> Option<(usize, usize)> {
    let target = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
    let row = target.closest("[data-index]").ok()??;
    let index = row.get_attribute("data-index")?.parse().ok()?;
    let control = focusables(&row).iter().position(|el| AsRef::<web_sys::Element>::as_ref(el) == &target).unwrap_or(0);
    Some((index, control))
}

/// Moves the focus to control `control` of row `index` inside `list` (the last one when the row has
/// fewer), if that row is rendered. Returns whether it did.
pub fn focus_row(list: &web_sys::Element, index: usize, control: usize) -> bool {
    let Ok(Some(row)) = list.query_selector(&format!("[data-index=\"{index}\"]")) else { return false };
    let controls = focusables(&row);
    match controls.get(control).or(controls.last()) {
        Some(el) => el.focus().is_ok(),
        None => false,
    }
}
