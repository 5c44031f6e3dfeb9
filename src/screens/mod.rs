//! One file per screen.

pub mod conflicts;
pub mod contact_page;
pub mod contacts;
pub mod dashboard;
pub mod duplicates;
pub mod export;
pub mod follow_ups;
pub mod import;
pub mod meeting_editor;
pub mod meetings;
pub mod not_found;
pub mod settings;
pub mod team_hub;
pub mod trash;
