/* Risk map: impact x likelihood, each cell in the colour of MONARC's risk level for its value
 * (the thresholds come from the settings, MONARC's defaults unless changed) and the number of
 * risks written in it, summed over the sharing organisations; current or residual. */
(function () {
  "use strict";
  var D = window.Dash;
  var _ = D._;
  var BANDS = ["Low risks", "Medium risks", "High risks"];
  var TEXT_COLORS = { "Low risks": "#fff", "Medium risks": "#1d2733", "High risks": "#fff" };

  function numericKeys(objects) {
    var seen = {};
    objects.forEach(function (o) { Object.keys(o || {}).forEach(function (k) { seen[k] = true; }); });
    return Object.keys(seen).sort(function (a, b) { return Number(a) - Number(b); });
  }

  /* "informational:4:20,operational:4:8" -> {informational: [4, 20], operational: [4, 8]} */
  function parseThresholds(text) {
    var result = {};
    (text || "").split(",").forEach(function (part) {
      var bits = part.split(":");
      if (bits.length === 3) { result[bits[0]] = [Number(bits[1]), Number(bits[2])]; }
    });
    return result;
  }

  function band(value, limits) {
    if (value <= limits[0]) { return BANDS[0]; }
    return value <= limits[1] ? BANDS[1] : BANDS[2];
  }

  function legend(section, limits) {
    var list = section.querySelector(".bands");
    if (!list) { return; }
    list.textContent = "";
    var ranges = ["≤ " + limits[0], (limits[0] + 1) + "–" + limits[1], "> " + limits[1]];
    BANDS.forEach(function (level, i) {
      var item = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "swatch band-" + i;
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(D.levelName(level) + " (" + _("risk value") + " " + ranges[i] + ")"));
      list.appendChild(item);
    });
  }

  D.ready(function () {
    D.each('[data-chart="riskmap"]', function (section) {
      var id = section.dataset.target;
      var thresholds = parseThresholds(section.dataset.thresholds);
      var data = null;
      function render() {
        if (!data) { return; }
        var c = D.controls(section);
        var limits = thresholds[c.risks_type] || [4, 20];
        legend(section, limits);
        var both = ["current", "residual"].map(function (s) { return (data[s] || {})[c.risks_type] || {}; });
        // Axes from both states, so switching current/residual compares like with like.
        var impacts = numericKeys(both);
        var columns = numericKeys(both.reduce(function (acc, m) {
          return acc.concat(Object.keys(m).map(function (k) { return m[k]; }));
        }, []));
        var matrix = (data[c.risks_state] || {})[c.risks_type] || {};
        if (!impacts.length || !columns.length) { D.setState(id, "empty"); return; }
        var counts = impacts.map(function (i) {
          // null: withheld (not enough contributors), drawn as a dotted gap, never as zero.
          return columns.map(function (l) { var v = (matrix[i] || {})[l]; return v === null ? null : Number(v) || 0; });
        });
        var xTitle = c.risks_type === "operational" ? _("Probability") : _("Likelihood (threat × vulnerability)");
        var shapes = [];
        var points = { x: [], y: [], text: [], customdata: [], colors: [] };
        impacts.forEach(function (impact, row) {
          columns.forEach(function (column, col) {
            var level = band(Number(impact) * Number(column), limits);
            var count = counts[row][col];
            var withheld = count === null;
            shapes.push({ type: "rect", xref: "x", yref: "y", x0: col - 0.48, x1: col + 0.48, y0: row - 0.48, y1: row + 0.48,
              fillcolor: D.LEVEL_COLORS[level], opacity: count ? 1 : 0.3, layer: "below", name: level,
              line: withheld ? { width: 1, dash: "dot", color: "#666" } : { width: 0 } });
            points.x.push(column);
            points.y.push(impact);
            points.text.push(withheld ? "–" : (count ? String(count) : ""));
            points.customdata.push([withheld ? _("withheld") : count, D.levelName(level), Number(impact) * Number(column)]);
            points.colors.push(TEXT_COLORS[level]);
          });
        });
        var trace = {
          type: "scatter", mode: "text", x: points.x, y: points.y, text: points.text,
          customdata: points.customdata, textfont: { color: points.colors, size: D.isNarrow(id) ? 11 : 14 },
          hovertemplate: _("Impact") + " %{y}, " + xTitle + " %{x}: %{customdata[0]} (%{customdata[1]}, %{customdata[2]})<extra></extra>",
          showlegend: false
        };
        D.draw(id, [trace], {
          height: 160 + impacts.length * (D.isNarrow(id) ? 44 : 60), shapes: shapes,
          xaxis: { type: "category", categoryarray: columns, categoryorder: "array", title: { text: D.isNarrow(id) ? D.wrapLabel(xTitle, 28) : xTitle }, showgrid: false, zeroline: false },
          yaxis: { type: "category", categoryarray: impacts, categoryorder: "array", title: { text: _("Impact") }, showgrid: false, zeroline: false },
          margin: { t: 10, r: 10, b: 50, l: 50 }
        }, {
          header: [_("Impact") + " \\ " + xTitle].concat(columns),
          rows: impacts.map(function (i, k) { return [i].concat(counts[k].map(function (v) { return v === null ? _("withheld") : v; })); })
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
