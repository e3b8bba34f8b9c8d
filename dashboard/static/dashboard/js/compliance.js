/* Compliance: per referential category, current level against target, and its evolution. */
(function () {
  "use strict";
  var D = window.Dash;
  var _ = D._;

  function pct(value) { return D.round((Number(value) || 0) * 100, 1); }

  /* Fill a referential <select> once, keeping the visitor's choice. */
  function fillReferentials(select, referentials) {
    if (select.options.length) { return; }
    referentials.forEach(function (ref) {
      var option = document.createElement("option");
      option.value = ref.referential;
      option.textContent = D.pickLabel(ref.labels, ref.referential);
      select.appendChild(option);
    });
  }

  function chosen(section, referentials) {
    var select = section.querySelector('[data-control="referential"]');
    fillReferentials(select, referentials);
    var value = select.value;
    for (var i = 0; i < referentials.length; i++) {
      if (referentials[i].referential === value) { return referentials[i]; }
    }
    return referentials[0];
  }

  function setupCurrent(section) {
    var id = section.dataset.target;
    var data = null;
    function render() {
      if (!data) { return; }
      var ref = chosen(section, data);
      var categories = (ref && ref.categories) || [];
      if (!categories.length) { D.setState(id, "empty"); return; }
      var names = categories.map(function (c, i) { return D.pickLabel(c.labels, _("Category") + " " + (i + 1)); });
      var shown = names.map(D.plotText);
      var keys = categories.map(function (c, i) { return "c" + i; });
      function trace(field, name, color) {
        var values = categories.map(function (c) { return pct(c[field]); });
        return { type: "bar", orientation: "h", name: name, y: keys, x: values, marker: { color: color },
          text: values.map(function (v) { return D.formatNumber(v, 1) + " %"; }), textposition: "outside", cliponaxis: false,
          customdata: shown, hovertemplate: "%{customdata}<br>" + name + ": %{x} %<extra></extra>" };
      }
      var traces = [trace("current", _("Current"), "#2f7fc1"), trace("target", _("Target"), "#9aa9b8")];
      var ticktext = shown.map(function (n) { return D.wrapLabel(n, D.isNarrow(id) ? 22 : 40); });
      // Room for each category's label lines (Plotly spaces categories evenly).
      var lines = Math.max.apply(null, ticktext.map(function (t) { return t.split("<br>").length; }));
      D.draw(id, traces, {
        barmode: "group", height: 120 + categories.length * Math.max(44, 15 * lines + 10),
        yaxis: { tickmode: "array", tickvals: keys, ticktext: ticktext, autorange: "reversed", automargin: true },
        xaxis: { range: [0, 118], title: { text: _("Compliance (%)") } },
        margin: { t: 10, r: 30, b: 50, l: 10 }
      }, {
        header: [_("Category"), _("Current (%)"), _("Target (%)")],
        rows: categories.map(function (c, i) { return [names[i], pct(c.current), pct(c.target)]; })
      }, section.dataset.filename);
    }
    D.onControls(section, render);
    D.load(id, section.dataset.url, function (json) {
      data = json;
      if (!Array.isArray(json) || !json.length) { return false; }
      render();
    });
  }

  function setupEvolution(section) {
    var id = section.dataset.target;
    function render() {
      var c = D.controls(section);
      D.load(id, D.withParams(section.dataset.url, { period: c.period }), function (json) {
        if (!Array.isArray(json) || !json.length) { return false; }
        var ref = chosen(section, json);
        var categories = ((ref && ref.categories) || []).filter(function (cat) { return Array.isArray(cat.values) && cat.values.length; });
        if (!categories.length) { return false; }
        var dates = {};
        var names = categories.map(function (cat, i) { return D.pickLabel(cat.labels, _("Category") + " " + (i + 1)); });
        var traces = categories.map(function (cat, i) {
          cat.values.forEach(function (v) { dates[v.date] = true; });
          return { type: "scatter", mode: "lines+markers", name: D.plotText(names[i]),
            x: cat.values.map(function (v) { return v.date; }), y: cat.values.map(function (v) { return pct(v.current); }),
            hovertemplate: "%{fullData.name}<br>%{x}: %{y} %<extra></extra>" };
        });
        var all = Object.keys(dates).sort();
        D.draw(id, traces, {
          height: 520, colorway: D.COLORS, legend: { orientation: "v", x: 1.02, y: 1, font: { size: 11 } },
          xaxis: D.periodAxis(c.period, all.length, D.isNarrow(id)), yaxis: { range: [0, 105], title: { text: _("Current compliance (%)") } }
        }, {
          header: [_("Category")].concat(all),
          rows: traces.map(function (t, i) {
            return [names[i]].concat(all.map(function (d) { var k = t.x.indexOf(d); return k < 0 ? "" : t.y[k]; }));
          })
        }, section.dataset.filename + "-" + c.period);
      });
    }
    D.onControls(section, render);
    render();
  }

  D.ready(function () {
    D.each('[data-chart="compliance"]', setupCurrent);
    D.each('[data-chart="compliance-evolution"]', setupEvolution);
  });
})();
