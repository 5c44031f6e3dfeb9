// A coordinator's import of compressed bundles: a .json.gz export opens on another device, and a file
// that claims to inflate past the bundle limit is refused before anything is inflated. A team's bundles
// import with a progress bar and Cancel, are written as pages, and a reload shows every record stored.
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DESKTOP, assertNoErrors, exact, firstStart, nav, newPage, screenshot, servedApp } from './helpers.mjs';
import { teamBundles } from './team-bundles.mjs';

const app = servedApp();
let dir;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'liaison-team-'));
});

test('a bundle exported as a smaller file (.json.gz) opens on another device with its records', async () => {
  const ana = await firstStart(await newPage(app.browser, DESKTOP), { url: `${app.server.url}/`, officer: 'Lt Col Ana Ruiz', label: 'Ana laptop' });
  const coord = await firstStart(await newPage(app.browser, DESKTOP), { url: `${app.server.url}/`, officer: 'Col Clara Weiss', label: 'Coordinator laptop' });
  try {
    await nav(ana, 'Contacts');
    await ana.getByRole('button', { name: 'New contact' }).click();
    await ana.getByLabel('Name', exact).fill('Compressed Contact');
    await ana.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
    await nav(ana, 'Export');
    const [download] = await Promise.all([
      ana.waitForEvent('download'),
      ana.getByRole('button', { name: 'Export as a smaller file (.json.gz)' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^liaison-ana-laptop-\d{4}-\d{2}-\d{2}-0001-all\.json\.gz$/);
    const path = join(dir, download.suggestedFilename());
    await download.saveAs(path);
    const bundle = JSON.parse(gunzipSync(await readFile(path)).toString('utf8'));
    assert.equal(bundle.format, 'liaison-bundle');
    assert.equal(bundle.records.length, 1);
    await ana.getByRole('status').filter({ hasText: /^Saved liaison-.*\.json\.gz with 1 record\./ }).waitFor();

    await nav(coord, 'Import');
    await coord.getByLabel('Choose bundle files').setInputFiles(path);
    await coord.getByRole('heading', { name: 'Preview', exact: true }).waitFor();
    await coord.getByText('Bundle 1 from Lt Col Ana Ruiz (Ana laptop)').waitFor();
    await screenshot(coord, 'import-gzip-preview');
    await coord.getByRole('button', { name: 'Import', exact: true }).click();
    await coord.getByText('Imported 1 file: 1 new, 0 updated.').waitFor();
    await nav(coord, 'Contacts');
    await coord.getByRole('link', { name: /Compressed Contact/ }).waitFor();
    assertNoErrors(ana);
    assertNoErrors(coord);
  } finally {
    await ana.context().close();
    await coord.context().close();
  }
});

test('a compressed file that says it inflates past the bundle limit is refused, and one that is not gzip inside is named', async () => {
  const page = await firstStart(await newPage(app.browser, DESKTOP), { url: `${app.server.url}/` });
  try {
    // A real gzip stream whose trailer says it inflates to 3 GiB: refused before anything is inflated.
    const bomb = gzipSync(Buffer.alloc(1024));
    bomb.writeUInt32LE(3 * 1024 * 1024 * 1024, bomb.length - 4);
    const bombPath = join(dir, 'bomb.json.gz');
    await writeFile(bombPath, bomb);
    // gzip's magic bytes, then nothing a gzip reader can inflate.
    const brokenPath = join(dir, 'broken.json.gz');
    await writeFile(brokenPath, Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(40, 0x41)]));
    await nav(page, 'Import');
    await page.getByLabel('Choose bundle files').setInputFiles([bombPath, brokenPath]);
    await page.getByRole('heading', { name: 'Preview', exact: true }).waitFor();
    const bombCard = page.getByRole('listitem').filter({ hasText: 'bomb.json.gz' });
    await bombCard.getByText(/the file inflates to more than 2048 MB; bundles may be at most 2048 MB/).waitFor();
    const brokenCard = page.getByRole('listitem').filter({ hasText: 'broken.json.gz' });
    await brokenCard.getByText(/the file is not valid gzip/).waitFor();
    assert.equal(await page.getByRole('button', { name: /^Import/ }).isDisabled(), true);
    assertNoErrors(page);
  } finally {
    await page.context().close();
  }
});

/** The records in the files, one id counted once: what the notebook holds after importing them. */
async function distinctRecords(paths) {
  const ids = new Set();
  for (const p of paths) for (const r of JSON.parse(await readFile(p, 'utf8')).records) ids.add(r.id);
  return ids.size;
}

/** How many keys of the app's IndexedDB store start with each of `prefixes`. */
function storedKeys(prefixes) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('liaison');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const req = open.result.transaction('kv').objectStore('kv').getAllKeys();
      req.onerror = () => reject(req.error);
      req.onsuccess = () => {
        open.result.close();
        resolve(prefixes.map((p) => req.result.filter((k) => k.startsWith(p)).length));
      };
    };
  });
}

test("a team's bundles import with a progress bar and Cancel, and after a reload every record is stored", async () => {
  const files = await teamBundles({ officers: 3, records: 400 });
  const expected = await distinctRecords(files);
  const page = await firstStart(await newPage(app.browser, DESKTOP), { url: `${app.server.url}/`, officer: 'Col Clara Weiss', label: 'Coordinator laptop' });
  try {
    await nav(page, 'Import');
    // The bar may come and go between two looks, so the page itself notes that it was shown.
    const watchBar = () =>
      page.evaluate(() => {
        window.__progressShown = false;
        new MutationObserver(() => {
          if (document.querySelector('[role="status"] progress')) window.__progressShown = true;
        }).observe(document.body, { childList: true, subtree: true });
      });
    await watchBar();
    await page.getByLabel('Choose bundle files').setInputFiles(files);
    // Cancel while reading, or on the preview if reading was quicker: either way nothing is imported.
    await page.getByRole('button', { name: 'Cancel', exact: true }).first().click();
    assert.equal(await page.evaluate(() => window.__progressShown), true, 'the progress bar was shown');
    await page.getByRole('heading', { name: 'Preview', exact: true }).waitFor({ state: 'detached' });
    assert.equal(await page.getByText(/^Imported \d+ files?/).count(), 0);

    await watchBar();
    await page.getByLabel('Choose bundle files').setInputFiles(files);
    await page.getByRole('heading', { name: 'Preview', exact: true }).waitFor({ timeout: 120_000 });
    assert.equal(await page.evaluate(() => window.__progressShown), true, 'the progress bar was shown');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText(`Imported ${files.length} files`).waitFor({ timeout: 120_000 });
    await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor({ timeout: 120_000 });
    const [pages, singles] = await page.evaluate(storedKeys, ['liaison/v1/page/', 'liaison/v1/record/']);
    assert.ok(pages >= 2, `the import was written as pages (${pages} pages)`);
    assert.ok(singles < expected / 10, `not one value per record (${singles} of ${expected})`);

    await page.reload();
    await nav(page, 'Export');
    const everything = page.getByRole('radio', { name: /Everything/ });
    const shown = Number(/([\d,]+) records/.exec(await everything.locator('..').innerText())?.[1].replaceAll(',', '') ?? NaN);
    assert.equal(shown, expected, 'every imported record is there after a reload');
    assert.equal(await page.getByText(/kept in memory|not saved/).count(), 0);
    await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
    assertNoErrors(page);
  } finally {
    await page.context().close();
  }
});
