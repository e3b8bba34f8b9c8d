/* Rising and falling: the objects whose average moved most between the last two complete
 * periods, as /stats/rising.json computes them from the public threat and vulnerability files. */
(function () {
  "use strict";
  var D = window.Dash;
  var _ = D._;

  function signed(value) {
    return (value > 0 ? "+" : "−") + D.formatNumber(Math.abs(value));
  }

  function fill(list, moves) {
    list.textContent = "";
    (moves || []).forEach(function (move) {
      var item = document.createElement("li");
      item.dataset.object = move.object;
      item.appendChild(D.mospLink(move.object, D.pickLabel(move.labels, move.object)));
      var change = document.createElement("span");
      change.className = "change " + (move.change > 0 ? "up" : "down");
      change.dataset.change = String(move.change);
      change.textContent = " " + signed(move.change) + " (" + D.formatNumber(move.before) + " → " + D.formatNumber(move.after) + ")";
      item.appendChild(change);
      list.appendChild(item);
    });
    if (!list.children.length) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = _("None");
      list.appendChild(none);
    }
  }

  function windowText(data) {
    var fmt = function (iso) {
      return new Date(iso + "T00:00:00Z").toLocaleDateString(D.LANG, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
    };
    var text = _("Last complete period: %(from)s to %(until)s, against the one before it.");
    return text.replace("%(from)s", fmt(data.after)).replace("%(until)s", fmt(data.until));
  }

  D.ready(function () {
    var section = document.getElementById("rising");
    if (!section) { return; }
    function render() {
      var period = D.controls(section).period;
      D.load("rising", D.withParams(section.dataset.url, { period: period }), function (data) {
        var any = false;
        ["threats", "vulnerabilities"].forEach(function (kind) {
          ["up", "down"].forEach(function (way) {
            var moves = (data[kind] || {})[way] || [];
            any = any || moves.length > 0;
            fill(section.querySelector('[data-moves="' + kind + "-" + way + '"]'), moves);
          });
        });
        section.querySelector("[data-rising-window]").textContent = any ? windowText(data) : "";
        if (!any) { return false; }
        D.setState("rising", "ready");
      });
    }
    D.onControls(section, render);
    render();
  });
})();
