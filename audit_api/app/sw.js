// The service worker (scope /app/): the app's shell offline.
//
// The server writes SHELL in: the release's version (a hash of every file's content) and the files to
// keep. Install fills the cache "app-<version>" (revalidating each file with the server, so nothing stale
// from the HTTP cache slips in). A new release waits until no page of the app is open (no skipWaiting), so
// it never swaps the code under an auditor's open draft; then activate deletes every older "app-" cache.
// Then:
//   a page of the app (navigation)          the kept page, else the network
//   languages.json and words/<lang>.json    the network first (the chain may change its words), else the kept copy
//   any other file under /app/              the kept copy, else the network
//   the API                                 not touched: the app reads it network first and keeps its own copy
//                                           in IndexedDB (api.js, db.js)
// A page asks to keep its language's words with postMessage({keep: "/app/words/<lang>.json"}).

const SHELL = "__SHELL__";
const CACHE = `app-${SHELL.version}`;
const FRESH = /^\/app\/(languages\.json|words\/[a-z]{2,3}(-[A-Za-z0-9]+)*\.json)$/;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(SHELL.files.map((url) => new Request(url, { cache: "no-cache" })));
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("app-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  const url = event.data?.keep;
  if (typeof url !== "string" || !FRESH.test(url)) return;
  event.waitUntil((async () => {
    try {
      await (await caches.open(CACHE)).add(new Request(url, { cache: "no-cache" }));
    } finally {
      event.ports[0]?.postMessage({ kept: url });
    }
  })());
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(request);
    if (kept) return kept;
    throw error;
  }
}

async function keptFirst(request) {
  const kept = await caches.match(request, { cacheName: CACHE });
  return kept || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || !url.pathname.startsWith("/app/")) return;
  if (request.mode === "navigate") {
    event.respondWith(caches.match("/app/", { cacheName: CACHE }).then((page) => page || fetch(request)));
  } else if (FRESH.test(url.pathname)) {
    event.respondWith(networkFirst(request));
  } else {
    event.respondWith(keptFirst(request));
  }
});
