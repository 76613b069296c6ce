/* The interactive graph of a view, over vis-network. Data comes from the page's JSON block (never parsed as HTML);
   tooltips are DOM nodes filled with textContent. A click on a node opens its page. */
(function () {
  "use strict";
  var holder = document.getElementById("network");
  var raw = document.getElementById("graph-data");
  var status = document.getElementById("graph-status");
  if (!holder || !raw || typeof vis === "undefined") return;
  var data = JSON.parse(raw.textContent);

  function line(parent, className, text) {
    var el = document.createElement("div");
    el.className = className;
    el.textContent = text;
    parent.appendChild(el);
    return el;
  }

  function nodeTip(node) {
    var tip = document.createElement("div");
    tip.className = "vis-tip";
    line(tip, "tip-zh", node.label_zh || node.id);
    if (node.label_en && node.label_en !== node.label_zh) line(tip, "tip-en", node.label_en);
    line(tip, "tip-kind", node.kind_zh + " · " + node.kind_en);
    (node.role_labels || []).forEach(function (role) { line(tip, "tip-role", role[0] + " · " + role[1]); });
    if (node.figure) line(tip, "tip-figure", node.figure[2] + "：" + node.figure[0] + " " + (node.figure[1] || ""));
    line(tip, "tip-hint", "点击打开页面 · click to open");
    return tip;
  }

  var SOURCES_SHOWN = 2;  // a tooltip quotes the latest two sentences; the entity page lists them all

  function edgeTip(edge) {
    var tip = document.createElement("div");
    tip.className = "vis-tip";
    line(tip, "tip-zh", edge.label);
    if (edge.label_en && edge.label_en !== edge.label) line(tip, "tip-en", edge.label_en);
    var sources = edge.sources || [];
    sources.slice(0, SOURCES_SHOWN).forEach(function (source) {
      if (source.quote) {
        line(tip, "tip-quote", "「" + source.quote + "」");
        line(tip, "tip-source", "— " + [source.title, source.date].filter(Boolean).join(" · "));
      } else if (source.note) {
        line(tip, "tip-quote", "编者注 curator note：" + source.note);
      }
    });
    if (sources.length > SOURCES_SHOWN) {
      var more = sources.length - SOURCES_SHOWN;
      line(tip, "tip-hint", "另有 " + more + " 条出处 · " + more + " more source" + (more === 1 ? "" : "s"));
    }
    if (!sources.length) line(tip, "tip-hint", "没有找到出处 · no source found");
    return tip;
  }

  // Kinds whose box the page leaves unticked (statistics and policy measures in a wide ego network) start hidden.
  var hiddenKinds = {};
  document.querySelectorAll("#legend input[data-kind]").forEach(function (box) {
    if (!box.checked) hiddenKinds[box.getAttribute("data-kind")] = true;
  });
  data.nodes.forEach(function (node) { node.title = nodeTip(node); node.hidden = !!hiddenKinds[node.kind]; });
  data.edges.forEach(function (edge, i) { edge.id = "e" + i; edge.title = edgeTip(edge); });
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(holder, { nodes: nodes, edges: edges }, data.options);
  var state = { network: network, nodes: nodes, edges: edges, stabilized: false, frozen: false };
  window.chainkgGraph = state;

  var toggle = document.getElementById("physics-toggle");
  function setFrozen(frozen) {
    state.frozen = frozen;
    network.setOptions({ physics: { enabled: !frozen } });
    if (toggle) {
      toggle.setAttribute("aria-pressed", frozen ? "true" : "false");
      toggle.textContent = "";
      toggle.appendChild(document.createTextNode(frozen ? "恢复布局 " : "冻结布局 "));
      var en = document.createElement("span");
      en.className = "en";
      en.textContent = frozen ? "resume physics" : "freeze layout";
      toggle.appendChild(en);
    }
  }
  if (toggle) toggle.addEventListener("click", function () { setFrozen(!state.frozen); });
  var fit = document.getElementById("fit");
  if (fit) fit.addEventListener("click", function () { network.fit({ animation: { duration: 400 } }); });

  network.on("stabilizationProgress", function (progress) {
    if (status) status.textContent = "布局计算中 laying out… " + Math.round(100 * progress.iterations / progress.total) + "%";
  });
  /* Physics keeps nodes apart but not their names: once the layout has settled, nudge apart every two nodes whose
     boxes (shape and name, in canvas units, so at every zoom) overlap, pinned segments staying where they are. */
  var LABEL_GAP = 6, MOST_ROUNDS = 120;
  function separateLabels() {
    var shown = nodes.get({ filter: function (n) { return !n.hidden; } });
    var ids = shown.map(function (n) { return n.id; });
    var pinned = {};
    shown.forEach(function (n) { pinned[n.id] = !!(n.fixed && n.fixed.x); });
    var at = network.getPositions(ids);
    var extent = {};
    ids.forEach(function (id) {
      var box = network.getBoundingBox(id);
      extent[id] = { l: box.left - at[id].x, r: box.right - at[id].x, t: box.top - at[id].y, b: box.bottom - at[id].y };
    });
    for (var round = 0; round < MOST_ROUNDS; round++) {
      var moved = false;
      for (var i = 0; i < ids.length; i++) {
        for (var j = i + 1; j < ids.length; j++) {
          var a = ids[i], b = ids[j], A = at[a], B = at[b], ea = extent[a], eb = extent[b];
          var dx = Math.min(A.x + ea.r, B.x + eb.r) - Math.max(A.x + ea.l, B.x + eb.l) + LABEL_GAP;
          var dy = Math.min(A.y + ea.b, B.y + eb.b) - Math.max(A.y + ea.t, B.y + eb.t) + LABEL_GAP;
          if (dx <= 0 || dy <= 0 || (pinned[a] && pinned[b])) continue;
          // move along the axis that needs less, away from each other; a pinned node leaves it all to the other
          var share = pinned[a] ? [0, 1] : pinned[b] ? [1, 0] : [0.5, 0.5];
          if (dy <= dx) {
            var down = B.y >= A.y ? 1 : -1;
            A.y -= down * dy * share[0]; B.y += down * dy * share[1];
          } else {
            var right = B.x >= A.x ? 1 : -1;
            A.x -= right * dx * share[0]; B.x += right * dx * share[1];
          }
          moved = true;
        }
      }
      if (!moved) break;
    }
    ids.forEach(function (id) { if (!pinned[id]) network.moveNode(id, at[id].x, at[id].y); });
  }
  state.separateLabels = separateLabels;

  network.once("stabilizationIterationsDone", function () {
    setFrozen(true);
    network.fit();
    // names are measured when first drawn: separate them after that drawing, then show the settled picture
    network.once("afterDrawing", function () {
      separateLabels();
      network.fit();
      state.stabilized = true;
      if (status) status.textContent = "布局已稳定并冻结 · layout settled and frozen";
    });
  });
  network.on("click", function (params) {
    if (params.nodes.length !== 1) return;
    var node = nodes.get(params.nodes[0]);
    if (node && typeof node.href === "string" && node.href.charAt(0) === "/" && node.href.charAt(1) !== "/") {
      window.location.assign(node.href);
    }
  });
  network.on("hoverNode", function () { holder.style.cursor = "pointer"; });
  network.on("blurNode", function () { holder.style.cursor = "default"; });

  document.querySelectorAll("#legend input[data-kind]").forEach(function (box) {
    box.addEventListener("change", function () {
      hiddenKinds[box.getAttribute("data-kind")] = !box.checked;
      nodes.update(nodes.get().map(function (node) { return { id: node.id, hidden: !!hiddenKinds[node.kind] }; }));
      if (state.frozen) separateLabels();  // the nodes that came back may sit on others' names
    });
  });
})();
