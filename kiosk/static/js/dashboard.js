// Dashboard: filters apply as soon as they change; the live view reloads every minute
// while the tab is visible (no inline script: the CSP forbids it).
(function () {
  "use strict";
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  var live = document.querySelector("[data-live-seconds]");
  if (live) {
    var seconds = parseInt(live.getAttribute("data-live-seconds"), 10) || 60;
    window.setInterval(function () {
      if (document.visibilityState === "visible") { window.location.reload(); }
    }, seconds * 1000);
  }
})();
