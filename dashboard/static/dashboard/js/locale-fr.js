/* French for Plotly (dates and numbers), registered by the dashboard itself: Plotly's own
 * locale bundles are not in the pip package, and pages load nothing from a CDN. */
(function () {
  "use strict";
  if (!window.Plotly) { return; }
  window.Plotly.register({
    moduleType: "locale",
    name: "fr",
    dictionary: {
      "Autoscale": "Échelle automatique",
      "Reset axes": "Réinitialiser les axes",
      "Zoom in": "Zoom avant",
      "Zoom out": "Zoom arrière",
      "Download plot as a png": "Télécharger le graphique en PNG",
      "Double-click to zoom back out": "Double-cliquez pour dézoomer"
    },
    format: {
      days: ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
      shortDays: ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
      months: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
        "septembre", "octobre", "novembre", "décembre"],
      shortMonths: ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août",
        "sept.", "oct.", "nov.", "déc."],
      date: "%d/%m/%Y",
      decimal: ",",
      thousands: "\u202f"
    }
  });
})();
