// Charts: a read-out of the slot under the pointer or finger (the SVG <title> tooltips
// and the table under each chart work without this file).
(function () {
  "use strict";
  function show(chart, slot) {
    var out = chart.querySelector("[data-chart-readout]");
    chart.querySelectorAll(".chart__slot.is-active").forEach(function (g) { g.classList.remove("is-active"); });
    if (!out) return;
    if (!slot) { out.textContent = ""; return; }
    slot.classList.add("is-active");
    var title = slot.querySelector("title");
    out.textContent = title ? title.textContent : "";
  }
  function init(chart) {
    var svg = chart.querySelector("svg");
    if (!svg) return;
    svg.addEventListener("pointermove", function (e) {
      var el = document.elementFromPoint(e.clientX, e.clientY);
      var slot = el && el.closest ? el.closest(".chart__slot, .chart__gap") : null;
      if (slot) show(chart, slot);
    });
    svg.addEventListener("pointerleave", function () { show(chart, null); });
  }
  function fold() {
    // On a phone the long tables start folded: the chart comes first.
    if (window.matchMedia && window.matchMedia("(max-width: 600px)").matches) {
      document.querySelectorAll("[data-chart-table][open]").forEach(function (d) { d.open = false; });
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(init);
    fold();
  });
})();
