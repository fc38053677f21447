// The picture of a resource's neighbourhood (server/http/resource_network.py): the data sits in
// #cg-network-data as JSON; cytoscape (vendored) draws it in #cg-network. A node opens its page.
(function () {
  "use strict";
  var holder = document.getElementById("cg-network");
  var source = document.getElementById("cg-network-data");
  if (!holder || !source || typeof window.cytoscape !== "function") return;
  var data = JSON.parse(source.textContent);
  var elements = [];
  data.nodes.forEach(function (n) {
    elements.push({ group: "nodes", data: { id: n.id, label: n.label, href: n.href, centre: n.centre, ring: n.ring } });
  });
  data.edges.forEach(function (e, i) {
    elements.push({ group: "edges", data: { id: "e" + i, source: e.source, target: e.target, label: e.label } });
  });
  var cy = window.cytoscape({
    container: holder,
    elements: elements,
    wheelSensitivity: 0.2,
    style: [
      { selector: "node", style: {
        "background-color": "#5b7083", "label": "data(label)", "font-size": 11, "color": "#1d2733",
        "text-valign": "bottom", "text-margin-y": 4, "width": 18, "height": 18,
        "text-wrap": "wrap", "text-max-width": 140 } },
      { selector: "node[ring = 2]", style: { "background-color": "#2b7a78" } },
      { selector: "node[?centre]", style: {
        "background-color": "#d9822b", "width": 30, "height": 30, "font-weight": "bold" } },
      { selector: "edge", style: {
        "width": 1.5, "line-color": "#aab6c2", "target-arrow-color": "#aab6c2",
        "target-arrow-shape": "triangle", "curve-style": "bezier", "label": "data(label)",
        "font-size": 9, "color": "#5b6b7b", "text-rotation": "autorotate" } }
    ],
    layout: {
      name: "concentric", animate: false, minNodeSpacing: 40,
      concentric: function (node) { return 3 - node.data("ring"); },
      levelWidth: function () { return 1; }
    }
  });
  cy.on("tap", "node", function (event) {
    var href = event.target.data("href");
    if (href && !event.target.data("centre")) window.location.assign(href);
  });
  window.coopgraphNetwork = cy;
})();
