//! Files in and out: downloads of exports, and reading files the officer picked or dropped.

use js_sys::{Array, Uint8Array};
use liaison_core::formats::bundle::MAX_BUNDLE_BYTES;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// A file the officer chose, read into memory, or the reason it was not read.
pub struct PickedFile {
    /// Its name.
    pub name: String,
    /// Its bytes, or why they were not read.
    pub bytes: Result<Vec<u8>, String>,
}

/// Offers `text` as a download named `file_name`.
pub fn download(file_name: &str, text: &str, mime: &str) -> Result<(), String> {
    let parts = Array::new();
    parts.push(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(|e| format!("{e:?}"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| format!("{e:?}"))?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement =
        document.create_element("a").map_err(|e| format!("{e:?}"))?.dyn_into().map_err(|_| "not an anchor")?;
    a.set_href(&url);
    a.set_download(file_name);
    a.click();
    // The click has started the download; the URL is no longer needed.
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// The files of a list, taken out at once: the list is live, and clearing its input empties it.
fn files_of(list: &web_sys::FileList) -> Vec<web_sys::File> {
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// The files a file input's `change` event picked. The input is cleared, so that choosing the same file
/// again fires `change` again.
pub fn picked_files(ev: &web_sys::Event) -> Vec<web_sys::File> {
    let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
        return Vec::new();
    };
    let files = input.files().as_ref().map(files_of).unwrap_or_default();
    input.set_value("");
    files
}

/// The files a drop event carries.
pub fn dropped_files(ev: &web_sys::DragEvent) -> Vec<web_sys::File> {
    ev.data_transfer().and_then(|d| d.files()).as_ref().map(files_of).unwrap_or_default()
}

/// Reads files into memory. Files over the bundle limit are refused before they are read.
pub async fn read_files(files: Vec<web_sys::File>) -> Vec<PickedFile> {
    let mut out = Vec::new();
    for file in files {
        let name = file.name();
        let size = file.size();
        if size > MAX_BUNDLE_BYTES as f64 {
            out.push(PickedFile {
                name,
                bytes: Err(format!(
                    "the file is {} MB; bundles may be at most {} MB",
                    (size / 1_048_576.0).round(),
                    MAX_BUNDLE_BYTES / 1_048_576
                )),
            });
            continue;
        }
        let bytes = match JsFuture::from(file.array_buffer()).await {
            Ok(buf) => Ok(Uint8Array::new(&buf).to_vec()),
            Err(e) => Err(format!("the file could not be read: {e:?}")),
        };
        out.push(PickedFile { name, bytes });
    }
    out
}
