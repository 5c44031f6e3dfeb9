//! Windowed lists: of a list of any length, only the rows on the screen and about a screenful either
//! side are in the DOM, so a list of 100,000 meetings opens as fast as one of 100.
//!
//! The list keeps its meaning for assistive technology and the keyboard:
//! - every rendered row says where it is in the whole list (`aria-setsize` and `aria-posinset` in a
//!   list, `aria-rowcount` and `aria-rowindex` in a table; the screens set them from [`Window::row_count`]
//!   and the row's index), so "row 5,210 of 100,000" is read out, not "5 of 40";
//! - Tab moves from row to row as before: the row it reaches is scrolled into view, and the window
//!   follows;
//! - the arrow keys, Page Up, Page Down, Home and End move the focus to the row above, below, a screen
//!   away, first or last, to the same control of that row (a row that was not rendered is rendered
//!   first).
//!
//! Rows must all be of one height (the stylesheet fixes it per layout, `.windowed`); the window
//! measures it from the rendered rows, so tablet and laptop layouts, zoom and font size need nothing
//! here. The space of the rows that are not rendered is kept by the screens' spacers,
//! [`Window::space_before`] and [`Window::space_after`], so the scroll bar and the page's height are
//! those of the whole list.

use std::ops::Range;

use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

use crate::platform;

/// How many rows are rendered before the first one is measured: more than a tall tablet shows.
const FIRST_ROWS: usize = 30;
/// A row height to start from, in CSS pixels, until one is measured.
const GUESSED_ROW_PX: f64 = 64.0;
/// Rows within this many screens above and below the viewport are rendered, so that scrolling and Tab
/// find the next rows already there.
const OVERSCAN_SCREENS: f64 = 1.0;
/// Room left at the top of the viewport for the sticky top bar when a row is scrolled into view.
const TOP_CLEARANCE_PX: f64 = 140.0;

/// The state of one windowed list. Copy: every part is an arena handle.
#[derive(Clone, Copy)]
pub struct Window {
    len: Signal<usize>,
    /// The rows in the DOM, `start..end` (before clamping to `len`).
    range: RwSignal<(usize, usize)>,
    /// The measured distance from one row to the next, in CSS pixels.
    row_px: RwSignal<f64>,
    /// The element that holds the rows (its descendants with a `data-index`).
    node: NodeRef<html::Div>,
}

impl Window {
    /// A window over a list of `len` rows, following the page's scrolling and size from now until the
    /// component that made it is cleaned up.
    pub fn new(len: Signal<usize>) -> Self {
        let win = Window {
            len,
            range: RwSignal::new((0, FIRST_ROWS)),
            row_px: RwSignal::new(GUESSED_ROW_PX),
            node: NodeRef::new(),
        };
        let scroll = window_event_listener(leptos::ev::scroll, move |_| win.follow());
        let resize = window_event_listener(leptos::ev::resize, move |_| win.follow());
        on_cleanup(move || {
            scroll.remove();
            resize.remove();
        });
        // A new length (a filter, an import) or a new window is measured once the browser has laid out
        // what it rendered.
        Effect::new(move |_| {
            len.track();
            win.range.track();
            request_animation_frame(move || win.follow());
        });
        win
    }

    /// The element to put `node_ref` on: the one that holds the rows.
    pub fn node(&self) -> NodeRef<html::Div> {
        self.node
    }

    /// How many rows the whole list holds.
    pub fn row_count(&self) -> usize {
        self.len.get()
    }

    /// The rows to render (tracked): their indexes in the whole list.
    pub fn rows(&self) -> Range<usize> {
        let len = self.len.get();
        let (start, end) = self.range.get();
        start.min(len)..end.min(len)
    }

    /// The height of the rows before the rendered ones, as a CSS length (tracked).
    pub fn space_before(&self) -> String {
        let rows = self.rows();
        format!("{:.1}px", rows.start as f64 * self.row_px.get())
    }

    /// The height of the rows after the rendered ones, as a CSS length (tracked).
    pub fn space_after(&self) -> String {
        let rows = self.rows();
        format!("{:.1}px", (self.len.get() - rows.end) as f64 * self.row_px.get())
    }

    /// Measures the rendered rows and moves the window to where the viewport now is.
    fn follow(&self) {
        // Called from the browser's callbacks, which may come after the list is gone.
        let (Some(Some(el)), Some(len)) = (self.node.try_get_untracked(), self.len.try_get_untracked()) else { return };
        let (px, zero) = match platform::rendered_rows(&el) {
            Some((first, last)) if last.index > first.index && last.top > first.top => {
                let px = (last.top - first.top) / (last.index - first.index) as f64;
                (px, first.top - first.index as f64 * px)
            }
            Some((only, _)) if only.height > 0.0 => (only.height, only.top - only.index as f64 * only.height),
            _ => (self.row_px.try_get_untracked().unwrap_or(GUESSED_ROW_PX), platform::top_of(&el)),
        };
        if self.row_px.try_get_untracked().is_some_and(|old| (px - old).abs() > 0.01) {
            self.row_px.set(px);
        }
        let viewport = platform::viewport_height();
        let over = viewport * OVERSCAN_SCREENS;
        let start = ((-zero - over) / px).floor().max(0.0) as usize;
        let end = ((viewport - zero + over) / px).ceil().max(0.0) as usize;
        let wanted = (start.min(len), end.clamp(start.min(len), len));
        // Only a change of rows re-renders: scrolling within a row's height costs nothing.
        if self.range.try_get_untracked().is_some_and(|range| range != wanted) {
            self.range.set(wanted);
        }
    }

    /// Scrolls row `index` into view, renders it, and then focuses its control number `control`.
    fn reveal(&self, index: usize, control: usize) {
        let Some(Some(el)) = self.node.try_get_untracked() else { return };
        if let Some((first, _)) = platform::rendered_rows(&el) {
            let px = self.row_px.get_untracked();
            let top = first.top + (index as f64 - first.index as f64) * px;
            let viewport = platform::viewport_height();
            if top < TOP_CLEARANCE_PX {
                platform::scroll_page_by(top - TOP_CLEARANCE_PX);
            } else if top + px > viewport {
                platform::scroll_page_by(top + px - viewport);
            }
        }
        self.follow();
        let node = self.node;
        // The rows are rendered when the reactive system has run; a frame later they are laid out.
        request_animation_frame(move || {
            if let Some(Some(el)) = node.try_get_untracked() {
                platform::focus_row(&el, index, control);
            }
        });
    }

    /// Arrow keys, Page Up, Page Down, Home and End inside a row move the focus to another row. Put on
    /// the element that holds the rows: `on:keydown=move |ev| win.on_keydown(ev)`.
    pub fn on_keydown(&self, ev: KeyboardEvent) {
        if ev.alt_key() || ev.ctrl_key() || ev.meta_key() || ev.shift_key() {
            return;
        }
        let Some((index, control)) = platform::row_of_event(&ev) else { return };
        let last = self.len.get_untracked().saturating_sub(1);
        let page =
            ((platform::viewport_height() - TOP_CLEARANCE_PX) / self.row_px.get_untracked()).floor().max(1.0) as usize;
        let target = match ev.key().as_str() {
            "ArrowDown" => (index + 1).min(last),
            "ArrowUp" => index.saturating_sub(1),
            "PageDown" => (index + page).min(last),
            "PageUp" => index.saturating_sub(page),
            "Home" => 0,
            "End" => last,
            _ => return,
        };
        ev.prevent_default();
        self.reveal(target, control);
    }
}
