/* Phone and web survey (and its choice of a place): one question a screen (steps.js),
   unless the server refused a send (then the whole form, with the errors); Enter on a star chooses it (it never
   sends the survey: only the button does), and after a refused send the focus goes to the
   message saying why.
   The form works without this script; a disabled first submit button already keeps
   Enter from sending it. */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  var form = document.querySelector("form.survey");
  if (!form) { return; }
  if (form.hasAttribute("data-steps") && window.AvisSteps) { window.AvisSteps(form); }
  form.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "Enter" || !target.classList || !target.classList.contains("star-input")) {
      return;
    }
    event.preventDefault();
    if (!target.checked) {
      target.checked = true;
      target.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
})();
