/* Evolution: the top threats or vulnerabilities over time (5 lines by default, more on demand),
 * and risk levels over time. The current period is partial: left out unless asked for, then
 * drawn dashed. The text under the chart states the window actually shown. */
(function () {
  "use strict";
  var D = window.Dash;
  var _ = D._;
  var DAY = 86400000;

  function optionText(root, control, value) {
    var option = root.querySelector('[data-control="' + control + '"] option[value="' + value + '"]');
    return option ? option.textContent.trim() : value;
  }

  function iso(date) { return date.toISOString().slice(0, 10); }

  /* The first day of the current (partial) period, as the server's buckets start it. */
  function currentStart(period) {
    var now = new Date();
    var today = new Date(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()));
    if (period === "week") { return iso(new Date(today.getTime() - ((today.getUTCDay() + 6) % 7) * DAY)); }
    if (period === "month") { return iso(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1))); }
    return iso(new Date(Date.UTC(today.getUTCFullYear(), Math.floor(today.getUTCMonth() / 3) * 3, 1)));
  }

  /* A period by its first day: "Oct 2026" for months and quarters, the day for weeks. */
  function formatDate(value, period) {
    var parts = period === "week" ? { year: "numeric", month: "short", day: "numeric" } : { year: "numeric", month: "short" };
    parts.timeZone = "UTC";
    return new Date(value + "T00:00:00Z").toLocaleDateString(D.LANG, parts);
  }

  function sayWindow(section, dates, shown, total) {
    var period = D.controls(section).period;
    var target = section.querySelector("[data-window]");
    if (!target) { return; }
    if (!dates.length) { target.textContent = ""; return; }
    var text = _("Shown: %(from)s to %(to)s.").replace("%(from)s", formatDate(dates[0], period)).replace("%(to)s", formatDate(dates[dates.length - 1], period));
    if (total !== undefined) {
      text += " " + _("%(shown)s of %(total)s objects.").replace("%(shown)s", shown).replace("%(total)s", total);
    }
    target.textContent = text;
  }

  /* Points before the current period, and (when asked for) the partial one apart. */
  function split(points, period, withPartial) {
    var start = currentStart(period);
    var full = points.filter(function (p) { return p.date < start; });
    var partial = withPartial ? points.filter(function (p) { return p.date >= start; }) : [];
    return { full: full, partial: partial };
  }

  /* Hovering a line brings it forward and fades the others; leaving restores them. */
  function bindHighlight(id) {
    var el = document.getElementById(id);
    if (el.dataset.highlight) { return; }
    el.dataset.highlight = "1";
    el.on("plotly_hover", function (event) {
      var hovered = event.points[0].data.legendgroup;
      window.Plotly.restyle(el, { opacity: el.data.map(function (t) { return t.legendgroup === hovered ? 1 : 0.2; }) });
    });
    el.on("plotly_unhover", function () {
      window.Plotly.restyle(el, { opacity: el.data.map(function () { return 1; }) });
    });
  }

  function setupObjects(section) {
    var id = section.dataset.target;
    function render() {
      var c = D.controls(section);
      var top = parseInt(c.lines, 10) || 5;
      var withPartial = c.partial === "1";
      var url = D.withParams(section.dataset["url" + (c.kind === "vulnerability" ? "Vulnerability" : "Threat")], { period: c.period });
      D.load(id, url, function (rows) {
        if (!Array.isArray(rows) || !rows.length) { sayWindow(section, []); return false; }
        var measure = c.measure;
        var ranked = rows.filter(function (r) { return r && r.averages && Array.isArray(r.values) && r.values.length; })
          .map(function (r) { return { row: r, label: D.pickLabel(r.labels, r.object), score: Number(r.averages[measure]) || 0 }; });
        var total = ranked.length;
        ranked.sort(function (a, b) {
          var diff = c.order === "asc" ? a.score - b.score : b.score - a.score;
          return diff || a.label.localeCompare(b.label);
        });
        ranked = ranked.slice(0, top);
        if (!ranked.length) { sayWindow(section, []); return false; }
        var dates = {};
        var traces = [];
        var dashed = [];
        ranked.forEach(function (item, n) {
          var color = D.COLORS[n % D.COLORS.length];
          var parts = split(item.row.values, c.period, withPartial);
          parts.full.concat(parts.partial).forEach(function (v) { dates[v.date] = true; });
          var name = D.plotText(item.label);
          traces.push({
            type: "scatter", mode: "lines+markers", name: name, legendgroup: item.row.object,
            line: { color: color, width: 2.5 }, marker: { color: color, size: 6 },
            x: parts.full.map(function (v) { return v.date; }),
            y: parts.full.map(function (v) { return D.round(v[measure]); }),
            hovertemplate: "%{fullData.name}<br>%{x}: %{y}<extra></extra>"
          });
          if (parts.partial.length) {
            var joined = parts.full.slice(-1).concat(parts.partial);
            dashed.push({
              type: "scatter", mode: "lines+markers", name: name + " (" + _("partial") + ")", legendgroup: item.row.object, showlegend: false,
              line: { color: color, width: 2, dash: "dash" }, marker: { color: color, size: 6, symbol: "circle-open" },
              x: joined.map(function (v) { return v.date; }), y: joined.map(function (v) { return D.round(v[measure]); }),
              hovertemplate: "%{fullData.name}<br>%{x}: %{y}<extra></extra>"
            });
          }
        });
        var allDates = Object.keys(dates).sort();
        if (!allDates.length) { sayWindow(section, []); return false; }
        var rowsCsv = ranked.map(function (item) {
          var byDate = {};
          item.row.values.forEach(function (v) { byDate[v.date] = D.round(v[measure]); });
          return [item.label, item.row.object].concat(allDates.map(function (d) { return byDate[d] === undefined ? "" : byDate[d]; }));
        });
        var narrow = D.isNarrow(id);
        var xaxis = D.periodAxis(c.period, allDates.length, narrow);
        xaxis.title = { text: optionText(section, "period", c.period) };
        sayWindow(section, allDates, ranked.length, total);
        D.draw(id, traces.concat(dashed), {
          height: narrow ? 420 + 22 * ranked.length : 520, showlegend: true, hovermode: "closest",
          legend: { orientation: "v", x: 1.02, y: 1, font: { size: 11 } },
          margin: { t: 10, r: 10, b: 50, l: 60 },
          xaxis: xaxis,
          yaxis: { title: { text: optionText(section, "measure", measure) }, rangemode: "tozero" }
        }, { header: [_("Object"), _("UUID")].concat(allDates), rows: rowsCsv }, section.dataset.filename + "-" + c.kind + "-" + measure)
          .then(function () { bindHighlight(id); });
      });
    }
    D.onControls(section, render);
    render();
  }

  function setupRisks(section) {
    var id = section.dataset.target;
    function render() {
      var c = D.controls(section);
      D.load(id, D.withParams(section.dataset.url, { period: c.period }), function (data) {
        var levels = data && data[c.risks_state] && data[c.risks_state][c.risks_type];
        if (!levels) { return false; }
        var traces = D.LEVELS.filter(function (l) { return Array.isArray(levels[l]) && levels[l].length; }).map(function (level) {
          var points = split(levels[level], c.period, false).full;
          return {
            type: "scatter", mode: "lines+markers", name: D.levelName(level),
            x: points.map(function (p) { return p.date; }),
            y: points.map(function (p) { return D.round(p.value); }),
            line: { color: D.LEVEL_COLORS[level] }, marker: { color: D.LEVEL_COLORS[level] }
          };
        }).filter(function (t) { return t.x.length; });
        if (!traces.length) { return false; }
        var seen = {};
        traces.forEach(function (t) { t.x.forEach(function (d) { seen[d] = true; }); });
        var all = Object.keys(seen).sort();
        var rows = all.map(function (d) {
          return [d].concat(traces.map(function (t) { var i = t.x.indexOf(d); return i < 0 ? "" : t.y[i]; }));
        });
        sayWindow(section, all);
        D.draw(id, traces, {
          height: 380, xaxis: D.periodAxis(c.period, all.length, D.isNarrow(id)),
          yaxis: { title: { text: _("Average number of risks") }, rangemode: "tozero" }
        }, { header: [_("Date")].concat(traces.map(function (t) { return t.name; })), rows: rows },
        section.dataset.filename + "-" + c.risks_type + "-" + c.risks_state);
      });
    }
    D.onControls(section, render);
    render();
  }

  D.ready(function () {
    D.each('[data-chart="evolution"]', setupObjects);
    D.each('[data-chart="risk-evolution"]', setupRisks);
  });
})();
