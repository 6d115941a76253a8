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
  // Address picker: a text field with data-address-lookup becomes a type-ahead list
  // (the server-side filter and the <select> still work without this).
  function typeahead(input) {
    var list = document.createElement("ul"), timer = null, seq = 0;
    var target = document.getElementById(input.getAttribute("data-address-target") || "");
    list.className = "address-suggest"; list.id = input.id + "_suggest"; list.hidden = true;
    input.removeAttribute("list");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-controls", list.id);
    input.insertAdjacentElement("afterend", list);
    function pick(item) {
      input.value = item.label; list.hidden = true;
      if (target) {
        var found = Array.prototype.some.call(target.options, function (o) { return o.value === String(item.value); });
        if (!found) target.add(new Option(item.label, item.value));
        target.value = String(item.value);
      }
      var next = input.form && input.form.querySelector("[data-address-next]");
      if (next) next.focus();
    }
    function show(items) {
      list.textContent = "";
      items.forEach(function (item) {
        var li = document.createElement("li"), b = document.createElement("button");
        b.type = "button"; b.textContent = item.label;
        b.addEventListener("click", function () { pick(item); });
        li.appendChild(b); list.appendChild(li);
      });
      list.hidden = !items.length;
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var mine = ++seq, url = input.getAttribute("data-address-lookup") + "&q=" + encodeURIComponent(input.value.trim());
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) { if (mine === seq) show(data.results || []); })
          .catch(function () { list.hidden = true; });
      }, 150);
    });
    input.addEventListener("keydown", function (e) {
      var first = list.querySelector("button");
      if (e.key === "Enter" && !list.hidden && first) { e.preventDefault(); first.click(); }
      if (e.key === "ArrowDown" && !list.hidden && first) { e.preventDefault(); first.focus(); }
      if (e.key === "Escape") list.hidden = true;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-address-lookup]").forEach(typeahead);
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
