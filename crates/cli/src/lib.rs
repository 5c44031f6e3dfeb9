//! liaison-cli: the coordinator's tool, as a library so that its benchmarks and examples run the very
//! code the `liaison` binary runs.
//!
//! - [`convert`]: `convert` (bundle to vCard, iCalendar, CSV) and `import-vcf` (a .vcf file to a bundle).
//! - [`files`]: reading bundle files defensively and writing the merged one atomically.
//! - [`merge`]: the deterministic many-bundle merge.
//! - [`report`]: what `validate`, `merge` and `inspect` print.
//! - [`text`]: safe one-line rendering of text from outside, and times.

#![warn(missing_docs)]

pub mod convert;
pub mod files;
pub mod merge;
pub mod report;
pub mod text;
