/* Home: top threats, top vulnerabilities (N, measure, order) and risks current vs residual. */
(function () {
  "use strict";
  var D = window.Dash;
  var _ = D._;
  var MEASURES = ["averageRate", "count", "maxRisk"];

  function measureName(section, measure) {
    var option = section.querySelector('[data-control="measure"] option[value="' + measure + '"]');
    return option ? option.textContent.trim() : measure;
  }

  /* The N objects ranking highest (or lowest) on `measure`; zero is a value like any other. */
  function rank(rows, measure, order, n) {
    var items = (Array.isArray(rows) ? rows : []).filter(function (row) {
      return row && row.averages && row.averages[measure] !== undefined && row.averages[measure] !== null;
    }).map(function (row) {
      var all = {};
      MEASURES.forEach(function (m) { all[m] = D.round(row.averages[m]); });
      return { uuid: row.object, label: D.pickLabel(row.labels, row.object), value: D.round(row.averages[measure]), all: all };
    });
    items.sort(function (a, b) {
      var diff = order === "asc" ? a.value - b.value : b.value - a.value;
      return diff || a.label.localeCompare(b.label);
    });
    return items.slice(0, n);
  }

  /* The one-line explanation of the chosen measure. */
  function showHint(section, measure) {
    var kind = section.dataset.kind;
    D.each("[data-hint]", function (span) {
      span.hidden = span.dataset.hint !== measure || (span.dataset.kind && span.dataset.kind !== kind);
    }, section);
  }

  /* The same objects as a table: every measure, each name a link to the object on MOSP. */
  function fillTable(section, items) {
    var tbody = section.querySelector("table.objects tbody");
    if (!tbody) { return; }
    tbody.textContent = "";
    items.forEach(function (item, n) {
      var row = document.createElement("tr");
      var cells = [String(n + 1), null].concat(MEASURES.map(function (m) { return D.formatNumber(item.all[m]); }));
      cells.forEach(function (text) {
        var td = document.createElement("td");
        if (text === null) { td.appendChild(D.mospLink(item.uuid, item.label)); } else { td.textContent = text; }
        row.appendChild(td);
      });
      tbody.appendChild(row);
    });
  }

  function setupTop(section) {
    var id = section.dataset.target;
    var data = null;
    var shown = [];
    function render() {
      if (!data) { return; }
      var c = D.controls(section);
      showHint(section, c.measure);
      var items = rank(data, c.measure, c.order, parseInt(c.n, 10) || 10);
      shown = items;
      fillTable(section, items);
      if (!items.length) { D.setState(id, "empty"); return; }
      var name = measureName(section, c.measure);
      var width = D.isNarrow(id) ? 22 : 38;
      var ticktext = items.map(function (i) { return D.wrapLabel(D.plotText(i.label), width); });
      // Each bar gets room for its label's lines (Plotly spaces categories evenly).
      var lines = Math.max.apply(null, ticktext.map(function (t) { return t.split("<br>").length; }));
      var trace = {
        type: "bar", orientation: "h", name: name,
        x: items.map(function (i) { return i.value; }),
        y: items.map(function (i) { return i.uuid; }),
        text: items.map(function (i) { return D.formatNumber(i.value); }),
        textposition: "outside", cliponaxis: false, marker: { color: "#2f7fc1" },
        customdata: items.map(function (i) { return D.plotText(i.label); }),
        hovertemplate: "%{customdata}<br>" + name + ": %{x}<extra></extra>"
      };
      var layout = {
        height: 90 + items.length * Math.max(30, 15 * lines + 8), showlegend: false,
        // uuids keep objects with the same label apart; the axis shows the labels, wrapped.
        yaxis: { tickmode: "array", tickvals: trace.y, ticktext: ticktext, autorange: "reversed", automargin: true },
        xaxis: { title: { text: name }, rangemode: "tozero", zeroline: true },
        margin: { t: 10, r: 40, b: 50, l: 10 }
      };
      var table = {
        header: [_("Rank"), _("Object"), _("UUID")].concat(MEASURES.map(function (m) { return measureName(section, m); })),
        rows: items.map(function (i, n) { return [n + 1, i.label, i.uuid].concat(MEASURES.map(function (m) { return i.all[m]; })); })
      };
      D.draw(id, [trace], layout, table, section.dataset.filename).then(function () {
        var el = document.getElementById(id);
        if (el.dataset.clickBound) { return; }
        el.dataset.clickBound = "1";
        // A click on a bar opens the object on MOSP, as the original dashboard did.
        el.on("plotly_click", function (event) {
          var point = event && event.points && event.points[0];
          if (!point) { return; }
          var item = shown[point.pointIndex];
          if (item) { window.open(D.mospLink(item.uuid, item.label).href, "_blank", "noopener"); }
        });
      });
    }
    D.onControls(section, render);
    D.load(id, section.dataset.url, function (json) {
      data = json;
      if (!Array.isArray(json) || !json.length) { return false; }
      render();
    });
  }

  function setupRisks(section) {
    var id = section.dataset.target;
    var data = null;
    function render() {
      if (!data) { return; }
      var type = D.controls(section).risks_type || "informational";
      var states = [["current", _("Current")], ["residual", _("Residual")]];
      var traces = states.filter(function (s) { return data[s[0]] && data[s[0]][type]; }).map(function (s) {
        var levels = data[s[0]][type];
        return {
          type: "bar", name: s[1],
          x: D.LEVELS.map(D.levelName),
          y: D.LEVELS.map(function (level) { return D.round(levels[level]); }),
          text: D.LEVELS.map(function (level) { return D.formatNumber(D.round(levels[level])); }),
          textposition: "outside", cliponaxis: false,
          marker: { color: D.STATE_COLORS[s[0]] }
        };
      });
      if (!traces.length) { D.setState(id, "empty"); return; }
      var header = [_("Level")].concat(traces.map(function (t) { return t.name; }));
      var rows = D.LEVELS.map(function (level, i) {
        return [D.levelName(level)].concat(traces.map(function (t) { return t.y[i]; }));
      });
      D.draw(id, traces, { barmode: "group", height: 380, yaxis: { title: { text: _("Average number of risks") }, rangemode: "tozero" } },
        { header: header, rows: rows }, section.dataset.filename + "-" + type);
    }
    D.onControls(section, render);
    D.load(id, section.dataset.url, function (json) {
      data = json;
      if (!json || !json.current) { return false; }
      render();
    });
  }

  D.ready(function () {
    D.each('[data-chart="top"]', setupTop);
    D.each('[data-chart="risks"]', setupRisks);
  });
})();
