// The person page's network view (cytoscape from npm). The table below it holds the same data
// for keyboard and screen-reader users. Data comes from a JSON block, never inline script.
(function () {
  function start() {
    var holder = document.getElementById("network");
    var source = document.getElementById("network-data");
    if (!holder || !source || typeof cytoscape === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var elements = [{ data: { id: data.centre.id, label: data.centre.label, type: "centre" } }];
    data.near.forEach(function (n) {
      elements.push({ data: { id: n.id, label: n.label, type: n.type } });
      elements.push({ data: { id: data.centre.id + "~" + n.id, source: data.centre.id,
                              target: n.id, via: n.via } });
    });
    var cy = cytoscape({
      container: holder,
      elements: elements,
      layout: { name: "concentric", concentric: function (n) { return n.data("type") === "centre" ? 2 : 1; } },
      style: [
        { selector: "node", style: { label: "data(label)", "font-size": 11, color: "#1b1f24",
                                     "background-color": "#4a5568", width: 18, height: 18 } },
        { selector: "node[type = 'centre']", style: { "background-color": "#b42318", width: 28, height: 28 } },
        { selector: "node[type = 'vehicle']", style: { shape: "rectangle", "background-color": "#1d5b2a" } },
        { selector: "node[type = 'phone']", style: { shape: "diamond", "background-color": "#5b2a86" } },
        { selector: "edge", style: { width: "mapData(via, 1, 10, 1, 6)", "line-color": "#9aa4b2" } }
      ]
    });
    document.querySelectorAll(".net-filter").forEach(function (box) {
      box.addEventListener("change", function () {
        cy.nodes("[type = '" + box.value + "']").style("display", box.checked ? "element" : "none");
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
