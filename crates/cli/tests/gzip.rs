//! `.json.gz` bundles: the CLI writes them when the output's name ends so, reads them by their magic
//! bytes whatever their name, and refuses a file that inflates past the bundle limit with a sentence.

mod common;

use common::*;
use liaison_cli::files::{gunzip, gzip};

#[test]
fn a_merge_written_as_json_gz_is_gzip_and_validates_and_merges_again() {
    let dir = TempDir::new("gzip-merge");
    let [a, b, c] = World::new().write(&dir);
    let gz = dir.path().join("merged.json.gz");
    let (code, out, err) =
        liaison(&["merge".as_ref(), a.as_os_str(), b.as_os_str(), c.as_os_str(), "-o".as_ref(), gz.as_os_str()]);
    assert_eq!(code, 0, "{out}{err}");
    let bytes = std::fs::read(&gz).expect("written");
    assert!(bytes.starts_with(&[0x1f, 0x8b]), "not gzip");
    let plain = dir.path().join("merged.json");
    let (code, out, err) =
        liaison(&["merge".as_ref(), a.as_os_str(), b.as_os_str(), c.as_os_str(), "-o".as_ref(), plain.as_os_str()]);
    assert_eq!(code, 0, "{out}{err}");
    let text = std::fs::read(&plain).expect("written");
    assert_eq!(gunzip(&bytes, 1 << 30).expect("inflates"), text, "the same bundle, compressed");
    // Read back by its magic bytes, even under a plain name.
    let renamed = dir.write("really-gzip.json", &bytes);
    let (code, out, _) = liaison(&["validate".as_ref(), gz.as_os_str(), renamed.as_os_str()]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.lines().filter(|l| l.contains(": ok (")).count(), 2, "{out}");
}

#[test]
fn pretty_output_holds_the_same_content_indented() {
    let dir = TempDir::new("gzip-pretty");
    let [a, b, _] = World::new().write(&dir);
    let (compact, pretty) = (dir.path().join("c.json"), dir.path().join("p.json"));
    let (code, ..) = liaison(&["merge".as_ref(), a.as_os_str(), b.as_os_str(), "-o".as_ref(), compact.as_os_str()]);
    assert_eq!(code, 0);
    let (code, ..) = liaison(&[
        "merge".as_ref(),
        a.as_os_str(),
        b.as_os_str(),
        "--pretty".as_ref(),
        "-o".as_ref(),
        pretty.as_os_str(),
    ]);
    assert_eq!(code, 0);
    let (c, p) = (std::fs::read_to_string(&compact).expect("c"), std::fs::read_to_string(&pretty).expect("p"));
    assert!(!c.contains('\n') && p.contains("\n  \"records\": ["));
    let value = |t: &str| {
        let mut v: serde_json::Value = serde_json::from_str(t).expect("JSON");
        v["checksum"] = serde_json::Value::Null;
        v
    };
    assert_eq!(value(&c), value(&p));
}

#[test]
fn a_gzip_bomb_is_refused_with_a_sentence_not_an_out_of_memory() {
    let dir = TempDir::new("gzip-bomb");
    // 64 MB of spaces compress to about 64 KB; inflating them stops one byte past the limit.
    let bomb = gzip(&" ".repeat(64 * 1024 * 1024));
    assert!(bomb.len() < 1024 * 1024);
    let message = gunzip(&bomb, 1024 * 1024).expect_err("over the limit");
    assert!(message.contains("decompresses to more than 1 MB"), "{message}");
    let path = dir.write("bomb.json.gz", &bomb);
    let (code, out, err) = liaison(&["validate".as_ref(), path.as_os_str()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(!err.contains("panicked"), "{err}");
    let broken = dir.write("broken.json.gz", &bomb[..bomb.len() / 2]);
    let (code, out, _) = liaison(&["validate".as_ref(), broken.as_os_str()]);
    assert_eq!(code, 1);
    assert!(out.contains("gzip-compressed but cannot be decompressed"), "{out}");
}
