/* Paper questionnaires typed from the keyboard alone: a digit 1-5 rates the question with
   the focus and moves to the next one, 0 leaves it unanswered, Enter stores the form
   (Shift+Enter writes a new line in the comment). Works without this script too: the
   radio buttons, the comment and the button are a plain form. */
(function () {
  "use strict";

  var form = document.querySelector(".paper-form");
  if (!form) { return; }
  var questions = Array.prototype.slice.call(form.querySelectorAll(".paper-question"));
  var comment = document.getElementById("comment");
  var sending = false;

  function focusQuestion(index) {
    if (index >= questions.length) { comment.focus(); return; }
    var question = questions[index];
    var target = question.querySelector("input:checked") || question.querySelector("input");
    target.focus();
  }

  function currentIndex(element) {
    return questions.findIndex(function (q) { return q.contains(element); });
  }

  function send() {
    if (sending) { return; }  // the response_id makes a second send harmless; spare it
    sending = true;
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }

  form.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (event.key === "Enter") {
      if (target === comment && event.shiftKey) { return; }
      event.preventDefault();
      send();
      return;
    }
    var index = currentIndex(target);
    if (index < 0) { return; }
    var value = event.key === "0" ? "" : event.key;
    if (!/^[0-5]$/.test(event.key)) {
      if (event.key === "Backspace" && index > 0) { event.preventDefault(); focusQuestion(index - 1); }
      return;
    }
    event.preventDefault();
    var radio = questions[index].querySelector('input[value="' + value + '"]');
    radio.checked = true;
    focusQuestion(index + 1);
  });

  form.addEventListener("submit", function () { sending = true; });

  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); } else { focusQuestion(0); }
})();
