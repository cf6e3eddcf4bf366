/* One question a screen, for the tablet and the phone survey.
 *
 * The form's steps (a fieldset a question, then the comment) show one at a time, with where
 * the usager is ("3 / 9") and, below, "Précédent", "Passer" ("Suivant" once answered) and
 * "Terminer", which sends what was given. A tap on a star chooses it and moves on; the
 * keyboard chooses with the arrows, as in any radio group, and moves on with "Suivant".
 * Without this script the form shows whole and works the same.
 *
 * AvisSteps(form) returns {go(index, focus), index()} or null when the form has no steps.
 */
(function () {
  "use strict";
  var TAP_MOVES_ON = 350;   // ms: long enough to see the stars fill, short enough to flow
  var TAP_WINDOW = 800;     // ms between a pointer's press and the click it makes

  window.AvisSteps = function (form) {
    var steps = Array.prototype.slice.call(form.querySelectorAll(".step"));
    var progress = form.querySelector(".step-progress");
    var nav = form.querySelector(".step-nav");
    if (!progress || !nav || steps.length < 2) return null;
    var count = progress.querySelector(".step-count");
    var bar = progress.querySelector(".step-bar");
    var position = progress.querySelector("#step-position");
    var back = nav.querySelector(".step-back");
    var next = nav.querySelector(".step-next");
    var finish = nav.querySelector(".step-finish");
    var current = 0, pressedAt = 0, moveTimer = null;

    function answered(step) {
      return !!step.querySelector("input.star-input:checked");
    }
    function label() {
      next.textContent = answered(steps[current]) ? next.dataset.next : next.dataset.skip;
    }
    function go(index, focus) {
      clearTimeout(moveTimer);
      current = Math.max(0, Math.min(index, steps.length - 1));
      steps.forEach(function (step, i) { step.classList.toggle("current", i === current); });
      var last = current === steps.length - 1, total = String(steps.length);
      count.textContent = (current + 1) + " / " + total;
      bar.max = steps.length;
      bar.value = current + 1;
      position.textContent = progress.dataset.text
        .replace("{n}", String(current + 1)).replace("{total}", total);
      back.hidden = current === 0;
      next.hidden = last;
      finish.hidden = last;  // the last step has its own "Envoyer mon avis"
      label();
      if (focus !== false) steps[current].focus({ preventScroll: true });
      window.scrollTo(0, 0);
    }

    form.classList.add("stepping");
    progress.hidden = false;
    nav.hidden = false;
    steps.forEach(function (step) {
      step.setAttribute("aria-describedby", "step-position");
    });

    back.addEventListener("click", function () { go(current - 1); });
    next.addEventListener("click", function () { go(current + 1); });
    form.addEventListener("pointerdown", function () { pressedAt = Date.now(); }, true);
    form.addEventListener("change", label);
    // A star chosen by a tap (or tapped again) moves on; one chosen with the arrow keys
    // does not, so that a keyboard can look along the row before choosing.
    form.addEventListener("click", function (event) {
      var input = event.target;
      if (!input.classList || !input.classList.contains("star-input")) return;
      if (Date.now() - pressedAt > TAP_WINDOW) return;
      if (!steps[current].contains(input)) return;
      clearTimeout(moveTimer);
      var from = current;
      moveTimer = setTimeout(function () { if (current === from) go(from + 1); }, TAP_MOVES_ON);
    });
    go(0, false);
    return {
      go: go,
      index: function () { return current; }
    };
  };
})();
