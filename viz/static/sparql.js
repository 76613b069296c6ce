/* The self-hosted YASGUI: our endpoint only, the project's prefixes and worked examples, no calls to prefix.cc or
   Linked Open Vocabularies (only the local autocompleters stay on), query links shareable through YASGUI's URL state. */
(function () {
  "use strict";
  var raw = document.getElementById("sparql-config");
  var holder = document.getElementById("yasgui");
  if (!raw || !holder || typeof Yasgui === "undefined") return;
  var config = JSON.parse(raw.textContent);
  var endpoint = new URL(config.endpoint, window.location.href).href;

  // "property" and "class" fetch from lov.linkeddata.es; "prefixes" uses its bundled list while prefixCcApi is unset.
  var local = ["prefixes", "variables"];
  var completers = Yasgui.Yasqe.defaults.autocompleters;
  for (var i = completers.length - 1; i >= 0; i--) {
    if (local.indexOf(completers[i]) < 0) completers.splice(i, 1);
  }
  Yasgui.Yasqe.defaults.prefixCcApi = null;

  /* How an IRI reads and links everywhere on this page (table cells, charts, graphs): its page on this site, its
     prefixed form, and its names once one query to our endpoint has fetched them (see readableResults). */
  var entities = config.base + "id/";
  var names = {};
  function siteHref(iri) {
    if (iri.indexOf(entities) === 0 && iri.length > entities.length) {
      return "/id/" + iri.slice(entities.length).split("/").map(encodeURIComponent).join("/");
    }
    return "/resource?iri=" + encodeURIComponent(iri);
  }

  function shorten(iri) {
    var best = null;
    Object.keys(config.prefixes || {}).forEach(function (prefix) {
      var ns = config.prefixes[prefix];
      if (iri.indexOf(ns) === 0 && (!best || ns.length > best[1].length)) best = [prefix, ns];
    });
    return best ? best[0] + ":" + iri.slice(best[1].length) : iri;
  }

  if (window.chainkgResultViews) {
    window.chainkgResultViews.use({ nameOf: function (iri) { return names[iri] || null; }, href: siteHref, shorten: shorten });
  }

  var yasgui = new Yasgui(holder, {
    requestConfig: {
      endpoint: endpoint,
      method: "GET",
      acceptHeaderGraph: "text/turtle,*/*;q=0.9",
      acceptHeaderSelect: "application/sparql-results+json,*/*;q=0.9"
    },
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; }, keys: [] },
    copyEndpointOnNewTab: true,
    populateFromUrl: true,
    persistenceId: "chainkg-sparql",
    tabName: config.tab_name,
    yasqe: { value: config.examples[0].text, prefixCcApi: null, collapsePrefixesOnLoad: true, editorHeight: "360px" },
    yasr: { prefixes: config.prefixes, pluginOrder: ["table", "chart", "graph", "response"] }
  });
  window.chainkgYasgui = yasgui;
  readableResults(yasgui);
  errorsInTheEditor(yasgui);

  document.querySelectorAll("button.example").forEach(function (button) {
    button.addEventListener("click", function () {
      var example = config.examples[Number(button.getAttribute("data-example"))];
      var tab = yasgui.getTab();
      tab.setQuery(example.text);
      tab.setName(example.short);
      var editor = tab.getYasqe();
      if (editor) {
        editor.collapsePrefixes(true);  // the PREFIX lines fold into one; the question stays in view
        editor.focus();
      }
    });
  });

  /* Result tables as the explorer's pages read (as the Wikidata Query Service does): an IRI links to its page on
     this site under its name, with its prefixed form beside it; a literal shows its words, its language or
     datatype as a small mark, not "…"@zh-hans. Cells are rebuilt from the result bindings with textContent only. */
  function readableResults(yasgui) {
    var asked = {};
    var el = window.chainkgResultViews.el;  // result-views.js, loaded first: one way to make text-only elements

    function cell(binding) {
      var box = el("span", "cell");
      if (!binding) return box;
      if (binding.type === "uri") {
        var a = el("a", "iri");
        a.href = siteHref(binding.value);
        a.title = binding.value;
        var name = names[binding.value];
        if (name) {
          a.appendChild(el("span", "zh", name.zh));
          if (name.en) a.appendChild(el("span", "en", " " + name.en));
          box.appendChild(a);
          box.appendChild(el("span", "iri-name", " " + shorten(binding.value)));
        } else {
          a.textContent = shorten(binding.value);
          box.appendChild(a);
        }
      } else if (binding.type === "bnode") {
        box.appendChild(el("span", "bnode", "_:" + binding.value));
      } else {
        box.appendChild(el("span", "literal", binding.value));
        var lang = binding["xml:lang"];
        var type = binding.datatype;
        if (lang) box.appendChild(el("sup", "literal-mark", lang));
        else if (type && type !== "http://www.w3.org/2001/XMLSchema#string") box.appendChild(el("sup", "literal-mark", shorten(type)));
      }
      return box;
    }

    function render(yasr) {
      var results = yasr.results;
      if (!results || (results.getError && results.getError()) || !results.getBindings) return;
      var variables = results.getVariables();
      var bindings = results.getBindings();
      yasr.resultsEl.querySelectorAll("table tbody tr").forEach(function (tr) {
        var number = tr.querySelector(".rowNumber");
        var row = number ? bindings[Number(number.textContent) - 1] : null;
        if (!row || tr.getAttribute("data-readable") === String(Object.keys(names).length)) return;
        tr.setAttribute("data-readable", String(Object.keys(names).length));
        tr.querySelectorAll("td").forEach(function (td, i) {
          if (i === 0) return;
          td.textContent = "";
          td.appendChild(cell(row[variables[i - 1]]));
        });
      });
    }

    function fetchNames(yasr) {
      var results = yasr.results;
      if (!results || !results.getBindings || (results.getError && results.getError())) return;
      var wanted = [];
      results.getBindings().slice(0, 1000).forEach(function (row) {
        Object.keys(row).forEach(function (v) {
          var b = row[v];
          if (b.type === "uri" && !asked[b.value] && !/[\s<>"{}|^`\\]/.test(b.value) && wanted.length < 300) {
            asked[b.value] = true;
            wanted.push(b.value);
          }
        });
      });
      if (!wanted.length) return;
      var query = "SELECT ?node ?name WHERE { VALUES ?node { <" + wanted.join("> <") + "> } " +
        "?node <http://www.w3.org/2004/02/skos/core#prefLabel>|<http://www.w3.org/2000/01/rdf-schema#label> ?name }";
      fetch(config.endpoint + "?query=" + encodeURIComponent(query), { headers: { Accept: "application/sparql-results+json" } })
        .then(function (response) { return response.ok ? response.json() : { results: { bindings: [] } }; })
        .then(function (data) {
          data.results.bindings.forEach(function (b) {
            var node = b.node.value, lang = (b.name["xml:lang"] || "").toLowerCase();
            var name = names[node] || (names[node] = { zh: null, en: null, zhRank: 9 });
            var rank = lang === "zh-hans" ? 0 : lang === "zh" ? 1 : lang.indexOf("zh") === 0 ? 2 : 9;
            if (rank < name.zhRank) { name.zh = b.name.value; name.zhRank = rank; }
            if (lang.indexOf("en") === 0 && !name.en) name.en = b.name.value;
          });
          Object.keys(names).forEach(function (n) { if (!names[n].zh) names[n].zh = names[n].en; });
          render(yasr);
          // a chart or graph drawn before the names came labels by prefixed IRIs: draw it again with the names
          if (yasr.selectedPlugin === "chart" || yasr.selectedPlugin === "graph") yasr.draw();
        })
        .catch(function () { /* names are a nicety: the table stays readable without them */ });
    }

    function watch(tab) {
      var yasr = tab.getYasr();
      if (!yasr || yasr.chainkgWatched) return;
      yasr.chainkgWatched = true;
      yasr.on("drawn", function () { render(yasr); fetchNames(yasr); });
      // paging and sorting redraw rows without a "drawn": rebuild the new ones
      new MutationObserver(function () { window.requestAnimationFrame(function () { render(yasr); }); })
        .observe(yasr.resultsEl, { childList: true, subtree: true });
    }

    watch(yasgui.getTab());
    yasgui.on("tabSelect", function () { window.setTimeout(function () { watch(yasgui.getTab()); }, 0); });
    yasgui.on("tabAdd", function () { window.setTimeout(function () { watch(yasgui.getTab()); }, 0); });
  }

  /* A query the endpoint cannot parse: the error at its line and column in the editor, in words, not JSON. */
  function errorsInTheEditor(yasgui) {
    var marks = [];
    // the response reaches the results view after this event: look once it has been drawn
    yasgui.on("queryResponse", function (instance, tab) { window.setTimeout(function () { check(tab); }, 0); });
    function check(tab) {
      var yasqe = tab.getYasqe();
      var yasr = tab.getYasr();
      marks.forEach(function (m) { m.clear(); });
      marks = [];
      var old = document.getElementById("query-error");
      if (old) old.remove();
      if (yasr && yasr.rootEl) yasr.rootEl.classList.remove("has-query-error");
      var error = yasr && yasr.results && yasr.results.getError && yasr.results.getError();
      if (!error || !yasqe) return;
      var body;
      try { body = JSON.parse(error.text); } catch (e) { return; }
      var note = document.createElement("p");
      note.id = "query-error";
      note.className = "query-error";
      note.setAttribute("role", "alert");
      if (body.line) {
        var line = Math.min(Math.max(body.line - 1, 0), yasqe.lineCount() - 1);
        var text = yasqe.getLine(line) || "";
        var ch = Math.min(Math.max((body.column || 1) - 1, 0), Math.max(text.length - 1, 0));
        marks.push(yasqe.markText({ line: line, ch: ch }, { line: line, ch: ch + 1 }, { className: "query-error-mark" }));
        var handle = yasqe.addLineClass(line, "background", "query-error-line");
        marks.push({ clear: function () { yasqe.removeLineClass(handle, "background", "query-error-line"); } });
        yasqe.setCursor({ line: line, ch: ch });
        note.textContent = "第 " + body.line + " 行第 " + (body.column || 1) + " 列有误 · error at line " + body.line +
          ", column " + (body.column || 1) + ": " + (body.message || "").replace(/^error at \d+:\d+: /, "");
      } else {
        note.textContent = "查询出错 · query failed: " + (body.message || error.text);
      }
      var holder = yasr.rootEl || document.getElementById("yasgui");
      holder.parentNode.insertBefore(note, holder);
      yasr.rootEl.classList.add("has-query-error");
    }
  }
})();
