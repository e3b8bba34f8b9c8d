/* Home: top threats, top vulnerabilities (N, measure, order) and risks current vs residual. */
(function () {
  "use strict";
  var D = window.Dash;
  var _ = D._;

  function measureName(section, measure) {
    var option = section.querySelector('[data-control="measure"] option[value="' + measure + '"]');
    return option ? option.textContent.trim() : measure;
  }

  /* The N objects ranking highest (or lowest) on `measure`; zero is a value like any other. */
  function rank(rows, measure, order, n) {
    var items = (Array.isArray(rows) ? rows : []).filter(function (row) {
      return row && row.averages && row.averages[measure] !== undefined && row.averages[measure] !== null;
    }).map(function (row) {
      return { uuid: row.object, label: D.pickLabel(row.labels, row.object), value: D.round(row.averages[measure]) };
    });
    items.sort(function (a, b) {
      var diff = order === "asc" ? a.value - b.value : b.value - a.value;
      return diff || a.label.localeCompare(b.label);
    });
    return items.slice(0, n);
  }

  function setupTop(section) {
    var id = section.dataset.target;
    var data = null;
    function render() {
      if (!data) { return; }
      var c = D.controls(section);
      var items = rank(data, c.measure, c.order, parseInt(c.n, 10) || 10);
      if (!items.length) { D.setState(id, "empty"); return; }
      var name = measureName(section, c.measure);
      var trace = {
        type: "bar", orientation: "h", name: name,
        x: items.map(function (i) { return i.value; }),
        y: items.map(function (i) { return i.uuid; }),
        text: items.map(function (i) { return String(i.value); }),
        textposition: "outside", cliponaxis: false, marker: { color: "#2f7fc1" },
        customdata: items.map(function (i) { return D.plotText(i.label); }),
        hovertemplate: "%{customdata}<br>" + name + ": %{x}<extra></extra>"
      };
      var layout = {
        height: 90 + items.length * 28, showlegend: false,
        // uuids keep objects with the same label apart; the axis shows the labels.
        yaxis: { tickmode: "array", tickvals: trace.y, ticktext: items.map(function (i) { return D.plotText(i.label); }), autorange: "reversed", automargin: true },
        xaxis: { title: { text: name }, rangemode: "tozero", zeroline: true },
        margin: { t: 10, r: 40, b: 50, l: 10 }
      };
      var table = { header: [_("Rank"), _("Object"), _("UUID"), name], rows: items.map(function (i, n) { return [n + 1, i.label, i.uuid, i.value]; }) };
      D.draw(id, [trace], layout, table, section.dataset.filename);
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
      var traces = states.filter(function (s) { return data[s[0]] && data[s[0]][type]; }).map(function (s, index) {
        var levels = data[s[0]][type];
        return {
          type: "bar", name: s[1],
          x: D.LEVELS.map(D.levelName),
          y: D.LEVELS.map(function (level) { return D.round(levels[level]); }),
          text: D.LEVELS.map(function (level) { return String(D.round(levels[level])); }),
          textposition: "outside", cliponaxis: false,
          marker: { color: index === 0 ? "#c0392b" : "#27ae60" }
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
