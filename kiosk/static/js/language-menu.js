/* Phone and web pages: Escape closes the language menu and gives the focus back to it. */
(function () {
  "use strict";
  var menu = document.querySelector("details.language-menu");
  if (!menu) { return; }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.open) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
})();
