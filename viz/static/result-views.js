/* Result views beside YASR's table, as the Wikidata Query Service offers them: a chart (a bar per name for one
   figure; lines by year when a column holds years) and a graph (the names of each row linked left to right, or along
   a predicate column). They register as YASR plugins before the query UI starts; sparql.js passes in how an IRI is
   named and linked. Everything is drawn with DOM calls (textContent, SVG elements): data is never parsed as markup. */
(function () {
  "use strict";
  if (typeof Yasgui === "undefined") return;
  var Yasr = Yasgui.Yasr;
  var SVG = "http://www.w3.org/2000/svg";
  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var NUMBERS = ["integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort",
    "unsignedByte"].map(function (t) { return XSD + t; });
  var DATES = ["gYear", "gYearMonth", "date", "dateTime"].map(function (t) { return XSD + t; });
  var COLOURS = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#db2777", "#0891b2", "#4b5563"];
  var MOST_BARS = 60, MOST_SERIES = COLOURS.length, MOST_NODES = 400;
  var PREDICATE_NAMES = /^(p|pred|predicate|property|relation|rel)$/i;

  var site = { nameOf: function () { return null; }, href: function (iri) { return iri; }, shorten: String };

  // ------------------------------------------------------------------------------------------ reading the columns
  function isNumber(b) { return b && b.type === "literal" && NUMBERS.indexOf(b.datatype) >= 0 && isFinite(Number(b.value)); }

  function yearOf(b, variable) {
    if (!b || b.type !== "literal") return null;
    if (DATES.indexOf(b.datatype) >= 0) {
      var m = /^-?\d{4}/.exec(b.value);
      return m ? Number(m[0]) : null;
    }
    var n = Number(b.value);
    return /year|年/i.test(variable) && isNumber(b) && Number.isInteger(n) && n >= 1800 && n <= 2200 ? n : null;
  }

  /* What each column holds: years, numbers, IRIs or other text (a column is "years" if every value is one). */
  function columns(results) {
    var rows = results.getBindings();
    return results.getVariables().map(function (v) {
      var values = rows.map(function (r) { return r[v]; }).filter(Boolean);
      var every = function (test) { return values.length > 0 && values.every(test); };
      var years = every(function (b) { return yearOf(b, v) !== null; });
      return { name: v, years: years, numbers: !years && every(isNumber) };
    });
  }

  function textOf(b) {
    if (!b) return "";
    if (b.type === "uri") {
      var name = site.nameOf(b.value);
      return name ? name.zh : site.shorten(b.value);
    }
    return b.value;
  }

  function svg(tag, attributes, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attributes || {}).forEach(function (k) { node.setAttribute(k, attributes[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* An element with a class and text, never markup (sparql.js uses this one too, through chainkgResultViews.el). */
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function icon(text) {
    var span = el("span", "result-view-icon", text);
    span.setAttribute("aria-hidden", "true");
    return span;
  }

  function formatted(n) { return Number(n).toLocaleString("zh-CN", { maximumFractionDigits: 2 }); }

  /* Round tick values for an axis from `low` to `high` (about five). */
  function ticks(low, high) {
    if (low === high) { high = low + 1; }
    var raw = (high - low) / 5, power = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 2.5, 5, 10].map(function (m) { return m * power; }).find(function (s) { return s >= raw; });
    var out = [];
    for (var t = Math.floor(low / step) * step; t <= high + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
    if (out[out.length - 1] < high) out.push(out[out.length - 1] + step);
    return out;
  }

  /* YASR asks every plugin whether it can draw a result set and then draws one: read the columns once per set. */
  var plans = new WeakMap();
  function planned(plan, results) {
    if (!results) return null;
    var known = plans.get(results) || {};
    if (!(plan.name in known)) known[plan.name] = plan(results);
    plans.set(results, known);
    return known[plan.name];
  }

  // ------------------------------------------------------------------------------------------------------ chart
  function chartPlan(results) {
    if (!results || !results.getBindings || results.getError && results.getError()) return null;
    if (results.getType && results.getType() !== "json" && results.getType() !== "xml") return null;
    var rows = results.getBindings();
    if (!rows || rows.length < 1) return null;
    var cols = columns(results);
    var value = cols.find(function (c) { return c.numbers; });
    if (!value) return null;
    var year = cols.find(function (c) { return c.years; });
    var label = cols.find(function (c) { return !c.numbers && !c.years; });
    if (year) return { kind: "line", x: year.name, y: value.name, series: label ? label.name : null };
    return label ? { kind: "bar", label: label.name, y: value.name } : null;
  }

  function Chart(yasr) {
    this.yasr = yasr;
    this.label = "图表 Chart";
    this.priority = 4;
    this.svg = null;
  }
  Chart.prototype.canHandleResults = function () { return planned(chartPlan, this.yasr.results) !== null; };
  Chart.prototype.getIcon = function () { return icon("▥"); };
  Chart.prototype.download = function (filename) {
    var drawn = this.svg;
    if (!drawn) return undefined;
    return { contentType: "image/svg+xml", filename: (filename || "chart") + ".svg", title: "下载 SVG · download SVG",
             getData: function () { return new XMLSerializer().serializeToString(drawn); } };
  };
  Chart.prototype.draw = function () {
    var plan = planned(chartPlan, this.yasr.results);
    var holder = el("figure", "result-chart");
    holder.setAttribute("data-chart", plan.kind);
    var width = Math.max(this.yasr.resultsEl.clientWidth || 760, 320);
    this.svg = plan.kind === "bar" ? bars(holder, this.yasr.results.getBindings(), plan, width)
                                   : lines(holder, this.yasr.results.getBindings(), plan, width);
    this.yasr.resultsEl.appendChild(holder);
  };

  /* One horizontal bar per row, in the query's order (its ORDER BY is the analyst's), names on the left. */
  function bars(holder, rows, plan, width) {
    var items = rows.filter(function (r) { return isNumber(r[plan.y]); }).slice(0, MOST_BARS).map(function (r) {
      return { text: textOf(r[plan.label]), value: Number(r[plan.y].value), term: r[plan.label] };
    });
    var labelWidth = Math.min(Math.round(width * 0.36), 260), barHeight = 24, top = 24;
    var low = Math.min(0, Math.min.apply(null, items.map(function (i) { return i.value; })));
    var high = Math.max(0, Math.max.apply(null, items.map(function (i) { return i.value; })));
    var axis = ticks(low, high), min = axis[0], max = axis[axis.length - 1];
    var plotWidth = width - labelWidth - 70;
    var x = function (v) { return labelWidth + (v - min) / (max - min) * plotWidth; };
    var height = top + items.length * barHeight + 10;
    var chart = svg("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img",
                             "aria-label": plan.y + " / " + plan.label, "class": "chart bars" });
    axis.forEach(function (t) {
      chart.appendChild(svg("line", { x1: x(t), x2: x(t), y1: top - 6, y2: height - 10, "class": "grid" }));
      chart.appendChild(svg("text", { x: x(t), y: top - 10, "text-anchor": "middle", "class": "tick" }, formatted(t)));
    });
    items.forEach(function (item, i) {
      var y = top + i * barHeight;
      var name = svg("g", { "class": "bar-name" });
      name.appendChild(svg("title", {}, item.text));  // the whole name where the label is clipped
      name.appendChild(svg("text", { x: labelWidth - 8, y: y + barHeight / 2 + 4, "text-anchor": "end", "class": "name" },
                           clip(item.text, 18)));
      chart.appendChild(link(item.term, name));
      var from = x(Math.min(0, item.value)), to = x(Math.max(0, item.value));
      var bar = svg("rect", { x: from, y: y + 4, width: Math.max(to - from, 1), height: barHeight - 8,
                              fill: COLOURS[0], "class": "bar" });
      bar.appendChild(svg("title", {}, item.text + "：" + formatted(item.value)));
      chart.appendChild(bar);
      chart.appendChild(svg("text", { x: to + 4, y: y + barHeight / 2 + 4, "class": "value" }, formatted(item.value)));
    });
    holder.appendChild(chart);
    caption(holder, rows.length > MOST_BARS ? "显示前 " + MOST_BARS + " 行 · first " + MOST_BARS + " rows" : null,
            plan.y + " · " + plan.label);
    return chart;
  }

  /* One line per name (the first text column), years along the bottom; a figure a row lacks is left out. */
  function lines(holder, rows, plan, width) {
    var series = [], byName = {};
    rows.forEach(function (r) {
      var year = yearOf(r[plan.x], plan.x);
      if (year === null || !isNumber(r[plan.y])) return;
      var key = plan.series && r[plan.series] ? textOf(r[plan.series]) : plan.y;
      if (!byName[key]) {
        if (series.length >= MOST_SERIES) return;
        byName[key] = { text: key, term: plan.series ? r[plan.series] : null, points: {} };
        series.push(byName[key]);
      }
      byName[key].points[year] = Number(r[plan.y].value);  // a repeated year keeps its last row
    });
    var years = [];
    series.forEach(function (s) { Object.keys(s.points).forEach(function (y) { if (years.indexOf(Number(y)) < 0) years.push(Number(y)); }); });
    years.sort(function (a, b) { return a - b; });
    var values = [].concat.apply([], series.map(function (s) { return Object.keys(s.points).map(function (y) { return s.points[y]; }); }));
    var axis = ticks(Math.min(0, Math.min.apply(null, values)), Math.max.apply(null, values));
    var min = axis[0], max = axis[axis.length - 1];
    var left = 64, right = 24, top = 16, height = 300, bottom = height - 32;
    var first = years[0], last = years[years.length - 1];
    var x = function (y) { return first === last ? (left + width - right) / 2 : left + (y - first) / (last - first) * (width - left - right); };
    var y = function (v) { return bottom - (v - min) / (max - min) * (bottom - top); };
    var chart = svg("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img",
                             "aria-label": plan.y + " / " + plan.x, "class": "chart lines" });
    axis.forEach(function (t) {
      chart.appendChild(svg("line", { x1: left, x2: width - right, y1: y(t), y2: y(t), "class": "grid" }));
      chart.appendChild(svg("text", { x: left - 6, y: y(t) + 4, "text-anchor": "end", "class": "tick" }, formatted(t)));
    });
    var every = Math.max(1, Math.ceil(years.length / Math.max(2, Math.floor((width - left - right) / 48))));
    years.forEach(function (year, i) {
      if (i % every === 0 || i === years.length - 1) {
        chart.appendChild(svg("text", { x: x(year), y: bottom + 18, "text-anchor": "middle", "class": "tick year" }, String(year)));
      }
    });
    series.forEach(function (s, i) {
      var colour = COLOURS[i % COLOURS.length];
      var points = years.filter(function (yr) { return yr in s.points; });
      chart.appendChild(svg("polyline", { points: points.map(function (yr) { return x(yr) + "," + y(s.points[yr]); }).join(" "),
                                          fill: "none", stroke: colour, "stroke-width": 2, "class": "series" }));
      points.forEach(function (yr) {
        var dot = svg("circle", { cx: x(yr), cy: y(s.points[yr]), r: 4, fill: colour, "class": "point" });
        dot.appendChild(svg("title", {}, s.text + " · " + yr + "：" + formatted(s.points[yr])));
        chart.appendChild(dot);
      });
    });
    holder.appendChild(chart);
    var legend = el("ul", "chart-legend");
    series.forEach(function (s, i) {
      var item = el("li");
      var swatch = el("span", "swatch");
      swatch.style.background = COLOURS[i % COLOURS.length];
      item.appendChild(swatch);
      var name = s.term && s.term.type === "uri" ? el("a", null, s.text) : el("span", null, s.text);
      if (s.term && s.term.type === "uri") name.href = site.href(s.term.value);
      item.appendChild(name);
      legend.appendChild(item);
    });
    holder.appendChild(legend);
    caption(holder, null, plan.y + " · " + plan.x);
    return chart;
  }

  function caption(holder, note, what) {
    var text = el("figcaption", "muted", what);
    if (note) text.appendChild(el("span", "chart-note", " · " + note));
    holder.appendChild(text);
  }

  function clip(text, most) { return text.length > most ? text.slice(0, most - 1) + "…" : text; }

  function link(term, node) {
    if (!term || term.type !== "uri") return node;
    var a = svg("a", { href: site.href(term.value) });
    a.appendChild(node);
    return a;
  }

  // ------------------------------------------------------------------------------------------------------ graph
  /* The links of a result table: along a predicate column (?s ?p ?o) when there is one, otherwise each row's names
     from left to right. IRIs are nodes that open their pages; a name in the results (a literal) is a node by its
     text, so a table of names (district, cluster, chain) draws as the tree it is. Numbers and years are not nodes. */
  function graphPlan(results) {
    if (!results || !results.getBindings || results.getError && results.getError() || typeof vis === "undefined") return null;
    var cols = columns(results).filter(function (c) { return !c.numbers && !c.years; });
    if (cols.length < 2) return null;
    var predicate = cols.find(function (c, i) { return i > 0 && i < cols.length - 1 && PREDICATE_NAMES.test(c.name); });
    return { columns: cols.map(function (c) { return c.name; }), predicate: predicate ? predicate.name : null };
  }

  function Graph(yasr) {
    this.yasr = yasr;
    this.label = "图谱 Graph";
    this.priority = 3;
    this.network = null;
  }
  Graph.prototype.canHandleResults = function () { return planned(graphPlan, this.yasr.results) !== null; };
  Graph.prototype.getIcon = function () { return icon("⌘"); };
  Graph.prototype.destroy = function () { if (this.network) { this.network.destroy(); this.network = null; } };
  Graph.prototype.draw = function () {
    var plan = planned(graphPlan, this.yasr.results);
    var nodes = new Map(), edges = new Map();
    function nodeFor(b) {
      var key = b.type + " " + b.value;
      if (!nodes.has(key)) {
        if (nodes.size >= MOST_NODES) return null;
        var name = b.type === "uri" ? site.nameOf(b.value) : null;
        var tip = el("div", "vis-tip");
        tip.appendChild(el("div", "tip-zh", textOf(b)));
        if (name && name.en && name.en !== name.zh) tip.appendChild(el("div", "tip-en", name.en));
        if (b.type === "uri") tip.appendChild(el("div", "tip-hint", site.shorten(b.value) + " · 点击打开页面 click to open"));
        nodes.set(key, { id: key, label: clip(textOf(b), 16), title: tip, href: b.type === "uri" ? site.href(b.value) : null,
                         shape: b.type === "uri" ? "dot" : "box", size: 12,
                         color: b.type === "uri" ? COLOURS[0] : { background: "#f1f5f9", border: "#94a3b8" },
                         font: { size: 13, color: "#0f172a" } });
      }
      return nodes.get(key).id;
    }
    function edge(from, to, label) {
      if (!from || !to || from === to) return;
      var key = from + "\u0000" + to + "\u0000" + label;
      if (!edges.has(key)) edges.set(key, { from: from, to: to, label: label, arrows: "to", font: { size: 10, color: "#475569" } });
    }
    this.yasr.results.getBindings().forEach(function (row) {
      if (plan.predicate) {
        var at = plan.columns.indexOf(plan.predicate);
        var s = row[plan.columns[at - 1]], o = row[plan.columns[at + 1]], p = row[plan.predicate];
        if (s && o && p) edge(nodeFor(s), nodeFor(o), textOf(p));
        return;
      }
      var previous = null;
      plan.columns.forEach(function (column) {
        var b = row[column];
        if (!b) return;
        var id = nodeFor(b);
        if (previous) edge(previous, id, "");
        previous = id;
      });
    });
    var holder = el("div", "result-graph");
    this.yasr.resultsEl.appendChild(holder);
    var note = el("p", "muted result-graph-note",
      (plan.predicate ? "沿谓词列连线 · linked along ?" + plan.predicate : "每行从左到右连线 · each row linked left to right") +
      " · " + nodes.size + " 个节点 nodes" + (nodes.size >= MOST_NODES ? "（上限 cap）" : ""));
    this.yasr.resultsEl.appendChild(note);
    var network = new vis.Network(holder, { nodes: new vis.DataSet(Array.from(nodes.values())), edges: new vis.DataSet(Array.from(edges.values())) },
      { physics: { solver: "forceAtlas2Based", stabilization: { iterations: 300, fit: true } },
        interaction: { hover: true, tooltipDelay: 120 }, layout: { randomSeed: 7 } });
    network.once("stabilizationIterationsDone", function () { network.setOptions({ physics: false }); holder.setAttribute("data-stabilized", "true"); });
    network.on("click", function (event) {
      var id = event.nodes && event.nodes[0];
      var node = id && nodes.get(id);
      if (node && node.href) window.location.href = node.href;
    });
    this.network = network;
  };

  Yasr.registerPlugin("chart", Chart);
  Yasr.registerPlugin("graph", Graph);

  window.chainkgResultViews = {
    /* How the query UI names and links IRIs: nameOf(iri) -> {zh, en} or null, href(iri), shorten(iri). */
    use: function (helpers) { Object.keys(helpers).forEach(function (k) { site[k] = helpers[k]; }); },
    chartPlan: chartPlan,
    graphPlan: graphPlan,
    el: el
  };
})();
