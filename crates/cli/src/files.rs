//! Reading bundle and .vcf files within their limits and writing outputs atomically, with every failure as
//! a sentence, never a panic.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use liaison_core::formats;
use liaison_core::formats::bundle::{self, Bundle, Problem};

/// Now, by the system clock, in ms since the epoch (0 if the clock is before 1970).
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// A path as people typed it, for messages.
pub fn shown(path: &Path) -> String {
    crate::text::clean(&path.to_string_lossy(), 4096)
}

/// What a file should be, for reading it within a size limit and for saying what it is not.
#[derive(Clone, Copy, Debug)]
pub struct Expected {
    /// "bundle file": what a directory is not.
    pub name: &'static str,
    /// "bundles may be": what the limit applies to, before "at most N MB".
    pub limit_applies: &'static str,
    /// The largest file read.
    pub max_bytes: usize,
}

/// A bundle file, up to the bundle limit.
pub const BUNDLE_FILE: Expected =
    Expected { name: "bundle file", limit_applies: "bundles may be", max_bytes: bundle::MAX_BUNDLE_BYTES };

/// An .ics file, up to the import limit.
pub const ICS_FILE: Expected =
    Expected { name: ".ics file", limit_applies: "an .ics file may be", max_bytes: formats::MAX_IMPORT_BYTES };

/// A .csv file of contacts, up to the import limit.
pub const CSV_FILE: Expected =
    Expected { name: ".csv file", limit_applies: "a .csv file may be", max_bytes: formats::MAX_IMPORT_BYTES };

/// A .vcf file, up to the import limit.
pub const VCF_FILE: Expected =
    Expected { name: ".vcf file", limit_applies: "a .vcf file may be", max_bytes: formats::MAX_IMPORT_BYTES };

fn io_message(e: &io::Error, expected: Expected) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "cannot read it: there is no such file".into(),
        io::ErrorKind::PermissionDenied => "cannot read it: permission denied".into(),
        io::ErrorKind::IsADirectory => format!("it is a directory, not a {}", expected.name),
        _ => format!("cannot read it: {e}"),
    }
}

/// The bytes of a file, refusing directories and files over the limit before reading them.
pub fn read_bytes(path: &Path, expected: Expected) -> Result<Vec<u8>, String> {
    let meta = fs::metadata(path).map_err(|e| io_message(&e, expected))?;
    if meta.is_dir() {
        return Err(format!("it is a directory, not a {}", expected.name));
    }
    let limit = expected.max_bytes as u64;
    if meta.len() > limit {
        return Err(format!(
            "the file is {} MB; {} at most {} MB",
            meta.len() / (1024 * 1024),
            expected.limit_applies,
            limit / (1024 * 1024)
        ));
    }
    let file = File::open(path).map_err(|e| io_message(&e, expected))?;
    // One byte past the limit is enough for the reader to refuse a file that grew or is not a regular
    // file (a device, a pipe); nothing larger is ever held in memory.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes).map_err(|e| io_message(&e, expected))?;
    Ok(bytes)
}

/// Reads and validates one bundle file against the system clock. A gzip-compressed file (told by its
/// first bytes, whatever its name) is decompressed first, up to the bundle limit.
pub fn read_bundle_file(path: &Path, now_ms: u64) -> Result<Bundle, Vec<Problem>> {
    let problem = |message: String| vec![Problem { record: None, message }];
    let bytes = read_bytes(path, BUNDLE_FILE).map_err(problem)?;
    if bundle::is_gzip(&bytes) {
        let plain = gunzip(&bytes, bundle::MAX_BUNDLE_BYTES).map_err(problem)?;
        drop(bytes);
        return bundle::read_bundle(&plain, now_ms);
    }
    bundle::read_bundle(&bytes, now_ms)
}

/// The decompressed bytes of a gzip file, refusing more than `limit` of them as they come, so that a
/// small file that inflates without end (a gzip bomb) is a problem and not the end of memory.
pub fn gunzip(bytes: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let reader = flate2::read::MultiGzDecoder::new(bytes);
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("the file is gzip-compressed but cannot be decompressed: {e}"))?;
    if out.len() > limit {
        return Err(format!(
            "the file is gzip-compressed and decompresses to more than {} MB; bundles may be at most {} MB",
            limit / (1024 * 1024),
            limit / (1024 * 1024)
        ));
    }
    Ok(out)
}

/// `text` gzip-compressed.
pub fn gzip(text: &str) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing into a Vec cannot fail.
    let _ = e.write_all(text.as_bytes());
    e.finish().unwrap_or_default()
}

/// Whether a path names a compressed bundle: it ends in `.json.gz` (in any case).
pub fn is_gz_name(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.to_ascii_lowercase().ends_with(".json.gz"))
}

/// Writes a bundle atomically ([`write_atomically`]), gzip-compressed when its name ends in `.json.gz`.
pub fn write_bundle_file(out: &Path, text: &str) -> Result<(), String> {
    if is_gz_name(out) {
        return write_bytes_atomically(out, &gzip(text));
    }
    write_atomically(out, text)
}

/// `OUT.tmp`, beside `OUT`.
pub fn temp_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".tmp");
    out.with_file_name(name)
}

/// Writes `text` to `out` atomically: to `OUT.tmp`, flushed to disk, then renamed over `OUT`. The file is
/// readable by its owner only, since bundles hold personal data. On failure `OUT` is left as it was.
pub fn write_atomically(out: &Path, text: &str) -> Result<(), String> {
    write_bytes_atomically(out, text.as_bytes())
}

/// Writes `bytes` to `out` atomically, as [`write_atomically`] writes text.
pub fn write_bytes_atomically(out: &Path, bytes: &[u8]) -> Result<(), String> {
    write_streamed_atomically(out, |w| w.write_all(bytes).map_err(|e| format!("cannot write {}: {e}", shown(out))))
}

/// Writes a bundle file atomically as [`write_bundle_file`] does, its bytes coming from `write` as it
/// makes them (through a buffer, and gzip when the name ends in `.json.gz`) rather than from a string
/// held whole. Should `write` fail, its message is returned and `OUT` is left as it was.
pub fn write_bundle_streamed<T>(
    out: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<T, String>,
) -> Result<T, String> {
    write_streamed_atomically(out, |w| {
        if is_gz_name(out) {
            let mut gz = flate2::write::GzEncoder::new(w, flate2::Compression::default());
            let t = write(&mut gz)?;
            gz.finish().map_err(|e| format!("cannot write {}: {e}", shown(out)))?;
            Ok(t)
        } else {
            write(w)
        }
    })
}

fn write_streamed_atomically<T>(
    out: &Path,
    write: impl FnOnce(&mut io::BufWriter<File>) -> Result<T, String>,
) -> Result<T, String> {
    if out.is_dir() {
        return Err(format!("{} is a directory; name the file to write", shown(out)));
    }
    let tmp = temp_path(out);
    let fail = |e: io::Error| format!("cannot write {}: {e}", shown(out));
    let result = (|| -> Result<T, String> {
        // A stale OUT.tmp (from a run that was killed) is removed, and the new one must not exist yet:
        // O_EXCL never follows a symlink someone placed there.
        match fs::remove_file(&tmp) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(fail(e)),
            _ => {}
        }
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&tmp).map_err(fail)?;
        let mut buffered = io::BufWriter::with_capacity(1 << 20, file);
        let t = write(&mut buffered)?;
        let file = buffered.into_inner().map_err(|e| fail(e.into_error()))?;
        file.sync_all().map_err(fail)?;
        drop(file);
        fs::rename(&tmp, out).map_err(fail)?;
        // Make the rename itself durable where the platform allows it; failing that is not an error.
        if let Some(dir) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(t)
    })();
    result.inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}
