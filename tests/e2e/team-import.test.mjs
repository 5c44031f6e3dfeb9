// A coordinator's import of compressed bundles: a .json.gz export opens on another device, and a file
// that claims to inflate past the bundle limit is refused before anything is inflated.
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DESKTOP, assertNoErrors, exact, firstStart, nav, newPage, screenshot, servedApp } from './helpers.mjs';

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
