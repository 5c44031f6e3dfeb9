//! The contacts list's columns: its sort order (in the URL beside the filters), "Last met" for every
//! contact at once, and the count above it.
//!
//! Decisions:
//! - **Last met** is the date of the newest dated meeting on or before today that the contact took part
//!   in, also under the ids of duplicates merged into it: [`crate::notebook::Notebook::last_met`], worked
//!   out for all contacts in one pass over the meetings.
//! - **Sorting** compares folded values ([`crate::text::key`]), then the name, then the id, so the order
//!   is total. Contacts with a blank value in the sorted column, or never met, come last in both
//!   directions: they are not the answer to "who did I meet longest ago".

use std::collections::HashMap;

use super::filter::ListFilter;
use super::shared::{held_meetings, last_met_in, People};
use crate::crdt::id::RecordId;
use crate::date::Date;
use crate::notebook::Notebook;
use crate::schema::Field;
use crate::text::{self, plural, FxBuild};

/// The URL parameter names of the contacts list's order. Bookmarks depend on them: never rename one.
pub mod sort_param {
    /// The sorted column: `name`, `title`, `org`, `nation` or `last-met`.
    pub const SORT: &str = "sort";
    /// `desc` for descending; anything else is the column's own first direction.
    pub const DIR: &str = "dir";
}

/// A sortable column of the contacts list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ContactColumn {
    /// Name.
    #[default]
    Name,
    /// Title (rank).
    Title,
    /// Organisation.
    Organisation,
    /// Nation.
    Nation,
    /// The last meeting with the contact.
    LastMet,
}

impl ContactColumn {
    /// Every column, in the order the table shows them.
    pub const ALL: [ContactColumn; 5] = [
        ContactColumn::Name,
        ContactColumn::Title,
        ContactColumn::Organisation,
        ContactColumn::Nation,
        ContactColumn::LastMet,
    ];

    /// The column's heading.
    pub fn label(self) -> &'static str {
        match self {
            ContactColumn::Name => "Name",
            ContactColumn::Title => "Title",
            ContactColumn::Organisation => "Organisation",
            ContactColumn::Nation => "Nation",
            ContactColumn::LastMet => "Last met",
        }
    }

    /// The column's value of [`sort_param::SORT`].
    pub fn param(self) -> &'static str {
        match self {
            ContactColumn::Name => "name",
            ContactColumn::Title => "title",
            ContactColumn::Organisation => "org",
            ContactColumn::Nation => "nation",
            ContactColumn::LastMet => "last-met",
        }
    }

    /// Whether a first click sorts this column descending: "Last met" shows the latest first, the
    /// texts go from A.
    pub fn starts_descending(self) -> bool {
        self == ContactColumn::LastMet
    }
}

/// The order of the contacts list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ContactSort {
    /// The sorted column.
    pub column: ContactColumn,
    /// Whether it is sorted descending.
    pub descending: bool,
}

impl ContactSort {
    /// The order after the officer chose `column`'s heading: the other direction of the same column, or
    /// the new column in its first direction.
    pub fn choose(self, column: ContactColumn) -> ContactSort {
        if self.column == column {
            ContactSort { column, descending: !self.descending }
        } else {
            ContactSort { column, descending: column.starts_descending() }
        }
    }

    /// The order from decoded URL parameters; unknown or missing values give the list's own order (by
    /// name, A first). Never fails.
    pub fn from_query_pairs(pairs: &[(String, String)]) -> Self {
        let first = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim());
        let column = first(sort_param::SORT)
            .and_then(|v| ContactColumn::ALL.into_iter().find(|c| c.param() == v))
            .unwrap_or_default();
        let descending = match first(sort_param::DIR) {
            Some("desc") => true,
            Some("asc") => false,
            _ => column.starts_descending(),
        };
        ContactSort { column, descending }
    }

    /// The order as URL parameters, unencoded: none for the list's own order.
    pub fn to_query_pairs(self) -> Vec<(String, String)> {
        if self == ContactSort::default() {
            return Vec::new();
        }
        let dir = if self.descending { "desc" } else { "asc" };
        vec![(sort_param::SORT.to_string(), self.column.param().to_string()), (sort_param::DIR.to_string(), dir.into())]
    }

    /// `aria-sort` of `column`'s heading: `ascending`, `descending`, or `none` when another is sorted.
    pub fn aria(self, column: ContactColumn) -> &'static str {
        match (self.column == column, self.descending) {
            (false, _) => "none",
            (true, false) => "ascending",
            (true, true) => "descending",
        }
    }
}

/// The contacts list at once: the ids that pass the filter, in the chosen order, and when each was last
/// met.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactTable {
    /// The contacts that pass, in order.
    pub ids: Vec<RecordId>,
    /// The last meeting's date of each contact met by today (those never met are absent).
    pub last_met: HashMap<RecordId, Date, FxBuild>,
}

impl ContactTable {
    /// The contacts that pass `filter`, sorted by `sort`, with their last meetings on or before `today`.
    pub fn new(nb: &Notebook, filter: &ListFilter, sort: ContactSort, today: Date) -> Self {
        let last_met = last_met_by_contact(nb, today);
        let mut ids = filter.contact_ids(nb);
        if sort != ContactSort::default() {
            let name = |id: &RecordId| nb.record(*id).map(|r| text::key(r.text(Field::Name.key()))).unwrap_or_default();
            match sort.column {
                ContactColumn::LastMet => ids.sort_by_cached_key(|id| {
                    let met = last_met.get(id).copied();
                    let ordered = if sort.descending {
                        met.map(|d| -d.days_since_epoch())
                    } else {
                        met.map(|d| d.days_since_epoch())
                    };
                    (ordered.is_none(), ordered, name(id), *id)
                }),
                column => {
                    let field = match column {
                        ContactColumn::Title => Field::Title,
                        ContactColumn::Organisation => Field::Organisation,
                        ContactColumn::Nation => Field::Nation,
                        _ => Field::Name,
                    };
                    ids.sort_by_cached_key(|id| {
                        let value = nb.record(*id).map(|r| text::key(r.text(field.key()))).unwrap_or_default();
                        (value.is_empty(), Descending::new(value, sort.descending), name(id), *id)
                    });
                }
            }
        }
        ContactTable { ids, last_met }
    }
}

/// A text key that sorts the other way round when `descending`.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Descending {
    Up(String),
    Down(std::cmp::Reverse<String>),
}

impl Descending {
    fn new(s: String, descending: bool) -> Self {
        if descending {
            Descending::Down(std::cmp::Reverse(s))
        } else {
            Descending::Up(s)
        }
    }
}

/// The date of the newest dated meeting on or before `today` of every contact that took part in one,
/// keyed by the contact's id now (the survivor of merged duplicates), deleted contacts left out.
pub fn last_met_by_contact(nb: &Notebook, today: Date) -> HashMap<RecordId, Date, FxBuild> {
    last_met_in(&mut People::new(nb), held_meetings(nb, today))
}

/// A list's count: "42 contacts", or "3 of 42 contacts" when a filter leaves some out.
pub fn count_phrase(shown: usize, total: usize, one: &str, many: &str) -> String {
    if shown == total {
        plural(total, one, many)
    } else {
        format!("{shown} of {}", plural(total, one, many))
    }
}

/// A phone number as a `tel:` link for the tablet's dialler: its digits, a leading `+` kept, the
/// spacing and punctuation people write left out (RFC 3966 allows none of the spaces). `None` when the
/// text holds no digit.
pub fn tel_uri(phone: &str) -> Option<String> {
    let trimmed = phone.trim();
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    let plus = if trimmed.starts_with('+') { "+" } else { "" };
    Some(format!("tel:{plus}{digits}"))
}

/// An email address as a `mailto:` link, percent-encoded but for its `@`; `None` unless it has an `@`
/// between a local part and a domain.
pub fn mailto_uri(email: &str) -> Option<String> {
    let email = email.trim();
    let (local, domain) = email.split_once('@')?;
    if local.is_empty() || domain.is_empty() {
        return None;
    }
    Some(format!("mailto:{}", text::percent_encode(email, b"@+")))
}

#[cfg(test)]
#[path = "contact_list_tests.rs"]
mod tests;
