// The search page: reads the form, calls /v1/search, renders the hits.
// Titles and sources are set as text; the snippet is HTML escaped by the
// server with only <mark> added, so it is inserted as HTML.
"use strict";
(function () {
  const form = document.getElementById("search");
  const fields = ["q", "source", "lang", "from", "to", "sort"];
  const results = document.getElementById("results");
  const status = document.getElementById("status");
  const pager = document.getElementById("pager");
  let page = 1;

  function params() {
    const p = new URLSearchParams();
    for (const f of fields) {
      const v = document.getElementById(f).value.trim();
      if (v) p.set(f, v);
    }
    if (page > 1) p.set("page", String(page));
    return p;
  }

  function safeURL(u) {
    try {
      const url = new URL(u);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : "#";
    } catch (e) {
      return "#";
    }
  }

  function render(res) {
    results.replaceChildren();
    status.textContent = res.total === 1 ? "1 article" : res.total + " articles";
    for (const h of res.hits) {
      const li = document.createElement("li");
      li.className = "result";
      const a = document.createElement("a");
      a.className = "result-title";
      a.href = safeURL(h.url);
      a.rel = "noopener noreferrer";
      a.textContent = h.title || h.url;
      const meta = document.createElement("div");
      meta.className = "meta";
      const date = h.published_at ? new Date(h.published_at).toISOString().slice(0, 10) : "undated";
      meta.textContent = (h.source.name || h.source.domain) + " · " + date + (h.language ? " · " + h.language : "");
      const snip = document.createElement("div");
      snip.className = "snippet";
      snip.innerHTML = h.snippet;
      li.append(a, meta, snip);
      if (h.duplicates) {
        const d = document.createElement("div");
        d.className = "dups";
        d.textContent = "+" + h.duplicates.count + " similar";
        li.append(d);
      }
      results.append(li);
    }
    pager.replaceChildren();
    if (page > 1) pager.append(button("← previous", page - 1));
    if (res.hits.length > 0 && page * 10 < res.total) pager.append(button("next →", page + 1));
  }

  function button(label, to) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.addEventListener("click", () => { page = to; run(); });
    return b;
  }

  async function run() {
    const p = params();
    history.replaceState(null, "", "?" + p.toString());
    status.textContent = "Searching…";
    try {
      const resp = await fetch("/v1/search?" + p.toString(), { headers: { Accept: "application/json" } });
      const body = await resp.json();
      if (!resp.ok) {
        results.replaceChildren();
        status.textContent = "Error: " + (body.error || resp.status);
        return;
      }
      render(body);
    } catch (e) {
      status.textContent = "Error: " + e;
    }
  }

  form.addEventListener("submit", (ev) => { ev.preventDefault(); page = 1; run(); });
  const initial = new URLSearchParams(location.search);
  let any = false;
  for (const f of fields) {
    if (initial.has(f)) { document.getElementById(f).value = initial.get(f); any = true; }
  }
  if (initial.has("page")) page = Math.max(1, parseInt(initial.get("page"), 10) || 1);
  if (any) run();
})();
