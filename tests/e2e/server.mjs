// A tiny dependency-free static file server for the built app (dist/), bound to 127.0.0.1 only.
//
//   import { startServer } from './server.mjs';
//   const { url, close } = await startServer({ root: 'dist' });   // port 0: a free port
//
//   node tests/e2e/server.mjs dist 8080
//
// Like the deployed app's host: a GET for a path without a file extension that does not
// exist serves index.html (the app's router handles it); a missing file WITH an extension
// (say /liaison-abc.wasm) is a plain-text 404, never HTML. Every response has
// Cache-Control: no-cache.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

function contentType(path) {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

async function isFile(path) {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function send(res, status, headers, body, head) {
  res.writeHead(status, { 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff', ...headers });
  res.end(head ? undefined : body);
}

function plain(res, status, text, head) {
  send(res, status, { 'Content-Type': 'text/plain; charset=utf-8' }, `${text}\n`, head);
}

/**
 * Serves `root` on 127.0.0.1.
 * @param {{ root: string, port?: number, htmlForMissingFiles?: boolean }} options  port 0 (the default)
 *        picks a free port; htmlForMissingFiles: answer EVERY missing path, /x.wasm too, with index.html
 *        and 200, as a naive single-page-app host does (to test that the service worker copes)
 * @returns {Promise<{ url: string, port: number, close: () => Promise<void>, setRoot: (dir: string) => Promise<void> }>}
 *          url has no trailing slash, e.g. http://127.0.0.1:41234; setRoot(dir) serves another build
 *          from then on, on the same origin (the update drill of tests/e2e/pwa.test.mjs)
 */
export async function startServer({ root, port = 0, htmlForMissingFiles = false }) {
  // `let`: setRoot() swaps the served folder, as a deployment of a new build does.
  let base = resolve(root);
  if (!(await isFile(join(base, 'index.html')))) {
    throw new Error(`startServer: ${join(base, 'index.html')} does not exist (build the app first)`);
  }

  const server = createServer(async (req, res) => {
    const head = req.method === 'HEAD';
    try {
      if (req.method !== 'GET' && !head) {
        res.setHeader('Allow', 'GET, HEAD');
        return plain(res, 405, 'method not allowed', head);
      }
      let pathname;
      try {
        pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
      } catch {
        return plain(res, 400, 'bad request', head);
      }
      if (pathname.includes('\0')) return plain(res, 400, 'bad request', head);
      const wanted = pathname.endsWith('/') ? `${pathname}index.html` : pathname;
      const file = resolve(base, `.${wanted}`);
      if (file !== base && !file.startsWith(base + sep)) return plain(res, 403, 'forbidden', head);

      let path = file;
      if (!(await isFile(path))) {
        // No extension: an app route, served by the app's index.html. With one: a missing asset.
        if (extname(pathname) !== '' && !htmlForMissingFiles) return plain(res, 404, `not found: ${pathname}`, head);
        path = join(base, 'index.html');
      }
      const body = await readFile(path);
      return send(res, 200, { 'Content-Type': contentType(path), 'Content-Length': body.length }, body, head);
    } catch (err) {
      return plain(res, 500, `server error: ${err.message}`, head);
    }
  });

  // Track sockets so close() does not wait for a browser's keep-alive connections.
  const sockets = new Set();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', fail);
      ok();
    });
  });
  const actualPort = server.address().port;

  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    setRoot: async (dir) => {
      const next = resolve(dir);
      if (!(await isFile(join(next, 'index.html')))) throw new Error(`setRoot: ${join(next, 'index.html')} does not exist`);
      base = next;
    },
    close: () =>
      new Promise((ok) => {
        server.close(() => ok());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

// CLI: node tests/e2e/server.mjs [root=dist] [port=8080]
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? 'dist';
  const port = Number(process.argv[3] ?? 8080);
  const { url } = await startServer({ root, port });
  console.log(`Serving ${resolve(root)} on ${url}/ (Ctrl-C stops)`);
}
