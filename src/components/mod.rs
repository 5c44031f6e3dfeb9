//! View pieces shared by several screens.

pub mod dialog;
pub mod fields;
pub mod marking;
pub mod report;
pub mod routed;
pub mod shell;
pub mod time;
