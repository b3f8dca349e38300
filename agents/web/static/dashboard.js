// Wirestream live desk: the feed over server-sent events, trending entities and pipeline counts.
// Plain browser JavaScript, no libraries. Story text only ever goes into textContent.
"use strict";

(function () {
  const MAX_CARDS = 200;
  const STATS_EVERY_MS = 5000;
  const TRENDING_EVERY_MS = 10000;
  const LABEL_ORDER = ["PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT"];

  const $ = (id) => document.getElementById(id);
  const feed = $("feed");
  const cards = new Map(); // story_id -> {version, element}
  let source = null;

  // ---- filters -------------------------------------------------------------------------
  function currentFilters() {
    const filters = {};
    const entity = $("f-entity").value.trim();
    const label = $("f-label").value.trim();
    const language = $("f-language").value.trim();
    const country = $("f-country").value.trim().toUpperCase();
    if (entity) filters.entity = entity;
    if (label) filters.label = label;
    if (language) filters.language = language;
    if (country) filters.country = country;
    return filters;
  }

  function loadFiltersFromUrl() {
    const params = new URLSearchParams(window.location.search);
    $("f-entity").value = params.get("entity") || "";
    $("f-language").value = params.get("language") || "";
    $("f-country").value = params.get("country") || "";
    setLabel(params.get("label") || "");
  }

  function setLabel(value) {
    const label = value.toUpperCase();
    const select = $("f-label");
    if (label && ![...select.options].some((o) => o.value === label)) {
      select.add(new Option(label, label));
    }
    select.value = label;
  }

  function applyFilters(filters) {
    $("f-entity").value = filters.entity || "";
    setLabel(filters.label || "");
    $("f-language").value = filters.language || "";
    $("f-country").value = filters.country || "";
    const query = new URLSearchParams(currentFilters()).toString();
    window.history.replaceState(null, "", query ? "?" + query : window.location.pathname);
    connect();
  }

  function describe(filters) {
    const parts = [];
    if (filters.entity) parts.push("entity “" + filters.entity + "”");
    if (filters.label) parts.push("label " + filters.label);
    if (filters.language) parts.push("language " + filters.language);
    if (filters.country) parts.push("places in " + filters.country);
    return parts.length ? "Showing only: " + parts.join(", ") : "";
  }

  // ---- the stream ----------------------------------------------------------------------
  function setConnection(state, text) {
    const el = $("connection");
    el.dataset.state = state;
    el.textContent = text;
  }

  function connect() {
    if (source) source.close();
    cards.clear();
    feed.replaceChildren();
    updateCount();
    const filters = currentFilters();
    $("filter-summary").textContent = describe(filters);
    const query = new URLSearchParams(filters).toString();
    source = new EventSource("/events" + (query ? "?" + query : ""));
    setConnection("connecting", "connecting…");
    source.addEventListener("open", () => setConnection("live", "live"));
    source.addEventListener("error", () => {
      setConnection(source.readyState === EventSource.CLOSED ? "down" : "connecting",
        source.readyState === EventSource.CLOSED ? "disconnected" : "reconnecting…");
    });
    source.addEventListener("story", (event) => {
      const card = parse(event.data);
      if (card && typeof card.story_id === "string") upsert(card);
    });
    source.addEventListener("kill", (event) => {
      const notice = parse(event.data);
      if (notice && typeof notice.story_id === "string") remove(notice.story_id);
    });
  }

  function parse(text) {
    try {
      const value = JSON.parse(text);
      return value && typeof value === "object" ? value : null;
    } catch (err) {
      return null;
    }
  }

  // ---- cards ---------------------------------------------------------------------------
  function upsert(card) {
    const known = cards.get(card.story_id);
    const version = Number.isInteger(card.version) ? card.version : 1;
    if (known && known.version > version) return;
    const element = render(card);
    if (known) known.element.remove();
    feed.prepend(element);
    cards.set(card.story_id, { version: version, element: element });
    while (cards.size > MAX_CARDS) {
      const oldest = feed.lastElementChild;
      if (!oldest) break;
      cards.delete(oldest.dataset.storyId);
      oldest.remove();
    }
    element.classList.add("fresh");
    window.setTimeout(() => element.classList.remove("fresh"), 4000);
    updateCount();
  }

  function remove(storyId) {
    const known = cards.get(storyId);
    if (!known) return;
    known.element.remove();
    cards.delete(storyId);
    updateCount();
  }

  function updateCount() {
    $("feed-count").textContent = cards.size ? "(" + cards.size + ")" : "";
    $("feed-empty").hidden = cards.size > 0;
  }

  function text(parent, selector, value) {
    const el = parent.querySelector(selector);
    el.textContent = value || "";
    return el;
  }

  function render(card) {
    const li = $("card-template").content.firstElementChild.cloneNode(true);
    li.dataset.storyId = card.story_id;
    const headline = text(li, ".headline", card.headline || firstSentence(card.lede) || card.story_id);
    if (!card.headline) headline.classList.add("derived");
    const dates = card.dates || {};
    const arrived = dates.received || dates.processed;
    const when = text(li, ".when", [
      dates.published ? formatTime(dates.published) : "",
      arrived ? "in " + formatTime(arrived) : "",
    ].filter(Boolean).join(" · "));
    when.dateTime = dates.published || arrived || "";
    when.title = "published " + (dates.published || "?") + ", received " + (arrived || "?");
    text(li, ".dateline", card.dateline);
    text(li, ".lang", card.language ? card.language.toUpperCase() : "");
    text(li, ".sid", card.story_id + (card.version > 1 ? " · v" + card.version : ""));
    text(li, ".lede", card.lede);
    renderEntities(li.querySelector(".entities"), Array.isArray(card.entities) ? card.entities : []);
    renderQuotes(li.querySelector(".quotes"), Array.isArray(card.quotes) ? card.quotes : []);
    renderTimex(li.querySelector(".timex"), Array.isArray(card.timex) ? card.timex : []);
    return li;
  }

  function renderEntities(box, entities) {
    const groups = new Map();
    for (const entity of entities) {
      if (!entity || typeof entity.name !== "string") continue;
      const label = String(entity.label || "OTHER").toUpperCase();
      if (!groups.has(label)) groups.set(label, []);
      groups.get(label).push(entity);
    }
    const rank = (label) => (LABEL_ORDER.includes(label) ? LABEL_ORDER.indexOf(label) : 99);
    const labels = [...groups.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    for (const label of labels) {
      const group = document.createElement("div");
      group.className = "group";
      group.dataset.label = label;
      const heading = document.createElement("span");
      heading.className = "group-label";
      heading.textContent = label;
      group.append(heading);
      for (const entity of groups.get(label)) {
        group.append(chip(entity.name, label, entity.count, entity.country));
      }
      box.append(group);
    }
  }

  // A placed entity shows its country's ISO code after the name ("Paris FR").
  function chip(name, label, count, country) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "chip";
    button.dataset.label = label;
    button.title = "Show only stories about " + name;
    button.textContent = name;
    if (typeof country === "string" && /^[A-Z]{2}$/.test(country)) {
      const code = document.createElement("span");
      code.className = "cc";
      code.title = "country " + country;
      code.textContent = country;
      button.append(code);
    }
    if (Number.isInteger(count) && count > 1) {
      const n = document.createElement("span");
      n.className = "n";
      n.textContent = "×" + count;
      button.append(n);
    }
    button.addEventListener("click", () => applyFilters({ entity: name, label: label }));
    return button;
  }

  function renderQuotes(list, quotes) {
    for (const quote of quotes) {
      if (!quote || typeof quote.text !== "string") continue;
      const li = document.createElement("li");
      li.className = "quote";
      const words = document.createElement("blockquote");
      words.textContent = "“" + quote.text + "”";
      const who = document.createElement("span");
      who.className = "speaker";
      if (quote.speaker) {
        who.textContent = "— " + quote.speaker + (quote.cue ? ", " + quote.cue : "");
      } else {
        who.textContent = "— speaker not identified";
        who.classList.add("unknown");
      }
      li.append(words, who);
      list.append(li);
    }
  }

  function renderTimex(list, timex) {
    for (const item of timex) {
      if (!item || typeof item.text !== "string") continue;
      const li = document.createElement("li");
      li.title = item.type || "";
      const said = document.createElement("b");
      said.textContent = item.text;
      li.append(said, " → " + (item.value || "?"));
      list.append(li);
    }
  }

  // Copy sent without a headline: its first sentence stands in (styled as such).
  function firstSentence(lede) {
    if (typeof lede !== "string" || !lede) return "";
    const end = lede.search(/[.!?](\s|$)/);
    const sentence = end > 0 ? lede.slice(0, end + 1) : lede;
    return sentence.length > 140 ? sentence.slice(0, 139).replace(/\s+\S*$/, "") + "…" : sentence;
  }

  // A date-only instant ("2025-03-15") shows as a date; a full one as a time (with the date
  // when it is not today).
  function formatTime(iso) {
    if (!iso) return "";
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(iso);
    const date = new Date(dateOnly ? iso + "T12:00:00" : iso);
    if (Number.isNaN(date.getTime())) return iso;
    const day = date.toLocaleDateString([], { day: "numeric", month: "short", year: "numeric" });
    if (dateOnly) return day;
    const time = date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    return date.toDateString() === new Date().toDateString() ? time : day + " " + time;
  }

  // ---- side panels ---------------------------------------------------------------------
  async function getJson(url) {
    const response = await fetch(url, { cache: "no-store" });
    if (!response.ok) throw new Error(url + " answered " + response.status);
    return response.json();
  }

  async function refreshTrending() {
    try {
      const data = await getJson("/trending?limit=15");
      const hours = data.window_seconds / 3600;
      $("trending-window").textContent = hours === 1 ? "— last hour"
        : "— last " + (hours >= 1 ? hours + " h" : Math.round(data.window_seconds / 60) + " min");
      const list = $("trending");
      list.replaceChildren();
      for (const row of data.entities || []) {
        const li = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = row.name;
        button.addEventListener("click", () => applyFilters({ entity: row.name, label: row.label }));
        const label = document.createElement("span");
        label.className = "lbl";
        label.textContent = row.label;
        const n = document.createElement("span");
        n.className = "n";
        n.textContent = row.mentions;
        li.append(button, label, n);
        list.append(li);
      }
      $("trending-note").textContent = !(data.entities || []).length ? "No entities in this window yet."
        : data.complete ? "" : "This worker holds part of the counts (" +
          (data.partitions_held || []).length + " of " + data.partitions_total + " partitions).";
    } catch (err) {
      $("trending-note").textContent = "Trending unavailable.";
    }
  }

  async function refreshStats() {
    const badge = $("health-status");
    try {
      const [health, stats] = await Promise.all([getJson("/health"), getJson("/stats")]);
      badge.dataset.state = health.status === "ok" ? "ok" : "down";
      badge.textContent = health.status === "ok" ? "healthy" : String(health.status);
      $("stat-partitions").textContent = (health.assigned || []).length;
      $("stat-received").textContent = stats.received;
      $("stat-enriched").textContent = stats.enriched;
      $("stat-dead").textContent = stats.dead_lettered;
      $("stat-clients").textContent = stats.live ? stats.live.clients : "–";
      const reasons = Object.entries(stats.dead_letters_by_reason || {})
        .filter(([, n]) => n > 0).map(([code, n]) => code + " " + n);
      $("dead-reasons").textContent = reasons.length ? "Dead letters: " + reasons.join(", ") : "";
    } catch (err) {
      badge.dataset.state = "down";
      badge.textContent = "unreachable";
    }
  }

  // ---- start ---------------------------------------------------------------------------
  document.addEventListener("DOMContentLoaded", () => {
    loadFiltersFromUrl();
    $("filters").addEventListener("submit", (event) => {
      event.preventDefault();
      applyFilters(currentFilters());
    });
    $("f-clear").addEventListener("click", () => applyFilters({}));
    connect();
    refreshTrending();
    refreshStats();
    window.setInterval(refreshTrending, TRENDING_EVERY_MS);
    window.setInterval(refreshStats, STATS_EVERY_MS);
  });
})();
