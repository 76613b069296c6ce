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
    yasr: { prefixes: config.prefixes }
  });
  window.chainkgYasgui = yasgui;

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
})();
