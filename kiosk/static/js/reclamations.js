/* Suggestion / réclamation form: character counter, contact fields shown only when a
   reply is wanted, and on a tablet the return to the survey so that the next usager never
   sees the previous one's text. Works without this script too. */
(function () {
  "use strict";

  var form = document.querySelector(".reclamation-form");

  function setupCounter() {
    var text = document.getElementById("text");
    var visible = document.getElementById("text-count");
    var live = document.getElementById("text-count-live");
    if (!text || !visible || !live) { return; }
    var max = parseInt(form.getAttribute("data-max-text"), 10) || 5000;
    var template = visible.getAttribute("data-template") || "{left}";
    var lastAnnounced = null;
    function update() {
      // Counted in characters (code points), as the server counts them.
      var left = max - Array.from(text.value).length;
      var message = template.replace("{left}", String(left));
      visible.textContent = message;
      visible.classList.toggle("counter-low", left < 200);
      // Announce politely, and only at a few thresholds, not at every key.
      var step = left <= 0 ? 0 : (left <= 200 ? Math.ceil(left / 50) * 50 : null);
      if (step !== null && step !== lastAnnounced) {
        lastAnnounced = step;
        live.textContent = message;
      }
    }
    text.addEventListener("input", update);
    update();
  }

  function setupContact() {
    var wanted = document.getElementById("reply_wanted");
    var contact = document.getElementById("contact");
    if (!wanted || !contact) { return; }
    var fields = contact.querySelectorAll("input, textarea");
    function anyFilled() {
      return Array.prototype.some.call(fields, function (f) { return f.value.trim() !== ""; });
    }
    function sync(clear) {
      if (wanted.checked) {
        contact.hidden = false;
      } else {
        if (clear) { Array.prototype.forEach.call(fields, function (f) { f.value = ""; }); }
        // Kept visible when the server returned filled fields, so the usager sees them.
        contact.hidden = !anyFilled();
      }
    }
    wanted.addEventListener("change", function () { sync(true); });
    sync(false);
  }

  function setupKioskReset() {
    var page = document.querySelector("[data-kiosk-reset]");
    if (!page) { return; }
    // Always back to the survey in French: the next person never gets this one's language.
    var home = page.getAttribute("data-kiosk-reset");
    var seconds = parseInt(page.getAttribute("data-idle-seconds"), 10) || 180;
    var warning = document.getElementById("idle-warning");
    var timer = null;
    function leave() {
      if (form) { form.reset(); }
      window.location.replace(home);
    }
    var countdown = warning ? idleCountdown(warning, leave) : null;
    function restart() {
      if (countdown && countdown.shown()) { return; }  // dismissed by a deliberate tap only
      window.clearTimeout(timer);
      // A form being written gets a warning first (WCAG 2.2.1); the confirmation does not.
      timer = window.setTimeout(countdown ? countdown.show : leave, seconds * 1000);
    }
    if (countdown) { countdown.onContinue = restart; }
    ["input", "keydown", "pointerdown", "touchstart", "scroll"].forEach(function (name) {
      document.addEventListener(name, restart, { passive: true });
    });
    // A page restored from the back-forward cache may hold the previous usager's text.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) { leave(); }
    });
    restart();
  }

  // The warning dialog: a countdown, then ``expire``; its button or its backdrop dismisses it.
  function idleCountdown(warning, expire) {
    var label = document.getElementById("idle-countdown");
    var total = parseInt(label.getAttribute("data-seconds"), 10) || 20;
    var ticker = null, left = 0;
    var self = {
      shown: function () { return !warning.hidden; },
      show: function () {
        left = total;
        warning.hidden = false;
        document.getElementById("idle-continue").focus();
        tick();
        ticker = window.setInterval(tick, 1000);
      },
      hide: function () {
        window.clearInterval(ticker);
        warning.hidden = true;
        if (self.onContinue) { self.onContinue(); }
      },
      onContinue: null
    };
    function tick() {
      label.textContent = label.getAttribute("data-template").replace("{n}", String(left));
      if (left <= 0) { window.clearInterval(ticker); expire(); }
      left -= 1;
    }
    document.getElementById("idle-continue").addEventListener("click", self.hide);
    warning.addEventListener("click", function (event) {
      if (event.target === warning) { self.hide(); }
    });
    return self;
  }

  function focusErrors() {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  }

  function setupQuickEntry() {
    // Back-office entry of a pile of cards: Ctrl+Enter saves from any field.
    if (!form.classList.contains("entry-form")) { return; }
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      }
    });
  }

  if (form) {
    setupCounter();
    setupContact();
    setupQuickEntry();
  }
  setupKioskReset();
  focusErrors();
})();
