//! The `liaison` binary, run as a coordinator would.

mod common;

use common::liaison;

#[test]
fn version_prints_the_package_version() {
    let (code, out, _) = liaison(&["--version"]);
    assert_eq!(code, 0);
    assert_eq!(out.trim(), format!("liaison {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn help_explains_what_the_tool_is_for() {
    let (code, out, _) = liaison(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("coordinator"), "{out}");
    assert!(out.contains("bundles"), "{out}");
    assert!(out.contains("--version"), "{out}");
}

#[test]
fn an_unknown_option_is_an_error_with_usage() {
    let (code, _, err) = liaison(&["--frobnicate"]);
    assert_eq!(code, 2);
    assert!(err.contains("Usage"), "{err}");
}

#[test]
fn running_it_bare_prints_the_help() {
    let (code, out, _) = liaison::<&str>(&[]);
    assert_eq!(code, 0);
    assert!(out.contains("Usage: liaison"), "{out}");
}
