/* Evolution: top 20 threats or vulnerabilities over time, and risk levels over time. */
(function () {
  "use strict";
  var D = window.Dash;
  var _ = D._;
  var TOP = 20;

  function optionText(root, control, value) {
    var option = root.querySelector('[data-control="' + control + '"] option[value="' + value + '"]');
    return option ? option.textContent.trim() : value;
  }

  function setupObjects(section) {
    var id = section.dataset.target;
    function render() {
      var c = D.controls(section);
      var url = D.withParams(section.dataset["url" + (c.kind === "vulnerability" ? "Vulnerability" : "Threat")], { period: c.period });
      D.load(id, url, function (rows) {
        if (!Array.isArray(rows) || !rows.length) { return false; }
        var measure = c.measure;
        var ranked = rows.filter(function (r) { return r && r.averages && Array.isArray(r.values) && r.values.length; })
          .map(function (r) { return { row: r, label: D.pickLabel(r.labels, r.object), score: Number(r.averages[measure]) || 0 }; });
        ranked.sort(function (a, b) {
          var diff = c.order === "asc" ? a.score - b.score : b.score - a.score;
          return diff || a.label.localeCompare(b.label);
        });
        ranked = ranked.slice(0, TOP);
        if (!ranked.length) { return false; }
        var dates = {};
        var traces = ranked.map(function (item) {
          item.row.values.forEach(function (v) { dates[v.date] = true; });
          return {
            type: "scatter", mode: "lines+markers", name: D.plotText(item.label),
            x: item.row.values.map(function (v) { return v.date; }),
            y: item.row.values.map(function (v) { return D.round(v[measure]); }),
            hovertemplate: "%{fullData.name}<br>%{x}: %{y}<extra></extra>"
          };
        });
        var allDates = Object.keys(dates).sort();
        var rowsCsv = ranked.map(function (item) {
          var byDate = {};
          item.row.values.forEach(function (v) { byDate[v.date] = D.round(v[measure]); });
          return [item.label, item.row.object].concat(allDates.map(function (d) { return byDate[d] === undefined ? "" : byDate[d]; }));
        });
        var measureName = optionText(section, "measure", measure);
        D.draw(id, traces, {
          height: 560, showlegend: true, colorway: D.COLORS, legend: { orientation: "v", x: 1.02, y: 1, font: { size: 11 } },
          margin: { t: 10, r: 10, b: 50, l: 60 },
          xaxis: { type: "date", title: { text: optionText(section, "period", c.period) } },
          yaxis: { title: { text: measureName }, rangemode: "tozero" }
        }, { header: [_("Object"), _("UUID")].concat(allDates), rows: rowsCsv }, section.dataset.filename + "-" + c.kind + "-" + measure);
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
        var colors = ["#27ae60", "#e67e22", "#c0392b"];
        var traces = D.LEVELS.filter(function (l) { return Array.isArray(levels[l]) && levels[l].length; }).map(function (level) {
          return {
            type: "scatter", mode: "lines+markers", name: D.levelName(level),
            x: levels[level].map(function (p) { return p.date; }),
            y: levels[level].map(function (p) { return D.round(p.value); }),
            line: { color: colors[D.LEVELS.indexOf(level)] }
          };
        });
        if (!traces.length) { return false; }
        var seen = {};
        traces.forEach(function (t) { t.x.forEach(function (d) { seen[d] = true; }); });
        var rows = Object.keys(seen).sort().map(function (d) {
          return [d].concat(traces.map(function (t) { var i = t.x.indexOf(d); return i < 0 ? "" : t.y[i]; }));
        });
        D.draw(id, traces, {
          height: 380, xaxis: { type: "date" },
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
