//! Files in and out: downloads of exports (plain, or compressed with the browser's own gzip), reading
//! files the officer picked or dropped (inflating `.json.gz` as they are read), and giving the page its
//! turn between the slices of a long import.

use js_sys::{Array, Promise, Reflect, Uint8Array};
use liaison_core::formats::bundle::{is_gzip, MAX_BUNDLE_BYTES};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

// The browser's streams and gzip, declared here: web-sys has `CompressionStream` and
// `DecompressionStream` only behind `--cfg=web_sys_unstable_apis`, which would change how every crate
// is built. Compressing in the browser keeps a gzip codec out of the wasm.
#[wasm_bindgen]
extern "C" {
    /// `DecompressionStream`: inflates what is written to it.
    #[wasm_bindgen(js_name = DecompressionStream)]
    type Inflate;
    #[wasm_bindgen(constructor, js_class = DecompressionStream, catch)]
    fn new(format: &str) -> Result<Inflate, JsValue>;

    /// `CompressionStream`: deflates what is written to it.
    #[wasm_bindgen(js_name = CompressionStream)]
    type Deflate;
    #[wasm_bindgen(constructor, js_class = CompressionStream, catch)]
    fn new(format: &str) -> Result<Deflate, JsValue>;

    /// A `ReadableStream` of bytes.
    #[wasm_bindgen(js_name = ReadableStream)]
    type ByteStream;
    #[wasm_bindgen(method, js_name = pipeThrough, catch)]
    fn pipe_through(this: &ByteStream, transform: &JsValue) -> Result<ByteStream, JsValue>;
    #[wasm_bindgen(method, js_name = getReader, catch)]
    fn get_reader(this: &ByteStream) -> Result<StreamReader, JsValue>;

    /// A `ReadableStreamDefaultReader`.
    #[wasm_bindgen(js_name = ReadableStreamDefaultReader)]
    type StreamReader;
    #[wasm_bindgen(method)]
    fn read(this: &StreamReader) -> Promise;
    #[wasm_bindgen(method)]
    fn cancel(this: &StreamReader) -> Promise;

    /// A `Blob` (a `File` is one), as far as its stream goes.
    #[wasm_bindgen(js_name = Blob)]
    type StreamingBlob;
    #[wasm_bindgen(method, js_name = stream)]
    fn byte_stream(this: &StreamingBlob) -> ByteStream;

    /// A `Response`, here only to collect a stream into a `Blob`.
    #[wasm_bindgen(js_name = Response)]
    type StreamBody;
    #[wasm_bindgen(constructor, js_class = Response, catch)]
    fn new(body: &ByteStream) -> Result<StreamBody, JsValue>;
    #[wasm_bindgen(method)]
    fn blob(this: &StreamBody) -> Promise;

    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// A file the officer picked or dropped, not read yet.
pub struct FileToRead(web_sys::File);

impl FileToRead {
    /// Its name.
    pub fn name(&self) -> String {
        self.0.name()
    }

    /// Its size on disk, in bytes.
    pub fn size(&self) -> u64 {
        let size = self.0.size();
        if size.is_finite() && size > 0.0 {
            size as u64
        } else {
            0
        }
    }
}

/// A file the officer chose, read into memory, or the reason it was not read.
pub struct PickedFile {
    /// Its name.
    pub name: String,
    /// Its bytes (inflated, when it was compressed), or why they were not read.
    pub bytes: Result<Vec<u8>, String>,
}

/// Offers `text` as a download named `file_name`.
pub fn download(file_name: &str, text: &str, mime: &str) -> Result<(), String> {
    download_blob(file_name, &text_blob(text, mime)?)
}

/// Offers `text`, compressed with gzip by the browser, as a download named `file_name`.
pub async fn download_gzip(file_name: &str, text: &str) -> Result<(), String> {
    let deflate = Deflate::new("gzip").map_err(|_| "this browser cannot compress files".to_string())?;
    let plain = text_blob(text, "application/json")?;
    let compressed =
        plain.unchecked_ref::<StreamingBlob>().byte_stream().pipe_through(&deflate).map_err(|e| js_message(&e))?;
    let body = StreamBody::new(&compressed).map_err(|e| js_message(&e))?;
    let blob: web_sys::Blob = JsFuture::from(body.blob())
        .await
        .map_err(|e| format!("the file could not be compressed: {}", js_message(&e)))?
        .dyn_into()
        .map_err(|_| "the compressed file is not a file".to_string())?;
    download_blob(file_name, &blob)
}

fn text_blob(text: &str, mime: &str) -> Result<web_sys::Blob, String> {
    let parts = Array::new();
    parts.push(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(|e| js_message(&e))
}

fn download_blob(file_name: &str, blob: &web_sys::Blob) -> Result<(), String> {
    let url = web_sys::Url::create_object_url_with_blob(blob).map_err(|e| js_message(&e))?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement =
        document.create_element("a").map_err(|e| js_message(&e))?.dyn_into().map_err(|_| "not an anchor")?;
    a.set_href(&url);
    a.set_download(file_name);
    a.click();
    // The click has started the download; the URL is no longer needed.
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// The files of a list, taken out at once: the list is live, and clearing its input empties it.
fn files_of(list: &web_sys::FileList) -> Vec<FileToRead> {
    (0..list.length()).filter_map(|i| list.get(i)).map(FileToRead).collect()
}

/// The files a file input's `change` event picked. The input is cleared, so that choosing the same file
/// again fires `change` again.
pub fn picked_files(ev: &web_sys::Event) -> Vec<FileToRead> {
    let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
        return Vec::new();
    };
    let files = input.files().as_ref().map(files_of).unwrap_or_default();
    input.set_value("");
    files
}

/// The files a drop event carries.
pub fn dropped_files(ev: &web_sys::DragEvent) -> Vec<FileToRead> {
    ev.data_transfer().and_then(|d| d.files()).as_ref().map(files_of).unwrap_or_default()
}

fn mb(bytes: u64) -> u64 {
    (bytes + 524_288) / 1_048_576
}

/// Reads a file into memory. A file over the bundle limit is refused before it is read. A gzip file
/// (known by its first bytes, whatever its name) is inflated by the browser as it is read, and refused
/// as soon as it would inflate past the same limit: a small file that inflates to gigabytes must not
/// fill the page's memory. `cancelled` is asked between chunks, and a cancelled read stops there.
pub async fn read_file(file: &FileToRead, cancelled: impl Fn() -> bool) -> PickedFile {
    let name = file.name();
    let size = file.size();
    let limit = MAX_BUNDLE_BYTES as u64;
    if size > limit {
        let bytes = Err(format!("the file is {} MB; bundles may be at most {} MB", mb(size), mb(limit)));
        return PickedFile { name, bytes };
    }
    let bytes = match slice_bytes(&file.0, 0.0, 2.0).await {
        Ok(head) if is_gzip(&head) => inflate(&file.0, size, limit, cancelled).await,
        Ok(_) => match JsFuture::from(file.0.array_buffer()).await {
            Ok(buf) => Ok(Uint8Array::new(&buf).to_vec()),
            Err(e) => Err(format!("the file could not be read: {}", js_message(&e))),
        },
        Err(e) => Err(e),
    };
    PickedFile { name, bytes }
}

/// The first `n` bytes of a picked file, or fewer when it is shorter; empty when they cannot be read
/// (the full read that follows then says why).
pub async fn read_head(file: &FileToRead, n: usize) -> Vec<u8> {
    slice_bytes(&file.0, 0.0, n as f64).await.unwrap_or_default()
}

/// The bytes of `blob` from `start` to `end`.
async fn slice_bytes(blob: &web_sys::Blob, start: f64, end: f64) -> Result<Vec<u8>, String> {
    let part = blob.slice_with_f64_and_f64(start, end).map_err(|e| js_message(&e))?;
    let buf = JsFuture::from(part.array_buffer())
        .await
        .map_err(|e| format!("the file could not be read: {}", js_message(&e)))?;
    Ok(Uint8Array::new(&buf).to_vec())
}

/// Inflates a gzip file of `size` bytes, refusing it once it passes `limit` inflated bytes.
async fn inflate(file: &web_sys::Blob, size: u64, limit: u64, cancelled: impl Fn() -> bool) -> Result<Vec<u8>, String> {
    let too_large =
        || format!("the file inflates to more than {} MB; bundles may be at most {} MB", mb(limit), mb(limit));
    // gzip ends with the inflated size (modulo 4 GiB) of its last member: an honest bomb says what it
    // is before anything is inflated. A file can lie there, so the stream is counted as well.
    if size >= 18 {
        let tail = slice_bytes(file, (size - 4) as f64, size as f64).await?;
        if let Ok(isize) = <[u8; 4]>::try_from(tail.as_slice()) {
            if u64::from(u32::from_le_bytes(isize)) > limit {
                return Err(too_large());
            }
        }
    }
    let inflater = Inflate::new("gzip").map_err(|_| "this browser cannot read compressed files".to_string())?;
    let reader = file
        .unchecked_ref::<StreamingBlob>()
        .byte_stream()
        .pipe_through(&inflater)
        .and_then(|s| s.get_reader())
        .map_err(|e| format!("the file could not be read: {}", js_message(&e)))?;
    // The chunks stay in JavaScript until the whole file is in, and are copied into wasm memory once, at
    // its final size: wasm memory never shrinks, so growing a buffer in it step by step would keep the
    // high-water mark of every read for the rest of the session.
    let chunks = Array::new();
    let mut total: u64 = 0;
    loop {
        if cancelled() {
            let _ = reader.cancel();
            return Err("the import was cancelled".into());
        }
        let step = JsFuture::from(reader.read())
            .await
            .map_err(|e| format!("the file is not valid gzip: {}", js_message(&e)))?;
        if Reflect::get(&step, &"done".into()).ok().and_then(|d| d.as_bool()).unwrap_or(true) {
            break;
        }
        let Ok(chunk) = Reflect::get(&step, &"value".into()).and_then(|v| v.dyn_into::<Uint8Array>()) else {
            let _ = reader.cancel();
            return Err("the file could not be read: the browser gave something other than bytes".into());
        };
        total += u64::from(chunk.length());
        if total > limit {
            let _ = reader.cancel();
            return Err(too_large());
        }
        chunks.push(&chunk);
    }
    let mut out: Vec<u8> = Vec::new();
    let total = usize::try_from(total).map_err(|_| too_large())?;
    out.try_reserve_exact(total).map_err(|_| {
        format!(
            "the file inflates to {} MB, more than this browser tab can hold; use the liaison tool",
            mb(total as u64)
        )
    })?;
    out.resize(total, 0);
    let mut at = 0;
    for chunk in chunks.iter() {
        let chunk: Uint8Array = chunk.unchecked_into();
        let n = chunk.length() as usize;
        chunk.copy_to(&mut out[at..at + n]);
        at += n;
    }
    Ok(out)
}

/// Gives the page its turn: the browser handles input, and draws when a frame is due, before the
/// returned future resolves. Uses `scheduler.yield()` where there is one, which resumes ahead of other
/// queued work; else a zero timeout.
pub async fn yield_to_page() {
    let Some(window) = web_sys::window() else { return };
    let scheduled = Reflect::get(&window, &"scheduler".into()).ok().filter(|s| s.is_object()).and_then(|s| {
        let f = Reflect::get(&s, &"yield".into()).ok()?.dyn_into::<js_sys::Function>().ok()?;
        f.call0(&s).ok()?.dyn_into::<Promise>().ok()
    });
    let promise = scheduled.unwrap_or_else(|| {
        Promise::new(&mut |resolve, _| {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        })
    });
    let _ = JsFuture::from(promise).await;
}

/// Milliseconds on the page's monotonic clock, to measure how long a slice of work took.
pub fn elapsed_ms() -> f64 {
    performance_now()
}

/// What a JavaScript error says, for a message.
fn js_message(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}
