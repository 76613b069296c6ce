// The ingest page: send the article to /ingest/analyse, show each sentence with its candidates (accept, edit,
// merge), then send the decisions to /ingest/draft (a TriG file to keep) or /ingest/load (all or nothing).
// Everything from the server reaches the page through textContent and form values: nothing is parsed as HTML.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  let analysis = null;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") node.textContent = v; else if (k === "checked") node.checked = v; else node.setAttribute(k, v);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function request(path, body) {
    return fetch(path, {
      method: "POST",
      headers: {"Content-Type": "application/json", "Authorization": "Bearer " + $("ingest-token").value},
      body: JSON.stringify(body),
    });
  }

  function article() {
    return {text: $("ingest-text").value, date: $("ingest-date").value.trim(), title: $("ingest-title").value.trim()};
  }

  async function failed(response) {
    let message = response.status + "";
    try { const body = await response.json(); message += " " + (body.message || body.error); } catch (e) { /* not JSON */ }
    $("ingest-status").textContent = "错误 error: " + message;
  }

  // What each part of a candidate is called, Chinese first (the server sends the ontology's names as `names`).
  const EVIDENCE = {"known entity": "已知实体", "name pattern": "名称模式", "relation pattern": "关系模式",
                    "figure": "数据", "event pattern": "事件模式"};
  const FIELDS = {name: "名称 name", kind: "类型 kind", merge: "并入 merge into (IRI / 候选 candidate id)", value: "数值 value",
                  unit: "单位 unit", year: "年份 year", date: "日期 date"};

  function named(key) {
    const found = (analysis && analysis.names || {})[key];
    return found ? found.zh + (found.en ? " " + found.en : "") : key;
  }

  function row(kind, candidate, what, fields, where) {
    const box = el("input", {type: "checkbox", "data-kind": kind, "data-id": candidate.id, checked: candidate.confidence >= 0.5});
    const evidence = (EVIDENCE[candidate.evidence] || "") + " " + candidate.evidence + " · " + candidate.confidence.toFixed(2);
    const item = el("li", {class: "candidate " + kind, "data-id": candidate.id},
      el("label", {}, box, what),
      el("span", {class: "evidence", title: candidate.how || candidate.cue || "",
                  text: candidate.id + " · " + (where ? where + " · " : "") + evidence}));
    for (const [name, value] of fields) {
      item.append(el("label", {class: "field"}, el("span", {class: "muted", text: FIELDS[name] || name}),
        el("input", {type: "text", "data-field": name, value: value == null ? "" : String(value), size: "12"})));
    }
    return item;
  }

  // A mention: new or known, its class, the words as written and, when known, the entity it was matched to (linked),
  // since an abbreviation (中元) or an alias may point at an entity the curator would not have picked.
  function mentionText(m, byId) {
    const what = el("span", {class: "what"},
      el("span", {class: m.iri ? "known" : "new", text: m.iri ? "已知 known" : "新 new"}), " " + named(m.kind) + " ",
      el("strong", {text: "「" + m.text + "」"}));
    if (m.iri) {
      what.append(" → ", m.href ? el("a", {href: m.href, target: "_blank", text: named(m.iri)}) : named(m.iri));
    } else if (m.alias_of && byId[m.alias_of]) {
      what.append(" = 「" + byId[m.alias_of].text + "」的简称 short name");
    }
    return what;
  }

  function show(result) {
    analysis = result;
    const byId = {};
    for (const m of result.mentions) byId[m.id] = m;
    const list = $("ingest-sentences");
    list.replaceChildren();
    for (const sentence of result.sentences) {
      const items = el("ul", {class: "candidates"});
      for (const m of result.mentions.filter((c) => c.sentence === sentence.index)) {
        items.append(row("mentions", m, mentionText(m, byId), m.iri ? [] : [["name", m.name], ["kind", m.kind], ["merge", m.alias_of || ""]],
          "字 chars " + m.start + "–" + m.end));
      }
      for (const r of result.relations.filter((c) => c.sentence === sentence.index)) {
        const object = r.object ? "「" + (byId[r.object] || {}).text + "」" : "是 yes";
        items.append(row("relations", r, el("span", {class: "what"}, "关系 relation 「" + (byId[r.subject] || {}).text + "」 ",
          el("em", {text: named(r.predicate)}), " " + object + "（" + r.cue + "）"), []));
      }
      for (const f of result.figures.filter((c) => c.sentence === sentence.index)) {
        const what = "数据 figure「" + f.text + "」 " + named("measure/" + f.measure) + " · " + f.year + "年 · " +
          named("unit/" + f.unit) + " · " + named("status/" + f.status);
        items.append(row("figures", f, el("span", {class: "what", text: what}),
          [["value", f.value], ["unit", f.unit], ["year", f.year]]));
      }
      for (const v of result.events.filter((c) => c.sentence === sentence.index)) {
        const what = "事件 event " + named(v.kind) + " · " + v.date + (v.planned ? " · 计划 planned" : "") + "（" + v.cue + "）";
        items.append(row("events", v, el("span", {class: "what", text: what}), [["kind", v.kind], ["date", v.date]]));
      }
      if (!items.children.length) continue;
      list.append(el("li", {class: "sentence", "data-index": sentence.index},
        el("p", {class: "quote", text: sentence.text}), items));
    }
    $("ingest-review").hidden = false;
    $("ingest-status").textContent = result.sentences.length + " 句 sentences, " + result.mentions.length + " 实体 entities, " +
      result.relations.length + " 关系 relations, " + result.figures.length + " 数据 figures, " + result.events.length +
      " 事件 events · 日期 date " + result.date;
  }

  function decisions() {
    const chosen = {mentions: {}, relations: {}, figures: {}, events: {}};
    for (const box of document.querySelectorAll("#ingest-sentences input[type=checkbox]")) {
      if (!box.checked) continue;
      const edits = {};
      for (const field of box.closest("li").querySelectorAll("input[data-field]")) {
        if (field.value.trim() !== "") edits[field.dataset.field] = field.value.trim();
      }
      chosen[box.dataset.kind][box.dataset.id] = edits;
    }
    return chosen;
  }

  $("ingest-file").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (file) $("ingest-text").value = await file.text();
  });

  $("ingest-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("ingest-status").textContent = "分析中 analysing…";
    const response = await request("/ingest/analyse", article());
    if (!response.ok) return failed(response);
    show(await response.json());
  });

  $("ingest-draft").addEventListener("click", async () => {
    const response = await request("/ingest/draft", {...article(), decisions: decisions()});
    if (!response.ok) return failed(response);
    const link = el("a", {href: URL.createObjectURL(await response.blob()), download: (analysis ? analysis.slug : "draft") + ".trig",
                          text: "草稿 draft.trig"});
    $("ingest-result").replaceChildren(link);
    link.click();
  });

  $("ingest-load").addEventListener("click", async () => {
    const response = await request("/ingest/load", {...article(), decisions: decisions()});
    if (!response.ok) return failed(response);
    const result = await response.json();
    const links = el("ul", {class: "loaded"});
    for (const page of result.pages) links.append(el("li", {}, el("a", {href: page, text: page})));
    $("ingest-result").replaceChildren(el("p", {class: "ok", text: "已载入 loaded " + result.loaded + " quads"}), links);
    $("ingest-status").textContent = "已载入 loaded";
  });
})();
