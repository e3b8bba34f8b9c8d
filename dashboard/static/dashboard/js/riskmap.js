/* Risk map: the aggregated cartography heat map (impact x likelihood), current or residual. */
(function () {
  "use strict";
  var D = window.Dash;
  var _ = D._;

  function numericKeys(objects) {
    var seen = {};
    objects.forEach(function (o) { Object.keys(o || {}).forEach(function (k) { seen[k] = true; }); });
    return Object.keys(seen).sort(function (a, b) { return Number(a) - Number(b); });
  }

  D.ready(function () {
    D.each('[data-chart="riskmap"]', function (section) {
      var id = section.dataset.target;
      var data = null;
      function render() {
        if (!data) { return; }
        var c = D.controls(section);
        var both = ["current", "residual"].map(function (s) { return (data[s] || {})[c.risks_type] || {}; });
        // Axes from both states, so switching current/residual compares like with like.
        var impacts = numericKeys(both);
        var columns = numericKeys(both.reduce(function (acc, m) {
          return acc.concat(Object.keys(m).map(function (k) { return m[k]; }));
        }, []));
        var matrix = (data[c.risks_state] || {})[c.risks_type] || {};
        if (!impacts.length || !columns.length) { D.setState(id, "empty"); return; }
        var z = impacts.map(function (i) {
          // null: withheld (not enough contributors), drawn as a gap, never as zero.
          return columns.map(function (l) { var v = (matrix[i] || {})[l]; return v === null ? null : Number(v) || 0; });
        });
        var xTitle = c.risks_type === "operational" ? _("Probability") : _("Likelihood (threat × vulnerability)");
        var trace = {
          type: "heatmap", x: columns, y: impacts, z: z, xgap: 2, ygap: 2,
          colorscale: [[0, "#f1f8e9"], [0.35, "#ffe082"], [0.7, "#fb8c00"], [1, "#c62828"]],
          texttemplate: "%{z}", hovertemplate: _("Impact") + " %{y}, " + xTitle + " %{x}: %{z}<extra></extra>",
          colorbar: { title: { text: _("Risks") } }
        };
        D.draw(id, [trace], {
          height: 160 + impacts.length * 60,
          xaxis: { type: "category", title: { text: xTitle } },
          yaxis: { type: "category", title: { text: _("Impact") } }
        }, {
          header: [_("Impact") + " \\ " + xTitle].concat(columns),
          rows: impacts.map(function (i, k) { return [i].concat(z[k].map(function (v) { return v === null ? _("withheld") : v; })); })
        }, section.dataset.filename + "-" + c.risks_type + "-" + c.risks_state);
      }
      D.onControls(section, render);
      D.load(id, section.dataset.url, function (json) {
        data = json;
        if (!json || Array.isArray(json) || !Object.keys(json).length) { return false; }
        render();
      });
    });
  });
})();
