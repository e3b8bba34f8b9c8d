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

  // The page has its own export buttons; the modebar would only cover the first bars.
  var PLOT_CONFIG = { displaylogo: false, displayModeBar: false, responsive: true };

  /* Draw with Plotly and remember the table behind the chart for the CSV export. */
  function draw(id, traces, layout, table, filename) {
    var el = element(id);
    tables[id] = table;
    if (filename) { filenames[id] = filename; }
    var base = { margin: { t: 20, r: 20, b: 50, l: 60 }, font: { family: "system-ui, sans-serif", size: 13 },
      paper_bgcolor: "#fff", plot_bgcolor: "#fff", legend: { orientation: "h", y: -0.15 } };
    return window.Plotly.react(el, traces, Object.assign(base, layout || {}), PLOT_CONFIG)
      .then(function () { setState(id, "ready"); });
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

  // Twenty distinguishable colours for many-series charts (Plotly's default cycle has ten).
  var COLORS = ["#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#d62728",
    "#ff9896", "#9467bd", "#c5b0d5", "#8c564b", "#c49c94", "#e377c2", "#f7b6d2", "#7f7f7f",
    "#c7c7c7", "#bcbd22", "#dbdb8d", "#17becf", "#9edae5"];

  var LEVELS = ["Low risks", "Medium risks", "High risks"];
  function levelName(level) {
    return { "Low risks": _("Low"), "Medium risks": _("Medium"), "High risks": _("High") }[level] || level;
  }

  window.Dash = {
    _: _, pickLabel: pickLabel, plotText: plotText, setState: setState, fetchJSON: fetchJSON, withParams: withParams,
    controls: controls, onControls: onControls, draw: draw, toCSV: toCSV, round: round, ready: ready,
    load: load, each: each, LEVELS: LEVELS, COLORS: COLORS, levelName: levelName, exportChart: exportChart,
    tables: tables
  };
})();
