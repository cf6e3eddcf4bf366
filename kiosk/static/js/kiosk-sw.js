/* Avis kiosk service worker (served at /kiosk/sw.js, scope /kiosk/).
 * Keeps the app shell so that a tablet keeps collecting while the server or the network
 * is down: pages and static files are fetched from the network first (always fresh when
 * online) and from the cache when that fails. Responses are not handled here: the page
 * queues them in IndexedDB and delivers them itself. Static URLs carry ?v=<digest of the
 * files> (long browser and nginx caching); offline, any cached copy of the file will do. */
"use strict";
var CACHE = "avis-kiosk-v4";
// The État's design system and the two weights of Marianne the usager pages use, so that
// a tablet offline keeps its look (the page itself names them with ?v=, found offline by
// ignoreSearch below).
var SHELL = ["/kiosk/", "/static/css/base.css", "/static/css/usager.css", "/static/js/kiosk.js", "/static/js/steps.js",
             "/static/dsfr/core/core.min.css",
             "/static/dsfr/fonts/Marianne-Regular.woff2", "/static/dsfr/fonts/Marianne-Bold.woff2"];
var TIMEOUT = 4000;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(SHELL.map(function (url) {
        return new Request(url, { credentials: "same-origin", cache: "reload" });
      }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k !== CACHE; })
        .map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

// The page sends the addresses of the survey in every language once it is online, so
// that a tablet offline can still switch language (else it would fall back to French).
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "cache-pages" || !Array.isArray(data.urls)) return;
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(data.urls.map(function (href) {
      var url = new URL(href, self.location.origin);
      if (url.origin !== self.location.origin || url.pathname !== "/kiosk/") return null;
      var request = new Request(url.href, { credentials: "same-origin" });
      return fetch(request).then(function (response) {
        if (response.ok) return cache.put(request, response);
      }).catch(function () { /* offline again: the next load tries */ });
    }));
  }));
});

function withTimeout(promise) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error("timeout")); }, TIMEOUT);
    promise.then(function (r) { clearTimeout(timer); resolve(r); },
                 function (e) { clearTimeout(timer); reject(e); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (!(url.pathname.indexOf("/kiosk/") === 0 || url.pathname.indexOf("/static/") === 0)) return;
  if (url.pathname.indexOf("/kiosk/enrol/") === 0) return;
  event.respondWith(
    withTimeout(fetch(request)).then(function (response) {
      // Keep good answers only: a 403 "not registered" must not replace the shell.
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      var options = url.pathname.indexOf("/static/") === 0 ? { ignoreSearch: true } : {};
      return caches.match(request, options).then(function (hit) {
        if (hit) return hit;
        if (request.mode === "navigate") return caches.match("/kiosk/");
        return Response.error();
      });
    })
  );
});
