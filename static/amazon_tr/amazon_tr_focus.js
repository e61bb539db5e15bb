// Focus follows the answer of an action (the CSP allows no inline script, so this file does it):
// after an htmx swap, the element marked data-amazon-tr-focus; after a full page (a form posted,
// Amazon's return), the first flashed message.
(function () {
  "use strict";
  function focusMarked() {
    var target = document.querySelector("[data-amazon-tr-focus]");
    if (!target) { return false; }
    target.removeAttribute("data-amazon-tr-focus");
    if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
    target.focus();
    return true;
  }
  document.addEventListener("htmx:afterSettle", focusMarked);
  document.addEventListener("DOMContentLoaded", function () {
    if (focusMarked()) { return; }
    var flash = document.querySelector("#amazon-tr-flash .amazon-tr-alert");
    if (flash) {
      flash.setAttribute("tabindex", "-1");
      flash.focus();
    }
  });
})();
