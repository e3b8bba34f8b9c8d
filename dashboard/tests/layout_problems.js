/* Run by test_browser_layout: what is clipped or overlapping on the page (arguments[0]: the
 * selector of the key elements). Returns a list of problems in words. */
var selector = arguments[0];
var width = window.innerWidth;
var problems = [];
function box(el) { return el.getBoundingClientRect(); }
function visible(el) {
  // Not rendered (e.g. inside a closed <details>): nothing to clip or overlap.
  if (el.checkVisibility && !el.checkVisibility()) { return false; }
  var r = box(el);
  return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
}
function describe(el) {
  return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && el.className.baseVal === undefined ? "." + String(el.className).split(" ").join(".") : "") +
    " '" + (el.textContent || "").trim().slice(0, 30) + "'";
}
function intersect(a, b) {
  return a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
}
// Elements inside a horizontally scrolling box may extend beyond the viewport by design.
function scrolls(el) { return !!el.closest(".table-scroll"); }
if (document.documentElement.scrollWidth > width + 1) {
  problems.push("page wider than the viewport: " + document.documentElement.scrollWidth);
}
var els = Array.prototype.filter.call(document.querySelectorAll(selector), visible);
els.forEach(function (el) {
  var r = box(el);
  if (!scrolls(el) && (r.left < -1 || r.right > width + 1)) {
    problems.push("outside the viewport: " + describe(el) + " " + Math.round(r.left) + ".." + Math.round(r.right));
  }
});
for (var i = 0; i < els.length; i++) {
  for (var j = i + 1; j < els.length; j++) {
    var a = els[i], b = els[j];
    if (a.contains(b) || b.contains(a)) { continue; }
    if (intersect(box(a), box(b))) { problems.push("overlap: " + describe(a) + " / " + describe(b)); }
  }
}
// Inside each chart: labels within the chart, the legend off the plot, titles off the ticks.
Array.prototype.forEach.call(document.querySelectorAll(".js-plotly-plot"), function (chart) {
  var c = box(chart);
  var texts = chart.querySelectorAll(".xtick text, .ytick text, .xtitle, .ytitle, .legend, .textpoint text, .bartext");
  Array.prototype.forEach.call(texts, function (t) {
    var r = box(t);
    if (r.width && (r.left < c.left - 1 || r.right > c.right + 1)) {
      problems.push("clipped in #" + chart.id + ": " + describe(t) + " " + Math.round(r.left) + ".." + Math.round(r.right) + " of " + Math.round(c.left) + ".." + Math.round(c.right));
    }
  });
  [".xtick text", ".ytick text", ".legend .traces"].forEach(function (sel) {
    var ticks = Array.prototype.filter.call(chart.querySelectorAll(sel), function (t) { return box(t).width > 0; });
    for (var i = 0; i < ticks.length; i++) {
      for (var j = i + 1; j < ticks.length; j++) {
        if (intersect(box(ticks[i]), box(ticks[j]))) {
          problems.push("labels overlap in #" + chart.id + ": " + describe(ticks[i]) + " / " + describe(ticks[j]));
        }
      }
    }
  });
  var plot = chart.querySelector(".draglayer .nsewdrag");
  var legend = chart.querySelector(".legend");
  if (plot && legend && box(legend).width && intersect(box(plot), box(legend))) {
    problems.push("legend over the plot in #" + chart.id);
  }
  [["xtitle", ".xtick text"], ["ytitle", ".ytick text"]].forEach(function (pair) {
    var title = chart.querySelector("." + pair[0]);
    if (!title || !box(title).width) { return; }
    Array.prototype.forEach.call(chart.querySelectorAll(pair[1]), function (tick) {
      if (box(tick).width && intersect(box(title), box(tick))) {
        problems.push(pair[0] + " over a tick label in #" + chart.id + ": " + describe(tick));
      }
    });
  });
});
return problems;
