//! View pieces shared by several screens.

pub mod dialog;
pub mod empty;
pub mod fields;
pub mod filters;
pub mod marking;
pub mod online_status;
pub mod report;
pub mod routed;
pub mod search;
pub mod shell;
pub mod sync_status;
pub mod time;
pub mod update_prompt;
pub mod window;
