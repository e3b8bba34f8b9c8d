/* Map: one marker per area (rounded position) with enough contributors; tiles only when the
 * instance configures them. Labels are keyed by kind, then uuid.
 * Names go through textContent / DOM nodes, never through HTML strings (labels are user data). */
(function () {
  "use strict";
  var D = window.Dash;
  var _ = D._;

  function popup(entry) {
    var box = document.createElement("div");
    [["max_threat", _("#1 threat")], ["max_vulnerability", _("#1 vulnerability")]].forEach(function (pair) {
      var top = entry[pair[0]];
      if (!top) { return; }
      var label = name(entry, pair[0], top);
      var line = document.createElement("div");
      var title = document.createElement("strong");
      title.textContent = pair[1] + ": ";
      line.appendChild(title);
      line.appendChild(document.createTextNode(label));
      box.appendChild(line);
    });
    return box;
  }

  var KINDS = { max_threat: "threat", max_vulnerability: "vulnerability" };

  function name(entry, key, top) {
    var labels = ((entry.labels || {})[KINDS[key]] || {})[top[1]];
    return D.pickLabel(labels, top[1]);
  }

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
  }

  D.ready(function () {
    var el = document.getElementById("map");
    if (!el) { return; }
    D.load("map", el.dataset.url, function (entries) {
      if (!Array.isArray(entries) || !entries.length) { return false; }
      var map = window.L.map(el, { worldCopyJump: true, attributionControl: !!el.dataset.tileUrl, minZoom: 2 });
      if (el.dataset.tileUrl) {
        window.L.tileLayer(el.dataset.tileUrl, { maxZoom: 18, attribution: el.dataset.tileAttribution || "" }).addTo(map);
      } else if (el.dataset.outlines) {
        // Country outlines shipped with the service (Natural Earth, public domain): a real
        // background with no request to a third party.
        D.fetchJSON(el.dataset.outlines).then(function (world) {
          window.L.geoJSON(world, { interactive: false, style: { color: "#7d93a8", weight: 1, fillColor: "#fbfbf7", fillOpacity: 1, className: "country" } })
            .addTo(map).bringToBack();
        }).catch(function (error) { if (window.console) { window.console.error(error); } });
      }
      var tbody = document.querySelector("#map-table tbody");
      var points = [];
      entries.forEach(function (entry) {
        var at = [entry.latitude, entry.longitude];
        points.push(at);
        window.L.circleMarker(at, { radius: 9, color: "#12324f", weight: 2, fillColor: "#2f7fc1", fillOpacity: 0.8, className: "contributor" })
          .bindPopup(popup(entry)).addTo(map);
        var row = document.createElement("tr");
        cell(row, entry.latitude.toFixed(2) + ", " + entry.longitude.toFixed(2));
        cell(row, entry.max_threat ? name(entry, "max_threat", entry.max_threat) : "–");
        cell(row, entry.max_vulnerability ? name(entry, "max_vulnerability", entry.max_vulnerability) : "–");
        tbody.appendChild(row);
      });
      document.getElementById("map-table").hidden = false;
      // Without tiles, outlines at 1:110m carry no detail past a country's scale: stay at a
      // zoom that keeps Luxembourg and its neighbours in view.
      var closest = el.dataset.tileUrl ? 10 : 6;
      if (points.length === 1) { map.setView(points[0], Math.min(8, closest)); } else { map.fitBounds(points, { padding: [30, 30], maxZoom: closest }); }
      D.setState("map", "ready");
    });
  });
})();
