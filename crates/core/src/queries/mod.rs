//! List filters that live in the URL, the values their dropdowns offer, and the dashboard's questions.
//!
//! Values are compared by their folded [`crate::text::key`] (runs of space made one, the ends trimmed),
//! so "austria", "Austria " and "AUSTRIA" are one nation, and "Müller GmbH" is "Muller GmbH".
//!
//! Decisions, so that lists, dashboard and exports agree:
//! - **The nations and organisations of a meeting** are those listed on the meeting together with the
//!   nation and organisation of each participant (redirects of merged duplicates followed, deleted
//!   contacts left out). A meeting with a Polish participant is a meeting with Poland even when nobody
//!   filled in its "Nations". Filters and the per-nation counts both use this.
//! - **Date ranges** are inclusive at both ends. A meeting without a valid date never passes a filter
//!   that has a date. For contacts the range means "met between": at least one dated meeting in the
//!   range has the contact among its participants.
//! - **"The last N days"** are the N days that end with today: today and the N − 1 days before.
//! - **Contacts not met in 180 days** are live contacts with no meeting in the last 180 days (at least
//!   one meeting before that, none since; meetings after today do not count as met), plus contacts never
//!   met that have been in the notebook for at least 180 days (by their creation stamp). Met ones come
//!   first, longest silence first; then never-met ones, oldest first. Contacts only just added and
//!   never met are not nagged about.

pub mod conflicts;
pub mod duplicates;
pub mod search;

mod choices;
mod contact_list;
mod dashboard;
mod filter;
mod follow_ups;
mod shared;

pub use choices::{markings, nations, organisations, tags};
pub use contact_list::{
    count_phrase, last_met_by_contact, mailto_uri, sort_param, tel_uri, ContactColumn, ContactSort, ContactTable,
};
pub use dashboard::{
    contacts_not_met, dashboard, meetings_per_nation, recent_meetings, window_start, Dashboard, NationCount, NotMet,
    NATION_WINDOW_DAYS, NOT_MET_DAYS, RECENT_MEETINGS, UPCOMING_DAYS,
};
pub use dashboard::{officers, LastBundle, Officer};
pub use filter::{param, query_string, ListFilter};
pub use follow_ups::{
    follow_up_meetings, follow_up_owners, follow_up_param, owner_choices, FollowUpFilter, FollowUpGroup, Group,
    THIS_WEEK_DAYS,
};
