//! One file per screen.

pub mod contact_page;
pub mod contacts;
pub mod follow_ups;
pub mod meeting_editor;
pub mod meetings;
pub mod not_found;
pub mod settings;
