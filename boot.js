// Starts the app without an inline script, so the Content-Security-Policy can forbid them.
// trunk writes this tag (Trunk.toml `pattern_script`) with the hashed file names:
// <script type="module" src="/boot.js" data-js="/liaison-<hash>.js" data-wasm="/liaison-<hash>_bg.wasm" id="boot">
const me = document.getElementById('boot');
const { default: init } = await import(me.dataset.js);
await init({ module_or_path: me.dataset.wasm });
