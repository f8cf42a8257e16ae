/* matchmaker's service worker (#17), served at /sw.js with scope "/".

   On the day the venue's Wi-Fi is poor: once a person has opened their home page, agenda or
   badge, the last copy of each (and the static files pages need) is kept here and shown when
   the network is not there. Everything else goes to the network untouched.

   - Network first: a page that loads is always the live one, and its copy is refreshed.
   - A copy served offline has data-served="cache" on its <body>: the page then says when it
     was last updated (the server stamps its render time in it).
   - Signing out empties the copies: they hold one person's day. */
'use strict';

var CACHE = 'matchmaker-day-v1';
var PAGES = ['/', '/agenda', '/badge'];

self.addEventListener('install', function () { self.skipWaiting(); });
self.addEventListener('activate', function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name !== CACHE; })
        .map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function kept(url) {
  if (url.origin !== self.location.origin) { return false; }
  return PAGES.indexOf(url.pathname) !== -1 || url.pathname.indexOf('/static/') === 0;
}

function fromCopy(request, page) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request, { ignoreSearch: page }).then(function (found) {
      if (!found) { return Response.error(); }
      if (!page) { return found; }
      return found.text().then(function (html) {
        var headers = new Headers(found.headers);
        headers.set('X-Served-From', 'cache');
        return new Response(html.replace('data-served="network"', 'data-served="cache"'), {
          status: found.status, statusText: found.statusText, headers: headers
        });
      });
    });
  });
}

self.addEventListener('fetch', function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method === 'POST' && url.origin === self.location.origin && url.pathname === '/logout') {
    event.respondWith(caches.delete(CACHE).then(function () { return fetch(request); }));
    return;
  }
  if (request.method !== 'GET' || !kept(url)) { return; }
  var page = url.pathname.indexOf('/static/') !== 0;
  event.respondWith(
    fetch(request).then(function (response) {
      // only a page that is this person's own (not a redirect to sign-in, not an error)
      if (response.ok && !response.redirected && response.type === 'basic') {
        var copy = response.clone();
        event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.put(request, copy); }));
      }
      return response;
    }, function () { return fromCopy(request, page); })
  );
});
