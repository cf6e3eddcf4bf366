/* Avis kiosk: one page, three screens (welcome, details, thanks).
 *
 * One tap on the welcome stars is a response: the welcome thanks at once and stays, so
 * that the usager who walks away leaves the tablet ready for the next person; the stars
 * wait `lockout` seconds (the server's minimum interval between two responses) so that
 * one person's repeated tap is not a second response, and "Préciser mon avis" stays
 * `oneTap` seconds for the usager who wants to say more (then the full idle time and its
 * warning). A tap on the stars always starts a new response: never someone else's.
 *
 * "Préciser mon avis" asks the other questions one a screen (steps.js), from the second:
 * the first was the welcome's.
 *
 * The usager's answers live in `current` until they are sent, ONCE: when the usager
 * finishes, when the one-tap thanks ends, when the next usager taps, or when the tablet
 * resets, whichever comes first. Sending means: put the response in the IndexedDB outbox
 * (with its UUID), then try to deliver the outbox. An entry leaves the outbox only when
 * the server has decided: 201 (stored) or 200 (already stored), or a final refusal
 * (400/409/422, which the server counts and the back office shows). 429 (try later),
 * 401/403, 5xx and network failures keep it for the next attempt.
 */
(function () {
  "use strict";
  var root = document.getElementById("kiosk");
  if (!root) return;
  var cfg = root.dataset;
  var IDLE = Number(cfg.idle) * 1000, WARNING = Number(cfg.warning) * 1000;
  var THANKS = Number(cfg.thanks) * 1000;
  var ONE_TAP = Number(cfg.oneTap) * 1000, LOCKOUT = Number(cfg.lockout) * 1000;
  var screens = {
    welcome: document.getElementById("screen-welcome"),
    details: document.getElementById("screen-details"),
    thanks: document.getElementById("screen-thanks")
  };
  var form = document.getElementById("survey-form");
  var steps = window.AvisSteps ? window.AvisSteps(form) : null;
  var FIRST_DETAIL = 1;  // the first question is the welcome's
  var warning = document.getElementById("idle-warning");
  var queueLabel = document.getElementById("queue");
  var current = null;      // the usager's response not yet handed to the outbox
  var screen = "welcome";
  var loadedAt = Date.now();
  var idleTimer = null, resetTimer = null, thanksTimer = null, retryTimer = null;
  var oneTapTimer = null, lockedUntil = 0, retryAfter = 0;
  var oneTapThanks = document.getElementById("one-tap-thanks");
  var oneTapMessage = document.getElementById("one-tap-message");
  var sayMore = document.getElementById("say-more");
  var hintTap = document.getElementById("hint-tap");
  var starButtons = document.querySelectorAll(".star-button");

  /* ---------- outbox in IndexedDB ---------- */
  var dbPromise = null;
  function openDb() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      var request = indexedDB.open("avis-kiosk", 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore("outbox", { keyPath: "response_id" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
    return dbPromise;
  }
  function tx(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction("outbox", mode);
        var result = work(t.objectStore("outbox"));
        t.oncomplete = function () { resolve(result && result.result); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  function enqueue(item) { return tx("readwrite", function (s) { return s.put(item); }); }
  function dequeue(id) { return tx("readwrite", function (s) { return s.delete(id); }); }
  function allQueued() { return tx("readonly", function (s) { return s.getAll(); }); }

  function showCount(n) {
    if (!queueLabel) return;
    queueLabel.hidden = n === 0;
    queueLabel.textContent = n ? queueLabel.dataset.template.replace("{n}", String(n)) : "";
  }

  var flushing = false;
  function flush() {
    if (flushing) return Promise.resolve();
    if (Date.now() < retryAfter) return Promise.resolve();  // the server asked to wait
    flushing = true;
    return allQueued().then(function (items) {
      showCount(items.length);
      var chain = Promise.resolve();
      items.forEach(function (item) {
        chain = chain.then(function () { return deliver(item); });
      });
      return chain;
    }).catch(function () { /* offline: keep everything */ })
      .then(function () { return allQueued(); })
      .then(function (items) {
        showCount(items.length);
        flushing = false;
        clearTimeout(retryTimer);
        var wait = retryAfter > Date.now() ? retryAfter - Date.now() + 50 : 15000;
        if (items.length) retryTimer = setTimeout(flush, wait);
      }, function () { flushing = false; });
  }

  function deliver(item) {
    return fetch(cfg.api, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(item)
    }).then(function (response) {
      if (response.status === 201 || response.status === 200 ||
          [400, 409, 422].indexOf(response.status) >= 0) {
        return dequeue(item.response_id);  // decided by the server (refusals are counted)
      }
      if (response.status === 429) {
        // Not decided: "try later". Keep it, and wait as long as the server asks.
        var wait = Number(response.headers.get("Retry-After")) || 15;
        retryAfter = Date.now() + wait * 1000;
      }
      throw new Error("not settled: " + response.status);  // 401/403/429/5xx: keep, stop
    });
  }

  /* ---------- the usager's response ---------- */
  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); });
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") +
      "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
  }

  function collect() {
    if (!current) return;
    var ratings = {};
    Array.prototype.forEach.call(form.querySelectorAll("input.star-input:checked"), function (input) {
      ratings[input.name.replace(/^rating-/, "")] = Number(input.value);
    });
    current.ratings = ratings;
    current.comment = form.elements.comment.value.trim() || null;
  }

  function send() {
    if (!current) return Promise.resolve();
    collect();
    var item = current;
    current = null;
    if (!Object.keys(item.ratings).length) return Promise.resolve();
    // Without IndexedDB (a locked-down browser), send directly: better than losing it.
    var stored = enqueue(item).then(function () { flush(); }, function () {
      return deliver(item).catch(function () {});
    });
    return stored;
  }

  /* ---------- screens, idle warning, reset ---------- */
  function show(name) {
    screen = name;
    Object.keys(screens).forEach(function (key) { screens[key].hidden = key !== name; });
    var heading = screens[name].querySelector("h1");
    if (name !== "welcome" && heading) heading.focus();
    armIdle();
  }

  /* ---------- one tap: thanks at once, the welcome stays for the next person ---------- */
  function showOneTap(button) {
    clearTimeout(oneTapTimer);
    Array.prototype.forEach.call(starButtons, function (b) {
      b.classList.toggle("chosen", b === button);
    });
    hintTap.hidden = true;
    oneTapThanks.classList.add("active");
    oneTapMessage.textContent = oneTapMessage.dataset.text;
    sayMore.hidden = false;
    lockedUntil = Date.now() + LOCKOUT;
    lockStars(true);
    setTimeout(function () { if (Date.now() >= lockedUntil) lockStars(false); }, LOCKOUT);
    oneTapTimer = setTimeout(endOneTap, ONE_TAP);
  }
  function lockStars(locked) {
    // Once the stars take a new tap they look untouched too: the next person sees no choice.
    Array.prototype.forEach.call(starButtons, function (b) {
      if (locked) b.setAttribute("aria-disabled", "true");
      else { b.removeAttribute("aria-disabled"); b.classList.remove("chosen"); }
    });
  }
  function hideOneTap() {
    clearTimeout(oneTapTimer);
    if (!oneTapThanks) return;  // a questionnaire without criteria has no stars
    oneTapThanks.classList.remove("active");
    oneTapMessage.textContent = "";
    sayMore.hidden = true;
    hintTap.hidden = false;
    Array.prototype.forEach.call(starButtons, function (b) { b.classList.remove("chosen"); });
  }
  function endOneTap() {
    // The usager walked away: their answer goes, nothing of it stays on screen.
    hideOneTap();
    reset();
  }

  function reset() {
    clearTimeout(thanksTimer);
    hideOneTap();
    hideWarning();
    var stored = send();
    form.reset();
    if (steps) steps.go(FIRST_DETAIL, false);
    window.scrollTo(0, 0);
    // Back to French for the next person, and reload now and then (when the server
    // answers) so that a new questionnaire or a revoked tablet is picked up.
    if (cfg.lang !== "fr" || (Date.now() - loadedAt > 3600000 && navigator.onLine)) {
      // Once the answer is safe in the outbox.
      screens[screen].hidden = true;
      stored.then(go, go);
      return;
    }
    show("welcome");
  }

  function go() { window.location.replace(cfg.home); }

  function armIdle() {
    clearTimeout(idleTimer);
    clearTimeout(resetTimer);
    if (screen === "welcome" && cfg.lang === "fr") return;  // nothing to reset
    if (screen === "thanks") return;  // the thank-you screen has its own timer
    idleTimer = setTimeout(showWarning, IDLE);
  }
  var countdown = document.getElementById("idle-countdown"), countdownTimer = null;
  function showCountdown(until) {
    var left = Math.max(0, Math.ceil((until - Date.now()) / 1000));
    countdown.textContent = countdown.dataset.template.replace("{n}", String(left));
  }
  function showWarning() {
    var until = Date.now() + WARNING;
    warning.hidden = false;
    document.getElementById("idle-continue").focus();
    showCountdown(until);
    countdownTimer = setInterval(function () { showCountdown(until); }, 1000);
    resetTimer = setTimeout(reset, WARNING);
  }
  function hideWarning() {
    clearTimeout(resetTimer);
    clearInterval(countdownTimer);
    warning.hidden = true;
  }

  /* ---------- events ---------- */
  Array.prototype.forEach.call(starButtons, function (button) {
    button.addEventListener("click", function () {
      // The same person's second tap (a correction, a double tap) is not a new response.
      if (Date.now() < lockedUntil) return;
      // A new usager: the previous one's answer goes first, untouched.
      if (current) send();
      form.reset();
      var rating = button.dataset.rating;
      current = {
        response_id: uuid4(),
        site: cfg.site, service: cfg.service, channel: "kiosk", language: cfg.lang,
        submitted_at: new Date().toISOString(), ratings: {}, comment: null
      };
      var radio = form.querySelector('input[name="rating-' + cfg.first + '"][value="' + rating + '"]');
      if (radio) radio.checked = true;
      showOneTap(button);
    });
  });
  if (sayMore) sayMore.addEventListener("click", function () {
    if (!current) return;  // the one-tap thanks has just ended
    hideOneTap();
    lockStars(false);
    if (steps) steps.go(FIRST_DETAIL, false);
    show("details");  // the full idle time, with its warning
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send();
    show("thanks");
    thanksTimer = setTimeout(reset, THANKS);
  });
  document.getElementById("restart").addEventListener("click", reset);
  function dismissWarning() {
    hideWarning();
    armIdle();
  }
  document.getElementById("idle-continue").addEventListener("click", dismissWarning);
  // A tap anywhere on the dimmed page says "I am here" as well as the button does.
  warning.addEventListener("click", function (event) {
    if (event.target === warning) dismissWarning();
  });
  ["pointerdown", "keydown", "input", "change"].forEach(function (type) {
    document.addEventListener(type, function () {
      if (warning.hidden) armIdle();
    }, { passive: true });
  });
  // Leaving for the suggestion / réclamation form: store the answer first, then go.
  Array.prototype.forEach.call(screens.details.querySelectorAll("a[href]"), function (link) {
    link.addEventListener("click", function (event) {
      if (!current) return;
      event.preventDefault();
      var go = function () { window.location.assign(link.href); };
      send().then(go, go);
    });
  });
  window.addEventListener("online", flush);
  // The page may close (reload, power) with an answer in hand: keep it.
  window.addEventListener("pagehide", function () { if (current) { collect(); send(); } });

  if ("serviceWorker" in navigator && cfg.sw) {
    navigator.serviceWorker.register(cfg.sw, { scope: cfg.home }).catch(function () {});
    // Later than the first load, which stays small (about 30 KB a page, ten languages).
    setTimeout(cacheLanguages, IDLE);
  }

  // Every language's page in the service worker's cache (at most once an hour), so that
  // offline the language links still work.
  function cacheLanguages() {
    var key = "avis-kiosk-languages-cached-at", last = 0;
    try { last = Number(localStorage.getItem(key)) || 0; } catch (e) { /* private mode */ }
    if (!navigator.onLine || Date.now() - last < 3600000) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (!registration.active) return;
      var urls = Array.prototype.map.call(
        document.querySelectorAll(".kiosk-languages a[href]"),
        function (link) { return link.href; });
      registration.active.postMessage({ type: "cache-pages", urls: urls });
      try { localStorage.setItem(key, String(Date.now())); } catch (e) { /* private mode */ }
    });
  }
  show("welcome");
  flush();
})();
