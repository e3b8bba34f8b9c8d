/* The menu button of narrow screens: opens and closes the navigation (CSS hides it there). */
(function () {
  "use strict";
  var button = document.querySelector(".nav-toggle");
  var nav = document.getElementById("main-nav");
  if (!button || !nav) { return; }
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    document.body.classList.toggle("nav-open", open);
  });
})();
