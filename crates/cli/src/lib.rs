//! liaison-cli: the coordinator's tool, as a library so that its benchmarks and examples run the very
//! code the `liaison` binary runs. The binary's own modules (`flags`, `cmd/`) hold the arguments and
//! what each command prints.
//!
//! - [`charsets`]: the legacy charsets of phones' vCards, which core leaves to its caller.
//! - [`convert`]: `convert` (bundle to vCard, iCalendar, CSV), `import-vcf` and `import-ics` (a .vcf or
//!   .ics file to a bundle).
//! - [`files`]: reading bundle and .vcf files defensively and writing outputs atomically.
//! - [`merge`]: the deterministic many-bundle merge.
//! - [`report`]: what `validate`, `merge` and `inspect` print.
//! - [`text`]: safe one-line rendering of text from outside.
//! - [`zones`]: the zone database for `import-ics`.

#![warn(missing_docs)]

pub mod charsets;
pub mod convert;
pub mod files;
pub mod merge;
pub mod report;
pub mod text;
pub mod zones;
