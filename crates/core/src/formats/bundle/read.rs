//! Reading a bundle file of any version, defensively: limits and nesting before parsing, the version
//! before the body, v3's checksum on the file's own bytes.

use std::collections::BTreeSet;

use uuid::Uuid;

use crate::crdt::id::DeviceId;
use crate::formats::wire::{record_v3_to_v2, with_list_budget, DeviceV1};

use super::check::*;
use super::shapes::*;
use super::write::*;

/// Where a v3 file's `"checksum"` key starts and the checksum it carries, read from the end of the file:
/// `"checksum"`, a colon, a string without quotes and the closing brace, with any whitespace between.
/// `None` when the file does not end that way.
pub(super) fn tail_checksum(bytes: &[u8]) -> Option<(usize, &str)> {
    let ws = |b: &u8| matches!(b, b' ' | b'\n' | b'\r' | b'\t');
    let mut end = bytes.len();
    while end > 0 && ws(&bytes[end - 1]) {
        end -= 1;
    }
    end = end.checked_sub(1).filter(|&i| bytes[i] == b'}')?;
    while end > 0 && ws(&bytes[end - 1]) {
        end -= 1;
    }
    let close = end.checked_sub(1).filter(|&i| bytes[i] == b'"')?;
    let open = bytes[..close].iter().rposition(|b| *b == b'"')?;
    let value = std::str::from_utf8(&bytes[open + 1..close]).ok()?;
    let mut at = open;
    while at > 0 && ws(&bytes[at - 1]) {
        at -= 1;
    }
    at = at.checked_sub(1).filter(|&i| bytes[i] == b':')?;
    while at > 0 && ws(&bytes[at - 1]) {
        at -= 1;
    }
    let key = at.checked_sub(b"\"checksum\"".len())?;
    (&bytes[key..at] == b"\"checksum\"").then_some((key, value))
}

/// Reads a v3 bundle: parses it, checks its checksum on the bytes, looks every device index up in its
/// table, and hands the records, now v2 records, to the same validation as v1 and v2.
pub(super) fn read_v3(bytes: &[u8], text: &str, now_ms: u64) -> Result<Bundle, Vec<Problem>> {
    let tail = tail_checksum(bytes);
    let parse = || with_list_budget(list_budget(bytes.len()), || serde_json::from_str::<BundleV3>(text));
    // The digest of the bytes does not depend on the parse: natively it is worked out beside it, on
    // another core. (The list budget is per thread, and only the parse uses it.)
    #[cfg(not(target_family = "wasm"))]
    let (parsed, digest) = std::thread::scope(|scope| {
        let digest = scope.spawn(|| tail.map(|(key, _)| hex_sha256(&bytes[..key])));
        let parsed = parse();
        (parsed, digest.join().ok().flatten())
    });
    #[cfg(target_family = "wasm")]
    let (parsed, digest) = (parse(), tail.map(|(key, _)| hex_sha256(&bytes[..key])));
    let dto = parsed.map_err(|e| vec![json_problem(&e)])?;
    let mut problems = Vec::new();
    let checksum_ok = match tail {
        Some((_, carried)) => carried == dto.checksum && digest.as_deref() == Some(dto.checksum.as_str()),
        None => {
            problems.push(Problem::file("the checksum must be the bundle's last key"));
            true
        }
    };
    let BundleV3 {
        bundle_id, created_ms, device, sequence, scope, marking, devices: entries, records, checksum, ..
    } = dto;
    let table: Vec<DeviceId> = entries.iter().map(|d| d.id).collect();
    let mut seen = BTreeSet::new();
    let mut profiles = Vec::new();
    for d in entries {
        if !seen.insert(d.id) {
            problems.push(Problem::file(format!("device {} appears twice in the device table", d.id)));
        }
        match (d.label, d.officer) {
            (Some(label), Some(officer)) => profiles.push(DeviceV1 { id: d.id, label, officer }),
            (None, None) => {}
            _ => problems.push(Problem::file(format!(
                "device {} has a label or an officer but not both; a profile needs both",
                d.id
            ))),
        }
    }
    let exporter = match table.get(device.d as usize) {
        Some(id) => *id,
        None => {
            problems.push(Problem::file(format!(
                "the exporting device is number {} of a device table of {}",
                device.d,
                table.len()
            )));
            DeviceId(Uuid::nil())
        }
    };
    let mut v2 = Vec::with_capacity(records.len());
    for r in records {
        let id = r.id;
        match record_v3_to_v2(r, &table) {
            Ok(r) => v2.push(r),
            Err(e) => problems.push(Problem::record(id, e.to_string())),
        }
    }
    let dto = BundleDto {
        format: FORMAT.into(),
        version: 3,
        bundle_id,
        created_ms,
        device: DeviceV1 { id: exporter, label: device.label, officer: device.officer },
        sequence,
        scope,
        devices: profiles,
        records: v2,
        checksum,
    };
    validate(dto, now_ms, Some(checksum_ok), problems).map(|b| Bundle { marking, ..b })
}

/// Reads and validates a bundle file. `now_ms` is the importing device's clock: stamps implausibly far
/// ahead of it are refused.
pub fn read_bundle(bytes: &[u8], now_ms: u64) -> Result<Bundle, Vec<Problem>> {
    if bytes.len() > MAX_BUNDLE_BYTES {
        return Err(vec![Problem::file(format!(
            "the file is larger than {} MB ({} bytes); bundles may be at most {} MB",
            MAX_BUNDLE_BYTES / (1024 * 1024),
            thousands(bytes.len()),
            MAX_BUNDLE_BYTES / (1024 * 1024)
        ))]);
    }
    if bytes.is_empty() {
        return Err(vec![Problem::file("the file is empty")]);
    }
    if let Some(other) = crate::formats::not_a_bundle(bytes) {
        return Err(vec![Problem::file(other)]);
    }
    if is_gzip(bytes) {
        return Err(vec![Problem::file(
            "the file is compressed (gzip): decompress it first, or open it with a Liaison that reads .json.gz",
        )]);
    }
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err(vec![Problem::file(
            "the file starts with a byte-order mark: it was re-saved by another program, and Liaison bundles have none",
        )]);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(vec![Problem::file(
            "the file is UTF-16 text; Liaison bundles are UTF-8 (was it re-saved by another program?)",
        )]);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        vec![Problem::file(format!("the file is not UTF-8 text (invalid byte at offset {})", e.valid_up_to()))]
    })?;
    // A file that opens with the format and version, as every Liaison writes it, is read by the typed
    // parse of its version alone: that parse has serde_json's depth limit, so neither the depth walk nor
    // the header parse below (two more passes over the whole file) is needed. Anything else, a bundle
    // with its keys in another order or not a bundle at all, takes the careful way.
    // When that parse fails, the depth walk still runs, so that a file of brackets that never close is
    // told as that.
    let deep = |problems: Vec<Problem>| match too_deep(bytes).filter(|_| bytes.len() > MB) {
        Some(at) => vec![Problem::file(format!(
            "the file is nested more than {MAX_DEPTH} levels deep (at byte {})",
            thousands(at)
        ))],
        None => problems,
    };
    match leading_version(bytes) {
        Some(1) => {
            let dto: BundleV1 = with_list_budget(list_budget(bytes.len()), || serde_json::from_str(text))
                .map_err(|e| deep(vec![json_problem(&e)]))?;
            return validate(dto, now_ms, None, Vec::new());
        }
        Some(3) => return read_v3(bytes, text, now_ms).map_err(deep),
        _ => {}
    }
    // Only a large file costs anything to walk; a small one is parsed and refused where serde_json
    // finds it wrong, with its more specific message.
    if let Some(at) = too_deep(bytes).filter(|_| bytes.len() > MB) {
        return Err(vec![Problem::file(format!(
            "the file is nested more than {MAX_DEPTH} levels deep (at byte {})",
            thousands(at)
        ))]);
    }
    let header: Header = serde_json::from_str(text).map_err(|e| match (e.classify(), top_level_kind(text)) {
        (serde_json::error::Category::Data, Some(kind)) => {
            vec![Problem::file(format!("not a Liaison bundle: the file holds {kind}, not a JSON object"))]
        }
        _ => vec![json_problem(&e)],
    })?;
    match &header.format {
        Some(serde_json::Value::String(f)) if f == FORMAT => {}
        Some(serde_json::Value::String(other)) => {
            let shown: String = other.chars().take(40).collect();
            return Err(vec![Problem::file(format!("not a Liaison bundle (its format is “{shown}”)"))]);
        }
        Some(_) => return Err(vec![Problem::file("not a Liaison bundle (its “format” is not text)")]),
        None => return Err(vec![Problem::file("not a Liaison bundle (it names no format)")]),
    }
    match &header.version {
        None => return Err(vec![Problem::file("the bundle names no version")]),
        Some(v) => match v.as_u64() {
            Some(v) if v > u64::from(VERSION) => {
                return Err(vec![Problem::file(format!(
                    "this bundle needs a newer version of Liaison (it is bundle version {v}; this version reads up to {VERSION})"
                ))])
            }
            Some(1) => {
                let dto: BundleV1 = with_list_budget(list_budget(bytes.len()), || serde_json::from_str(text)).map_err(|e| vec![json_problem(&e)])?;
                return validate(dto, now_ms, None, Vec::new());
            }
            Some(2) => {}
            Some(3) => return read_v3(bytes, text, now_ms),
            _ => return Err(vec![Problem::file("unknown bundle version: expected a whole number from 1")]),
        },
    }
    let dto: BundleV2 = with_list_budget(list_budget(bytes.len()), || serde_json::from_str(text))
        .map_err(|e| vec![json_problem(&e)])?;
    validate(dto, now_ms, None, Vec::new())
}

/// The version of a bundle whose first keys are `"format": "liaison-bundle"` and then `"version": N`, in
/// that order with any whitespace between the tokens, as every version's writer puts them; `None` for any
/// other start, which the header parse then judges.
pub(super) fn leading_version(bytes: &[u8]) -> Option<u64> {
    let mut at = 0;
    let mut token = |t: &[u8]| -> Option<()> {
        while bytes.get(at).is_some_and(|b| matches!(b, b' ' | b'\n' | b'\r' | b'\t')) {
            at += 1;
        }
        let end = at.checked_add(t.len())?;
        (bytes.get(at..end)? == t).then(|| at = end)
    };
    token(b"{")?;
    token(b"\"format\"")?;
    token(b":")?;
    token(b"\"liaison-bundle\"")?;
    token(b",")?;
    token(b"\"version\"")?;
    token(b":")?;
    let digits = |b: &u8| b.is_ascii_digit();
    let mut rest = bytes.get(at..)?;
    while rest.first().is_some_and(|b| matches!(b, b' ' | b'\n' | b'\r' | b'\t')) {
        rest = &rest[1..];
    }
    let n = rest.iter().take_while(|b| digits(b)).count();
    if n == 0 || n > 3 || (n > 1 && rest[0] == b'0') {
        return None;
    }
    // A version must be a whole number followed by the next key or the end of the object.
    let after = rest.get(n..)?.iter().find(|b| !matches!(b, b' ' | b'\n' | b'\r' | b'\t'))?;
    if !matches!(after, b',' | b'}') {
        return None;
    }
    std::str::from_utf8(&rest[..n]).ok()?.parse().ok()
}

/// The deepest nesting of arrays and objects serde_json parses, and so the deepest a bundle may be.
pub(super) const MAX_DEPTH: usize = 128;

/// Where a file first nests deeper than [`MAX_DEPTH`], outside strings. The header is read by skipping
/// everything else, and serde_json skips without a depth limit: without this scan, a large file of
/// brackets that never close is walked to its end before it is refused.
pub(super) fn too_deep(bytes: &[u8]) -> Option<usize> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, b) in bytes.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// List items a bundle of `bytes` may hold. A real item takes far more than 16 bytes of its file once its
/// entry's stamp and the record around it are counted; in memory each costs about 50 bytes.
pub(super) fn list_budget(bytes: usize) -> usize {
    bytes / 16 + 1_000
}
