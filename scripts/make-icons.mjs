// Renders the app's PNG icons from the SVG sources in public/icons/, with Debian's Chromium.
// Run it once after changing an SVG, and commit the PNGs (the build only copies them):
//
//   node scripts/make-icons.mjs
//
//   icon.svg          -> icon-192.png, icon-512.png   (manifest "any": rounded square, transparent corners)
//   icon-maskable.svg -> icon-maskable-512.png        (manifest "maskable": full bleed, mark inside the safe zone)
//   icon-maskable.svg -> apple-touch-icon.png (180)   (iOS wants an opaque square and rounds it itself)
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ICONS = join(ROOT, 'public', 'icons');

const OUTPUTS = [
  { source: 'icon.svg', size: 192, out: 'icon-192.png' },
  { source: 'icon.svg', size: 512, out: 'icon-512.png' },
  { source: 'icon-maskable.svg', size: 512, out: 'icon-maskable-512.png' },
  { source: 'icon-maskable.svg', size: 180, out: 'apple-touch-icon.png' },
];

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  for (const { source, size, out } of OUTPUTS) {
    const svg = await readFile(join(ICONS, source));
    const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
    // The SVG as an <img> scaled to exactly size x size, on a transparent page.
    await page.setContent(
      `<!doctype html><html><head><style>html,body{margin:0;background:transparent}img{display:block}</style></head>` +
        `<body><img width="${size}" height="${size}" alt="" src="data:image/svg+xml;base64,${svg.toString('base64')}"></body></html>`,
    );
    await page.locator('img').evaluate((img) => img.decode());
    const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
    await writeFile(join(ICONS, out), png);
    console.log(`make-icons: public/icons/${out} (${size}x${size}, ${png.length} bytes) from ${source}`);
    await page.close();
  }
} finally {
  await browser.close();
}
