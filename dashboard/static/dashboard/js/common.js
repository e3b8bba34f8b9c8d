/* Shared helpers for the dashboard charts: data loading, states, labels, CSV and PNG export.
 * No inline script anywhere: pages pass URLs and settings through data- attributes. */
(function () {
  "use strict";

  var _ = window.gettext || function (s) { return s; };
  var LABEL_ORDER = (document.body.dataset.labelOrder || "label2,label1,label3,label4").split(",");
  var ALL_LABELS = ["label1", "label2", "label3", "label4"];
  var tables = {};
  var filenames = {};
  var draws = 0;

  /* The visitor's label, then any non-empty one (label1..4 = fr, en, de, nl). */
  function pickLabel(labels, fallback) {
    labels = labels || {};
    var keys = LABEL_ORDER.concat(ALL_LABELS);
    for (var i = 0; i < keys.length; i++) {
      var value = labels[keys[i]];
      if (typeof value === "string" && value.trim()) { return value; }
    }
    return fallback || "";
  }

  /* Object labels are user data: Plotly reads a few HTML tags in text, so show them literally. */
  function plotText(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function element(id) { return document.getElementById(id); }

  function each(selector, fn, root) {
    Array.prototype.forEach.call((root || document).querySelectorAll(selector), fn);
  }

  /* loading | ready | empty | error: shows the matching message, enables the exports. */
  function setState(id, state) {
    var el = element(id);
    if (!el) { return; }
    el.dataset.state = state;
    // A counter that changes on every settled draw, so tests and tools can wait for a redraw.
    if (state !== "loading") { el.dataset.drawn = String(++draws); }
    each('[data-status-for="' + id + '"]', function (n) { n.hidden = state !== "loading"; });
    each('[data-empty-for="' + id + '"]', function (n) { n.hidden = state !== "empty"; });
    each('[data-error-for="' + id + '"]', function (n) { n.hidden = state !== "error"; });
    each('[data-export][data-target="' + id + '"]', function (n) { n.disabled = state !== "ready"; });
    if (state !== "ready" && window.Plotly && el.classList.contains("js-plotly-plot")) {
      window.Plotly.purge(el);
    }
  }

  var fetched = {};
  function fetchJSON(url) {
    if (!fetched[url]) {
      fetched[url] = fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        });
      fetched[url].catch(function () { delete fetched[url]; });
    }
    return fetched[url];
  }

  /* `url` (already prefix-aware: it comes from {% url %}) with extra query parameters. */
  function withParams(url, params) {
    var u = new URL(url, window.location.href);
    Object.keys(params || {}).forEach(function (key) {
      if (params[key] !== undefined && params[key] !== null && params[key] !== "") {
        u.searchParams.set(key, params[key]);
      }
    });
    return u.pathname + u.search;
  }

  function controls(root) {
    var values = {};
    each("[data-control]", function (n) { values[n.dataset.control] = n.value; }, root);
    return values;
  }

  function onControls(root, fn) {
    each("[data-control]", function (n) { n.addEventListener("change", function () { fn(controls(root)); }); }, root);
  }

  var LANG = (document.documentElement.lang || "en").slice(0, 2);
  // The page has its own export buttons; the modebar would only cover the first bars.
  // Dates and numbers in the page's language (locale-fr.js registers French with Plotly).
  var PLOT_CONFIG = { displaylogo: false, displayModeBar: false, responsive: true, locale: LANG };

  /* Phones: below this width legends go under the plot and margins shrink. */
  var NARROW = 600;
  function isNarrow(id) {
    var el = element(id);
    return ((el && el.clientWidth) || window.innerWidth) < NARROW;
  }

  /* Long labels broken on spaces into lines of about `width` characters (Plotly cuts them). */
  function wrapLabel(text, width) {
    var words = String(text).split(/\s+/);
    var lines = [];
    var line = "";
    words.forEach(function (word) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; } else { line = line ? line + " " + word : word; }
    });
    if (line) { lines.push(line); }
    return lines.join("<br>");
  }

  /* Draw with Plotly and remember the table behind the chart for the CSV export. */
  function draw(id, traces, layout, table, filename) {
    var el = element(id);
    tables[id] = table;
    if (filename) { filenames[id] = filename; }
    var narrow = isNarrow(id);
    var base = { margin: { t: 20, r: 20, b: 50, l: 60 }, font: { family: "system-ui, sans-serif", size: narrow ? 11 : 13 },
      paper_bgcolor: "#fff", plot_bgcolor: "#fff", legend: { orientation: "h", y: -0.15 } };
    var merged = Object.assign(base, layout || {});
    if (narrow && merged.legend && merged.legend.orientation === "v") {
      // A side legend would cover the plot: put it below, one entry per line.
      merged.legend = { orientation: "h", x: 0, y: -0.2, yanchor: "top", font: { size: 10 } };
      // Long names would run past the chart's edge: break them into lines.
      // About 6.5 px a character at the legend's size, minus the line sample's room.
      var chars = Math.max(16, Math.floor(((el.clientWidth || 320) - 80) / 6.5));
      traces.forEach(function (t) { if (t.name) { t.name = wrapLabel(t.name, chars); } });
    }
    return window.Plotly.react(el, traces, merged, PLOT_CONFIG)
      .then(function () { setState(id, "ready"); });
  }

  /* One tick per period (fewer on phones), on the periods' first days. */
  function periodAxis(period, count, narrow) {
    var step = narrow ? Math.max(1, Math.ceil(count / 4)) : Math.max(1, Math.ceil(count / 12));
    var axis = { type: "date", tick0: "2024-01-01", ticklabelmode: "instant" };
    if (period === "week") {
      axis.dtick = 7 * 86400000 * step;
      axis.tickformat = "%d %b";
    } else if (period === "quarter") {
      axis.dtick = "M" + 3 * step;
      axis.tickformat = "%b %Y";
    } else {
      axis.dtick = "M" + step;
      axis.tickformat = "%b %Y";
    }
    return axis;
  }

  /* A link to the object's page on MOSP, in a new tab that can not reach back to this page. */
  function mospLink(uuid, text) {
    var link = document.createElement("a");
    var base = document.body.dataset.mospUrl || "https://objects.monarc.lu";
    link.href = base + "/object/" + encodeURIComponent(uuid);
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.className = "mosp";
    link.textContent = text;
    return link;
  }

  /* Numbers as the page's language writes them (decimal comma in French). */
  function formatNumber(value, digits) {
    return Number(value).toLocaleString(LANG, { maximumFractionDigits: digits === undefined ? 2 : digits });
  }

  function csvCell(value) {
    var text = value === null || value === undefined ? "" : String(value);
    // Neutralise spreadsheet formulas, quote everything that needs it.
    if (/^[=+\-@\t\r]/.test(text) && isNaN(Number(text))) { text = "'" + text; }
    return /[",\n\r;]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function toCSV(table) {
    return [table.header].concat(table.rows)
      .map(function (row) { return row.map(csvCell).join(","); }).join("\r\n") + "\r\n";
  }

  function download(filename, blob) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = filename;
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }

  function exportChart(id, format) {
    var name = filenames[id] || id;
    if (format === "csv" && tables[id]) {
      download(name + ".csv", new Blob(["\ufeff" + toCSV(tables[id])], { type: "text/csv;charset=utf-8" }));
    } else if (format === "png" && window.Plotly) {
      var el = element(id);
      window.Plotly.downloadImage(el, { format: "png", filename: name, width: el.clientWidth || 900, height: el.clientHeight || 500 });
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-export]") : null;
    if (button && !button.disabled) { exportChart(button.dataset.target, button.dataset.export); }
  });

  function round(value, digits) {
    var f = Math.pow(10, digits === undefined ? 2 : digits);
    return Math.round((Number(value) || 0) * f) / f;
  }

  function ready(fn) {
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", fn); } else { fn(); }
  }

  /* Standard flow for one chart: fetch, then render (or show the empty state), errors shown. */
  function load(id, url, render) {
    setState(id, "loading");
    return fetchJSON(url).then(function (data) {
      if (render(data) === false) { setState(id, "empty"); }
    }).catch(function (error) {
      setState(id, "error");
      if (window.console) { window.console.error(error); }
    });
  }

  // Strong, distinguishable colours first (Okabe-Ito, safe for colour-blind readers), then more
  // saturated ones; no pastels, which can not be told apart on thin lines.
  // The first five (Evolution's default) differ most from one another.
  var COLORS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#000000", "#e69f00", "#56b4e9",
    "#8c564b", "#7f3c8d", "#11a579", "#3969ac", "#f2b701", "#e73f74", "#80ba5a", "#e68310",
    "#008695", "#cf1c90", "#4b4b8f", "#a5aa99", "#f97b72"];
  // Current against residual: a neutral pair, so that level colours only ever mean levels.
  var STATE_COLORS = { current: "#34495e", residual: "#9fb3c8" };
  // MONARC's level colours, for levels only.
  var LEVEL_COLORS = { "Low risks": "#3c9a3c", "Medium risks": "#e8a33d", "High risks": "#c8312b" };

  var LEVELS = ["Low risks", "Medium risks", "High risks"];
  function levelName(level) {
    return { "Low risks": _("Low"), "Medium risks": _("Medium"), "High risks": _("High") }[level] || level;
  }

  window.Dash = {
    _: _, pickLabel: pickLabel, plotText: plotText, setState: setState, fetchJSON: fetchJSON, withParams: withParams,
    controls: controls, onControls: onControls, draw: draw, toCSV: toCSV, round: round, ready: ready,
    load: load, each: each, LEVELS: LEVELS, COLORS: COLORS, levelName: levelName, exportChart: exportChart,
    tables: tables, isNarrow: isNarrow, periodAxis: periodAxis, wrapLabel: wrapLabel, mospLink: mospLink, formatNumber: formatNumber,
    STATE_COLORS: STATE_COLORS, LEVEL_COLORS: LEVEL_COLORS, LANG: LANG
  };
})();
