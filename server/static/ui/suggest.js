// Suggestions as one types, for every <input data-suggest="…/search">: the names /search finds,
// each a link to the resource's page on this server. Arrow keys move through them, Enter opens one.
(function () {
  "use strict";
  function pageOf(iri, input) {
    var base = input.getAttribute("data-iri-base") || "";
    var site = input.getAttribute("data-site") || "/";
    return base && iri.indexOf(base) === 0 ? site + iri.slice(base.length) : iri;
  }
  function attach(input) {
    var list = document.createElement("ul");
    list.className = "cg-suggestions";
    list.setAttribute("role", "listbox");
    list.id = (input.id || "cg-input") + "-suggestions";
    list.hidden = true;
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-autocomplete", "list");
    input.insertAdjacentElement("afterend", list);
    var timer = null, asked = 0, active = -1;
    function show(hits) {
      list.textContent = "";
      active = -1;
      hits.forEach(function (hit) {
        var item = document.createElement("li");
        item.setAttribute("role", "option");
        var link = document.createElement("a");
        link.href = pageOf(hit.iri, input);
        link.textContent = hit.label;
        if (hit.lang) link.lang = hit.lang;
        var tags = document.createElement("span");
        tags.className = "cg-tags";
        tags.textContent = " " + (hit.types || []).join(" ") + " " + (hit.country || []).join(" ").toUpperCase();
        item.appendChild(link);
        item.appendChild(tags);
        list.appendChild(item);
      });
      list.hidden = hits.length === 0;
    }
    function ask() {
      var text = input.value.trim();
      var mine = ++asked;
      if (!text) { show([]); return; }
      var url = input.getAttribute("data-suggest") + "?format=json&limit=8&q=" + encodeURIComponent(text);
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (found) { if (mine === asked) show(found.results || []); })
        .catch(function () { if (mine === asked) show([]); });
    }
    function move(step) {
      var items = list.querySelectorAll("a");
      if (!items.length) return;
      active = (active + step + items.length) % items.length;
      items[active].focus();
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 120);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); move(1); }
      if (e.key === "Escape") { list.hidden = true; }
    });
    list.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); move(1); }
      if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
      if (e.key === "Escape") { list.hidden = true; input.focus(); }
    });
  }
  document.querySelectorAll("input[data-suggest]").forEach(attach);
})();
