// Makes "build N+1" from a release build for the update drill, in a second instead of a two-minute
// rebuild, and as a real new build looks to the browser: every hashed file has new bytes and so a new
// name, index.html names the new files with their new integrity hashes, the old files are gone, and
// sw.js is written again by the real post_build script (new version, new cache name, new precache list).
//
//   const next = await makeNextBuild(DIST, dir, 'build N+1');
//   next.js, next.wasm, next.css   the new file names;  next.old.{js,wasm,css} the ones that are gone
//   next.version                   the new worker's build version
import { createHash } from 'node:crypto';
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeReleaseWorker } from '../../scripts/sw-manifest.mjs';

const hash16 = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);
const sri = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;

/** Unsigned LEB128, as wasm writes lengths. */
function leb128(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return Buffer.from(out);
}

/** The module with a custom section appended: a valid module, with different bytes, that runs the same. */
function withCustomSection(wasm, name, text) {
  const nameBytes = Buffer.from(name, 'utf8');
  const payload = Buffer.concat([leb128(nameBytes.length), nameBytes, Buffer.from(text, 'utf8')]);
  return Buffer.concat([wasm, Buffer.from([0]), leb128(payload.length), payload]);
}

/**
 * Copies the build in `from` to `to` as the next build, labelled `label`.
 * @param {string} from  a release build (dist/)
 * @param {string} to    a new folder
 * @param {string} label  written into each changed file
 */
export async function makeNextBuild(from, to, label) {
  await cp(from, to, { recursive: true });
  const names = await readdir(to);
  const find = (re) => {
    const name = names.find((n) => re.test(n));
    if (!name) throw new Error(`makeNextBuild: no file matching ${re} in ${from}`);
    return name;
  };
  const old = {
    js: find(/^liaison-[0-9a-f]+\.js$/),
    wasm: find(/^liaison-[0-9a-f]+_bg\.wasm$/),
    css: find(/^main-[0-9a-f]+\.css$/),
  };

  let html = await readFile(join(to, 'index.html'), 'utf8');
  const renamed = {};
  // Replaces a hashed file by its next version: new bytes, new name, index.html updated (name and SRI).
  const replace = async (key, prefix, suffix, change) => {
    const before = await readFile(join(to, old[key]));
    const after = change(before);
    const name = `${prefix}${hash16(after)}${suffix}`;
    await writeFile(join(to, name), after);
    await rm(join(to, old[key]));
    html = html.split(old[key]).join(name).split(sri(before)).join(sri(after));
    renamed[key] = name;
    return name;
  };

  const wasm = await replace('wasm', 'liaison-', '_bg.wasm', (b) => withCustomSection(b, 'liaison-build', label));
  // The glue names its wasm file as a default; keep that right too.
  await replace('js', 'liaison-', '.js', (b) => Buffer.from(`${b.toString('utf8').split(old.wasm).join(wasm)}\n// ${label}\n`));
  await replace('css', 'main-', '.css', (b) => Buffer.from(`${b.toString('utf8')}\n/* ${label} */\n`));
  await writeFile(join(to, 'index.html'), html);

  const build = await writeReleaseWorker(to, '/');
  return { ...renamed, old, version: build.version, files: build.files };
}
