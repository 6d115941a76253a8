// «Доступ к API»: a «Копировать» button beside the new token. Without this file the field
// is still there to select and copy by hand.
(function () {
  "use strict";
  function copy(field, button) {
    field.focus();
    field.select();
    function done() { button.textContent = button.getAttribute("data-copied"); }
    function fallback() { try { document.execCommand("copy"); done(); } catch (e) { /* select is enough */ } }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, fallback);
    } else {
      fallback();
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field) return;
      button.hidden = false;
      button.addEventListener("click", function () { copy(field, button); });
      field.addEventListener("focus", function () { field.select(); });
    });
  });
})();
