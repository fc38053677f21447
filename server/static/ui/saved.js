// A saved query's page: its answer as the table the server wrote, or drawn by a view (views.js); the
// view first shown is the one the query's header declares (view:), and the reader picks another.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("cg-config").textContent);
  var Views = window.CoopgraphViews;
  var picker = document.getElementById("cg-view-picker");
  var box = document.getElementById("cg-view");
  var table = document.getElementById("cg-table");
  var options = { root: config.root, endpoint: config.endpoint, lang: config.lang };

  function show(view) {
    picker.querySelectorAll("button").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.view === view));
    });
    document.body.dataset.view = view;
    if (view === "table") {
      box.hidden = true;
      table.hidden = false;
      return Promise.resolve({ marks: table.rows.length - 1 });
    }
    table.hidden = true;
    box.hidden = false;
    return Views.draw(box, view, config.results, options);
  }

  Views.VIEWS.forEach(function (view) {
    var button = document.createElement("button");
    button.type = "button";
    button.dataset.view = view;
    button.textContent = Views.title(view, config.lang);
    button.addEventListener("click", function () {
      window.coopgraphDrawn = show(view);
    });
    picker.appendChild(button);
  });
  window.coopgraphDrawn = show(config.view || "table");
})();
