// Service worker: keeps the studio usable offline after the first visit.
// Network first (so a new build is picked up), the cache when the network is gone. Only
// same-origin GETs are touched; the user's data never passes through here (it lives in IndexedDB).
const CACHE = 'ml-studio-v1';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)));
        }
        return response;
      })
      .catch(() =>
        caches.match(request, { ignoreSearch: true }).then(
          (cached) => cached || new Response('offline and not cached yet', { status: 503 }),
        ),
      ),
  );
});
