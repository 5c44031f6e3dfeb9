//! docs/bundle-v1.schema.json against the bundles: every golden v1 fixture and the corpus base are valid,
//! and every corpus file the schema lets through is one that only read_bundle can refuse (a checksum, a
//! repeated key, a link to a record of the wrong kind, a causal context, a stamp judged against the
//! importing device's clock).

use std::path::{Path, PathBuf};

use serde_json::Value;

fn core_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

struct Schema {
    schemas: boon::Schemas,
    index: boon::SchemaIndex,
}

impl Schema {
    fn load() -> Self {
        Self::load_version(1)
    }

    fn load_version(version: u32) -> Self {
        let path = core_dir().join(format!("../../docs/bundle-v{version}.schema.json"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
        assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
        let mut compiler = boon::Compiler::new();
        compiler.set_default_draft(boon::Draft::V2020_12);
        // Everything the schema refers to is inside it: no loader, so nothing is fetched.
        let url = format!("file:///liaison/docs/bundle-v{version}.schema.json");
        let url = url.as_str();
        compiler.add_resource(url, schema).expect("add the schema");
        let mut schemas = boon::Schemas::new();
        let index =
            compiler.compile(url, &mut schemas).unwrap_or_else(|e| panic!("the schema does not compile: {e:#}"));
        Schema { schemas, index }
    }

    fn errors(&self, instance: &Value) -> Option<String> {
        self.schemas.validate(instance, self.index).err().map(|e| format!("{e:#}"))
    }
}

#[test]
fn every_golden_fixture_and_the_corpus_base_are_valid() {
    let schema = Schema::load();
    let mut files: Vec<PathBuf> = json_files(&core_dir().join("tests/fixtures"))
        .into_iter()
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("v1-")))
        .collect();
    files.push(core_dir().join("tests/corpus/base/mini.json"));
    files.push(core_dir().join("../../tests/e2e/fixtures/html-payload.json"));
    assert!(files.len() >= 6);
    for path in files {
        let value: Value = serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("JSON");
        if let Some(e) = schema.errors(&value) {
            panic!("{} does not match the schema:\n{e}", path.display());
        }
    }
}

/// Corpus files the schema cannot refuse, by name prefix, and why.
const BEYOND_THE_SCHEMA: &[(&str, &str)] = &[
    ("sum-", "the checksum is read_bundle's to check"),
    ("dup-", "a parsed JSON value keeps one of two repeated keys; repeated record ids need uniqueness by id"),
    ("causal-", "coverage of stamps by the causal context"),
    ("ref-", "links to records of the wrong kind, in the bundle or on the importing device"),
    ("time-stamp-year-9999", "judged against the importing device's clock"),
    ("time-stamp-two-years-ahead", "judged against the importing device's clock"),
    ("time-seen-year-9999", "judged against the importing device's clock (a known bug: read_bundle accepts it too)"),
    ("num-created-ms-year-9999", "a known bug: read_bundle accepts it too"),
    ("num-sequence-u64-max", "a known bug: read_bundle accepts it too"),
    ("header-version-float-1", "JSON Schema counts 1.0 as an integer"),
    ("num-created_ms-float", "JSON Schema counts 1.0 as an integer"),
    ("num-sequence-float", "JSON Schema counts 1.0 as an integer"),
    ("num-created_ms-exponent", "JSON Schema counts 1.7735e12 as an integer"),
    ("num-sequence-exponent", "JSON Schema counts 1.7735e12 as an integer"),
    ("num-stamp-wall-float", "JSON Schema counts 1773500001000.0 as an integer"),
    ("num-seen-counter-float", "JSON Schema counts 1e0 as an integer"),
    ("num-sequence-2-pow-64", "serde_json reads 2^64 as the float it shares with u64::MAX, the schema's maximum"),
    ("unknown-duplicate-5000-char-field-name", "a repeated key"),
];

#[test]
fn the_schema_refuses_every_corpus_file_it_can_see_is_wrong() {
    let schema = Schema::load();
    let (mut refused, mut unparsed, mut beyond) = (0, 0, 0);
    let mut wrongly_valid = Vec::new();
    for path in json_files(&core_dir().join("tests/corpus")) {
        let name = path.file_name().and_then(|n| n.to_str()).expect("name").to_string();
        let Ok(value) = serde_json::from_slice::<Value>(&std::fs::read(&path).expect("read")) else {
            unparsed += 1;
            continue;
        };
        if schema.errors(&value).is_some() {
            refused += 1;
        } else if BEYOND_THE_SCHEMA.iter().any(|(prefix, _)| name.starts_with(prefix)) {
            beyond += 1;
        } else {
            wrongly_valid.push(name);
        }
    }
    eprintln!("corpus against the schema: {refused} refused, {beyond} beyond what a schema can say, {unparsed} not JSON at all");
    assert!(wrongly_valid.is_empty(), "the schema accepts: {wrongly_valid:?}");
    assert!(refused >= 150, "only {refused} refused");
}

#[test]
fn what_this_version_writes_matches_the_v2_schema() {
    let schema = Schema::load_version(2);
    let path = core_dir().join("tests/interop_fixtures/tricky-bundle-v2.json");
    let value: Value = serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("JSON");
    if let Some(e) = schema.errors(&value) {
        panic!("{} does not match the v2 schema:\n{e}", path.display());
    }
    // A v1 bundle is not a v2 one: the schemas tell the record formats apart.
    let v1: Value =
        serde_json::from_slice(&std::fs::read(core_dir().join("tests/corpus/base/mini.json")).expect("read"))
            .expect("JSON");
    assert!(schema.errors(&v1).is_some());
}

#[test]
fn every_v3_fixture_and_what_this_version_writes_match_the_v3_schema() {
    let schema = Schema::load_version(3);
    let mut files: Vec<PathBuf> = json_files(&core_dir().join("tests/fixtures"))
        .into_iter()
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("v3-")))
        .collect();
    files.push(core_dir().join("tests/interop_fixtures/tricky-bundle-v3.json"));
    assert!(files.len() >= 7);
    for path in files {
        let value: Value = serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("JSON");
        if let Some(e) = schema.errors(&value) {
            panic!("{} does not match the v3 schema:\n{e}", path.display());
        }
    }
    // A v2 bundle is not a v3 one.
    let v2: Value = serde_json::from_slice(
        &std::fs::read(core_dir().join("tests/interop_fixtures/tricky-bundle-v2.json")).expect("read"),
    )
    .expect("JSON");
    assert!(schema.errors(&v2).is_some());
}

/// v3 corpus files the v3 schema cannot refuse, by name prefix, and why.
const BEYOND_THE_V3_SCHEMA: &[(&str, &str)] = &[
    ("v3-sum-", "the checksum is read_bundle's to check"),
    ("v3-index-past-the-table", "an index is checked against the table's length"),
    ("v3-index-twice-in-a-context", "which indices a context names twice"),
    ("v3-table-device-twice", "uniqueness of ids inside the table's objects"),
    ("v3-exporter-past-the-table", "an index is checked against the table's length"),
    ("v3-context-without-field", "which names 's' and 'f' share"),
    ("v3-base-past-year-9999", "a base plus an offset is read_bundle's to add"),
];

#[test]
fn the_v3_schema_refuses_every_v3_corpus_file_it_can_see_is_wrong() {
    let schema = Schema::load_version(3);
    let mut wrongly_valid = Vec::new();
    let mut seen = 0;
    for path in json_files(&core_dir().join("tests/corpus")) {
        let name = path.file_name().and_then(|n| n.to_str()).expect("name").to_string();
        if !name.starts_with("v3-") {
            continue;
        }
        seen += 1;
        let Ok(value) = serde_json::from_slice::<Value>(&std::fs::read(&path).expect("read")) else { continue };
        if schema.errors(&value).is_none() && !BEYOND_THE_V3_SCHEMA.iter().any(|(prefix, _)| name.starts_with(prefix)) {
            wrongly_valid.push(name);
        }
    }
    assert!(seen >= 8, "only {seen} v3 corpus files");
    assert!(wrongly_valid.is_empty(), "the v3 schema accepts: {wrongly_valid:?}");
}
