// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Sign-up: show only the fields of the chosen party kind.
  function syncKind(form) {
    var checked = form.querySelector('input[name="kind"]:checked');
    var kind = checked ? checked.value : null;
    form.querySelectorAll("[data-kinds]").forEach(function (el) {
      var show = !kind || el.getAttribute("data-kinds").split(" ").indexOf(kind) !== -1;
      el.hidden = !show;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-party-form]").forEach(function (form) {
      syncKind(form);
      form.addEventListener("change", function (e) {
        if (e.target.name === "kind") syncKind(form);
      });
    });
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { window.print(); });
    });
  });
})();
