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
    var home = page.getAttribute("data-kiosk-reset");
    var seconds = parseInt(page.getAttribute("data-idle-seconds"), 10) || 180;
    var lang = document.documentElement.getAttribute("lang") || "fr";
    var timer = null;
    function leave() {
      if (form) { form.reset(); }
      window.location.replace(home + "?lang=" + encodeURIComponent(lang === "zh-Hans" ? "zh" : lang));
    }
    function restart() {
      window.clearTimeout(timer);
      timer = window.setTimeout(leave, seconds * 1000);
    }
    ["input", "keydown", "pointerdown", "touchstart", "scroll"].forEach(function (name) {
      document.addEventListener(name, restart, { passive: true });
    });
    // A page restored from the back-forward cache may hold the previous usager's text.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) { leave(); }
    });
    restart();
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
