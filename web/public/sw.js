// Threadline service worker: caches the app shell so the app opens without a network.
// API calls are never cached (answers must be live); the app itself shows when the server is
// unreachable and queues questions. Bump SHELL_VERSION to drop old caches.
const SHELL_VERSION = 'threadline-shell-v1';
const SHELL = ['/', '/manifest.webmanifest', '/icons/icon.svg', '/icons/icon-192.png', '/icons/icon-512.png'];
// Every built JS/CSS chunk (lazy pages too), written in by the build (web/vite.config.ts), so
// each release changes this file and gets installed with all its chunks.
const ASSETS = /* built assets */ [];
const API_PREFIXES = ['/chat', '/threads', '/knowledge', '/api/', '/v1/', '/health', '/models', '/docs'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL_VERSION)
      .then((cache) => cache.addAll([...SHELL, ...ASSETS]))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(keys.filter((key) => key !== SHELL_VERSION).map((key) => caches.delete(key))),
      )
      .then(() => caches.open(SHELL_VERSION))
      .then((cache) =>
        cache.keys().then((requests) =>
          Promise.all(
            requests.map((request) => {
              // Chunks of older releases are never asked for again.
              const path = new URL(request.url).pathname;
              return path.startsWith('/assets/') && !ASSETS.includes(path) ? cache.delete(request) : false;
            }),
          ),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

const isApi = (url) => API_PREFIXES.some((prefix) => url.pathname.startsWith(prefix));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || isApi(url)) return;

  if (request.mode === 'navigate') {
    // Network first so a new release shows up at once; the cached shell when offline.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            void caches.open(SHELL_VERSION).then((cache) => cache.put('/', copy));
          }
          return response;
        })
        .catch(() => caches.match('/').then((cached) => cached ?? Response.error())),
    );
    return;
  }

  // Hashed assets never change, icons rarely: cache first, filled on first use.
  event.respondWith(
    caches.match(request).then(
      (cached) =>
        cached ??
        fetch(request).then((response) => {
          if (response.ok && (url.pathname.startsWith('/assets/') || url.pathname.startsWith('/icons/'))) {
            const copy = response.clone();
            void caches.open(SHELL_VERSION).then((cache) => cache.put(request, copy));
          }
          return response;
        }),
    ),
  );
});
