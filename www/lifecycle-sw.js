// "Make the backend unreachable" (www/lifecycle.js, section 1): while switched on, this page's
// requests to the auth backend fail as a network error — what fetch() sees when the backend is
// down or the network is gone — so the client's /refresh gets no answer. Off (the default, and
// after any restart of this worker): requests go to the network untouched.
let down = null; // null, or the backend origin whose requests fail

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', event => event.waitUntil(self.clients.claim()));
self.addEventListener('message', event => {
  if (event.data?.type !== 'backend-down') return;
  down = event.data.down ? String(event.data.origin) : null;
  event.source?.postMessage({ type: 'backend-down', down: down !== null });
});
self.addEventListener('fetch', event => {
  if (down !== null && new URL(event.request.url).origin === down) event.respondWith(Response.error());
});
