/* Suggestions while typing in every search box marked data-suggest.
   Results arrive as JSON from /search/suggest and are written with textContent only: names are never parsed as HTML. */
(function () {
  "use strict";

  function sameSite(href) {
    return typeof href === "string" && href.charAt(0) === "/" && href.charAt(1) !== "/";
  }

  function span(className, text) {
    var el = document.createElement("span");
    el.className = className;
    el.textContent = text;
    return el;
  }

  function attach(input, index) {
    var form = input.form;
    if (!form) return;
    var box = document.createElement("ul");
    box.className = "suggestions";
    box.id = "suggestions-" + index;
    box.setAttribute("role", "listbox");
    box.hidden = true;
    form.appendChild(box);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", box.id);

    var results = [];
    var active = -1;
    var timer = null;
    var sequence = 0;

    function close() {
      box.hidden = true;
      box.textContent = "";
      results = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(next) {
      var items = box.querySelectorAll("li");
      if (!items.length) return;
      active = (next + items.length) % items.length;
      items.forEach(function (li, i) { li.classList.toggle("active", i === active); li.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", items[active].id);
    }

    function render(hits) {
      box.textContent = "";
      results = hits.filter(function (hit) { return sameSite(hit.href); });
      active = -1;
      results.forEach(function (hit, i) {
        var li = document.createElement("li");
        li.id = box.id + "-" + i;
        li.setAttribute("role", "option");
        var a = document.createElement("a");
        a.href = hit.href;
        a.appendChild(span("zh", hit.label_zh));
        if (hit.label_en) a.appendChild(span("en", hit.label_en));
        if (hit.kind_zh) a.appendChild(span("kind", hit.kind_zh));
        if (hit.matched) a.appendChild(span("matched", "「" + hit.matched + "」"));
        li.appendChild(a);
        box.appendChild(li);
      });
      box.hidden = results.length === 0;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
    }

    function suggest() {
      var text = input.value.trim();
      if (!text) { close(); return; }
      var mine = ++sequence;
      fetch("/search/suggest?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (mine === sequence) render(data.results || []); })
        .catch(close);
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(suggest, 120);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && results.length) { event.preventDefault(); highlight(active + 1); }
      else if (event.key === "ArrowUp" && results.length) { event.preventDefault(); highlight(active - 1); }
      else if (event.key === "Enter" && active >= 0 && results[active]) { event.preventDefault(); window.location.assign(results[active].href); }
      else if (event.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 200); });
  }

  document.querySelectorAll("input[data-suggest]").forEach(attach);
})();
