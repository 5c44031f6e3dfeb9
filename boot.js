// Starts the app without an inline script, so the Content-Security-Policy can forbid them.
// trunk writes this tag (Trunk.toml `pattern_script`) with the hashed file names:
// <script type="module" src="/boot.js" data-js="/liaison-<hash>.js" data-wasm="/liaison-<hash>_bg.wasm" id="boot">
//
// When the app cannot start, the "Opening your notebook…" placeholder would otherwise stay forever, so it
// is replaced by a plain page that says why and what to do. Most often WebAssembly is switched off: by
// Lockdown Mode on Apple devices, by a browser's stricter security setting, or by a managed computer's
// policy. (JavaScript switched off is covered by index.html's <noscript>.)
const me = document.getElementById('boot');

/**
 * Replaces the loading placeholder with an explanation. Built with DOM calls and textContent only:
 * an error message is shown as text, never parsed as HTML.
 * @param {string} title
 * @param {string[]} paragraphs
 * @param {string[]} steps  what the officer can do
 * @param {string} [detail]  the browser's own error message, if there is one
 */
function explain(title, paragraphs, steps, detail) {
  const page = document.createElement('main');
  page.className = 'boot-problem';
  page.id = 'boot-problem';
  const card = document.createElement('div');
  card.className = 'boot-problem-card';
  card.setAttribute('role', 'alert');
  const add = (parent, tag, text, className) => {
    const el = document.createElement(tag);
    if (text !== undefined) el.textContent = text;
    if (className) el.className = className;
    parent.append(el);
    return el;
  };
  add(card, 'p', 'Liaison', 'boot-problem-brand');
  add(card, 'h1', title);
  for (const p of paragraphs) add(card, 'p', p);
  add(card, 'h2', 'What you can do');
  const list = add(card, 'ul');
  for (const step of steps) add(list, 'li', step);
  add(card, 'p', 'Your notes are not affected: they stay in this browser on this device.', 'boot-problem-note');
  if (detail) add(card, 'p', `The browser said: ${detail}`, 'boot-problem-detail');
  page.append(card);
  const loading = document.getElementById('loading');
  if (loading) loading.replaceWith(page);
  else document.body.append(page);
  document.title = `${title} · Liaison`;
}

const WASM_STEPS = [
  'Lockdown Mode (iPhone, iPad, Mac): in Safari, open this website’s settings and turn Lockdown Mode off for this site only, then reload the page.',
  'Microsoft Edge: in Settings › Privacy, search and services, add this site as an exception to “Enhance your security on the web”, then reload.',
  'A managed computer: ask your IT support to allow WebAssembly (JavaScript JIT) for this site.',
  'Or open Liaison in another up-to-date browser: Chrome, Edge, Firefox or Safari.',
];

if (typeof WebAssembly !== 'object' || WebAssembly === null) {
  explain(
    'Liaison needs WebAssembly',
    [
      'Liaison runs entirely in your browser and is built with WebAssembly, which this browser does not allow here.',
      'It is often switched off by Lockdown Mode on Apple devices, by a browser’s stricter security setting, or by a policy on managed computers.',
    ],
    WASM_STEPS,
  );
} else {
  try {
    const { default: init } = await import(me.dataset.js);
    await init({ module_or_path: me.dataset.wasm });
  } catch (err) {
    // Keep the details for whoever opens the console; the page says it in plain words.
    console.error('Liaison could not start:', err);
    explain(
      'Liaison could not start',
      [
        'The app’s files did not load or could not run in this browser.',
        'If WebAssembly is restricted here (Lockdown Mode, a stricter security setting or a managed computer’s policy), Liaison cannot run.',
      ],
      ['Reload the page. If you are offline and have not opened Liaison on this device before, connect once and reload.', ...WASM_STEPS],
      err && err.message ? String(err.message) : String(err),
    );
  }
}
