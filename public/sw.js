// Liaison's service worker: the app starts with no network, and an update never mixes two builds.
//
// public/sw.js is a template that trunk does not copy: the post_build hook (scripts/sw-manifest.mjs)
// writes dist/sw.js from it for release builds, replacing the BUILD placeholder below with this build's
// version and the exact list of its files (hashed names, SHA-384 integrity). Written by hand, without
// Workbox: see ARCHITECTURE.md.
//
// The rules:
// - install precaches every file of this build into one cache named after the build version, and
//   checks each against its integrity hash, so a half-deployed server cannot yield a mixed shell.
//   It does not skipWaiting: the new version waits until the officer presses "Reload" (the page posts
//   {type: "SKIP_WAITING"}), so nothing switches under someone who is typing.
// - activate deletes every other Liaison cache and claims the open pages (matters on first install only).
// - fetch answers same-origin GETs only. Navigations get the cached app shell (index.html): the shell
//   and the hashed files it names come from the same cache, so they always match. Everything else is
//   cache first, then network. A .js, .wasm or .css request never gets HTML back.
'use strict';

/** @type {{ version: string, files: { url: string, integrity: string }[] } | null} */
const BUILD = /*__LIAISON_BUILD__*/ null;

const PREFIX = 'liaison-precache-';
const CACHE = BUILD ? PREFIX + BUILD.version : null;
// The scope's base URL ("/" unless the app is served under a path), from the registration.
const BASE = new URL(self.registration.scope).pathname;
const SHELL = BASE + 'index.html';
// Files whose answer must be the file itself. A host that answers a missing file with its SPA fallback
// page must not get that HTML into the page as a script, wasm module or stylesheet.
const ASSET = /\.(?:js|mjs|wasm|css)$/i;

self.addEventListener('install', (event) => {
  event.waitUntil(precache());
});

async function precache() {
  if (!BUILD) throw new Error('sw.js is the unprocessed template: build with `trunk build --release`');
  const existed = await caches.has(CACHE);
  const cache = await caches.open(CACHE);
  try {
    // cache: 'reload' skips the HTTP cache; integrity fails the fetch unless the bytes are this build's.
    await cache.addAll(BUILD.files.map((f) => new Request(f.url, { cache: 'reload', integrity: f.integrity })));
  } catch (err) {
    // The install fails and the browser tries again at the next update check; leave no empty cache behind.
    if (!existed) await caches.delete(CACHE);
    throw err;
  }
}

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((n) => n.startsWith(PREFIX) && n !== CACHE).map((n) => caches.delete(n)));
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || !CACHE) return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith(BASE)) return;
  // The team hub's API (same origin with `liaison hub serve --app`) is never cached nor answered here.
  if (url.pathname.startsWith(BASE + 'v1/')) return;
  if (request.mode === 'navigate' && isAppRoute(url.pathname)) {
    event.respondWith(appShell(request));
  } else {
    event.respondWith(cacheFirst(request, url));
  }
});

/** A page of the app (a router path such as /meetings/<id>, or /, or /index.html), not a file. */
function isAppRoute(pathname) {
  const last = pathname.slice(pathname.lastIndexOf('/') + 1);
  return last === '' || last === 'index.html' || !last.includes('.');
}

/**
 * Offline first: the cached shell, with no wait on the network (a captive portal or a dead link would
 * otherwise stall every start). Updates arrive through the worker update check instead.
 */
async function appShell(request) {
  const cache = await caches.open(CACHE);
  const shell = await cache.match(SHELL);
  if (shell) return shell;
  // The browser evicted the cache: the network is all there is.
  return fetch(request);
}

async function cacheFirst(request, url) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  let response;
  try {
    response = await fetch(request);
  } catch {
    return notFound(url, 'not available offline');
  }
  if (ASSET.test(url.pathname)) {
    // An old build's file (say liaison-<old hash>_bg.wasm) is gone from the server: pass its 404 on, but
    // never a host's HTML fallback page in place of a script, module or stylesheet.
    const html = (response.headers.get('Content-Type') || '').startsWith('text/html');
    if (html) return notFound(url, 'not found');
  }
  return response;
}

function notFound(url, why) {
  return new Response(`${why}: ${url.pathname}\n`, {
    status: 404,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
  });
}
