// Result views: a SPARQL JSON result drawn as a bar or line chart, a timeline, a map (points by
// coordinates, else countries by code) or a network, for the query page (as YASR plugins, query.js)
// and the saved query pages (saved.js).
// Charts, timeline and map are Vega-Lite through vega-embed, the network cytoscape (both vendored, and
// loaded from this server when a view first needs them), drawn as SVG with expressions interpreted
// (ast: true), since the Content-Security-Policy refuses code built from strings. Labels come from the
// result's own label columns, else from one query to this server's /sparql in the reader's language;
// every mark links to the resource's page.
(function () {
  "use strict";

  var BASE = "https://w3id.org/coopgraph/";
  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var NUMERIC = ["integer", "decimal", "double", "float", "int", "long", "short", "nonNegativeInteger",
    "positiveInteger", "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong"];
  var DATE = /^-?\d{4}(-\d{2}(-\d{2})?)?([T ].*)?$/;
  //: The views, in the order they are offered; WDQS's #defaultView names map onto them.
  var VIEWS = ["table", "bar", "line", "timeline", "map", "network"];
  var WDQS = {
    table: "table", barchart: "bar", bar: "bar", linechart: "line", line: "line",
    timeline: "timeline", map: "map", graph: "network", network: "network",
  };
  var TITLES = {
    en: { table: "Table", bar: "Bar chart", line: "Line chart", timeline: "Timeline", map: "Map", network: "Network" },
    vi: { table: "Bảng", bar: "Biểu đồ cột", line: "Biểu đồ đường", timeline: "Dòng thời gian", map: "Bản đồ", network: "Mạng lưới" },
    fr: { table: "Tableau", bar: "Histogramme", line: "Courbe", timeline: "Chronologie", map: "Carte", network: "Réseau" },
  };

  function defaultView(queryText) {
    var match = /^\s*#\s*defaultView\s*:\s*([A-Za-z]+)/m.exec(queryText || "");
    return match ? WDQS[match[1].toLowerCase()] || null : null;
  }

  function readerLanguage(config) {
    if (config && config.lang) return config.lang;
    var given = new URLSearchParams(window.location.search).get("lang");
    if (given) return given;
    return (navigator.language || "en").split("-")[0].toLowerCase();
  }

  function title(view, lang) {
    return (TITLES[lang] || TITLES.en)[view];
  }

  // The page of a resource the project mints (served by this server), else null: no mark leads away.
  function resourceHref(root, iri) {
    if (typeof iri !== "string" || iri.indexOf(BASE) !== 0) return null;
    var rest = iri.slice(BASE.length);
    if (rest.indexOf("ontology#") === 0) return root + "/ontology#" + rest.slice("ontology#".length);
    return root + "/" + rest;
  }

  function kindOf(term) {
    if (!term) return null;
    if (term.type === "uri") return "iri";
    if (term.type === "bnode") return "bnode";
    var datatype = term.datatype || "";
    if (datatype.indexOf(XSD) === 0) {
      var local = datatype.slice(XSD.length);
      if (NUMERIC.indexOf(local) >= 0) return "number";
      if (["date", "dateTime", "gYear", "gYearMonth", "dateTimeStamp"].indexOf(local) >= 0) return "date";
    }
    return "text";
  }

  // Each variable's kind: the kind of its first bound value.
  function columns(result) {
    var vars = (result.head && result.head.vars) || [];
    var rows = (result.results && result.results.bindings) || [];
    return vars.map(function (name) {
      var kind = null;
      for (var i = 0; i < rows.length && !kind; i++) kind = kindOf(rows[i][name]);
      return { name: name, kind: kind || "empty" };
    });
  }

  function first(cols, kind, skip) {
    for (var i = 0; i < cols.length; i++) {
      if (cols[i].kind === kind && (skip || []).indexOf(cols[i].name) < 0) return cols[i].name;
    }
    return null;
  }

  // Labels for the IRIs of a result, in the reader's language (English, then any, as fallbacks).
  function fetchLabels(endpoint, result, lang) {
    var rows = (result.results && result.results.bindings) || [];
    var seen = {};
    var iris = [];
    rows.forEach(function (row) {
      Object.keys(row).forEach(function (name) {
        var term = row[name];
        if (term.type === "uri" && !seen[term.value] && iris.length < 2000) {
          seen[term.value] = true;
          iris.push(term.value);
        }
      });
    });
    if (!iris.length || !endpoint) return Promise.resolve({});
    var query =
      "SELECT ?s ?label WHERE { VALUES ?s { " +
      iris.map(function (iri) { return "<" + iri.replace(/[<>"{}|^`\\\s]/g, "") + ">"; }).join(" ") +
      " } ?s <http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel> ?label }";
    var body = new URLSearchParams({ query: query });
    return fetch(endpoint, {
      method: "POST",
      body: body,
      headers: { Accept: "application/sparql-results+json" },
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        var found = {};
        var rank = {};
        ((answer && answer.results && answer.results.bindings) || []).forEach(function (row) {
          var tag = (row.label["xml:lang"] || "").toLowerCase();
          var score = tag === lang ? 3 : tag === "en" ? 2 : tag === "" ? 1 : 0;
          var iri = row.s.value;
          if (!(iri in rank) || score > rank[iri]) {
            rank[iri] = score;
            found[iri] = row.label.value;
          }
        });
        return found;
      })
      .catch(function () { return {}; });
  }

  function localName(iri) {
    var cut = Math.max(iri.lastIndexOf("/"), iri.lastIndexOf("#"));
    return cut >= 0 && cut < iri.length - 1 ? iri.slice(cut + 1) : iri;
  }

  // The text a cell shows: a label column beside an IRI (?xLabel, ?xName), a fetched label, the value.
  function labeller(labels) {
    return function (row, name) {
      var term = row[name];
      if (!term) return "";
      if (term.type !== "uri") return term.value;
      var beside = row[name + "Label"] || row[name + "Name"] || row[name + "_label"];
      if (beside) return beside.value;
      return labels[term.value] || localName(term.value);
    };
  }

  // A date's lexical form as a JavaScript date: "2025" and "2025-04" stand for their first day.
  function toDate(value) {
    var match = /^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(value || "");
    if (!match) return null;
    return new Date(Date.UTC(+match[1], match[2] ? +match[2] - 1 : 0, match[3] ? +match[3] : 1));
  }

  function embedOptions() {
    return {
      renderer: "svg",
      ast: true, // interpret expressions: no Function(), which the Content-Security-Policy refuses
      actions: { export: true, source: false, compiled: false, editor: false },
      tooltip: true,
    };
  }

  function nothing(el, message) {
    var p = document.createElement("p");
    p.className = "cg-view-empty";
    p.textContent = message;
    el.appendChild(p);
    return Promise.resolve({ marks: 0 });
  }

  // The drawing libraries, loaded from this server the first time a view needs them, so that a page that
  // shows only the table does not load them (about 1.2 MB of scripts). In order: vega-lite needs vega.
  var LIBRARIES = {
    vega: { global: "vegaEmbed", scripts: ["vega/vega.min.js", "vega-lite/vega-lite.min.js", "vega-embed/vega-embed.min.js"] },
    cytoscape: { global: "cytoscape", scripts: ["cytoscape/cytoscape.min.js"] },
  };
  var loading = {};

  function script(src) {
    return new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = src;
      tag.onload = resolve;
      tag.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(tag);
    });
  }

  function library(name, root) {
    var wanted = LIBRARIES[name];
    if (window[wanted.global]) return Promise.resolve();
    if (!loading[name]) {
      loading[name] = wanted.scripts.reduce(function (previous, path) {
        return previous.then(function () { return script(root + "/static/vendor/" + path); });
      }, Promise.resolve());
      loading[name].catch(function () { delete loading[name]; });
    }
    return loading[name];
  }

  function embed(el, spec, marks) {
    var box = document.createElement("div");
    box.className = "cg-view-chart";
    el.appendChild(box);
    return window.vegaEmbed(box, spec, embedOptions()).then(function (embedded) {
      el.cgVegaView = embedded.view;
      return { marks: marks, view: embedded.view };
    });
  }

  function chartRows(result, label, opts) {
    var cols = columns(result);
    var value = first(cols, "number");
    if (!value) return null;
    var category = first(cols, "iri") || first(cols, "text") || first(cols, "date");
    if (!category) return null;
    var rows = (result.results.bindings || [])
      .filter(function (row) { return row[value] && !isNaN(+row[value].value); })
      .map(function (row) {
        var term = row[category];
        return {
          category: label(row, category),
          value: +row[value].value,
          href: term ? resourceHref(opts.root, term.value) : null,
        };
      });
    return { rows: rows, category: category, value: value };
  }

  function drawBar(el, result, label, opts) {
    var data = chartRows(result, label, opts);
    if (!data || !data.rows.length) return nothing(el, "A bar chart needs a column of numbers and a column to name them.");
    return embed(el, {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      data: { values: data.rows },
      mark: { type: "bar", cursor: "pointer" },
      width: "container",
      height: 300,
      encoding: {
        x: { field: "category", type: "nominal", sort: null, title: data.category, axis: { labelAngle: -40, labelLimit: 160 } },
        y: { field: "value", type: "quantitative", title: data.value },
        href: { field: "href" },
        tooltip: [{ field: "category", title: data.category }, { field: "value", title: data.value }],
      },
    }, data.rows.length);
  }

  function drawLine(el, result, label, opts) {
    var cols = columns(result);
    var value = first(cols, "number");
    var x = first(cols, "date") || first(cols, "number", [value]) || first(cols, "iri") || first(cols, "text");
    if (!value || !x) return nothing(el, "A line chart needs a column of numbers and a column to run along.");
    var xKind = cols.filter(function (c) { return c.name === x; })[0].kind;
    var rows = result.results.bindings
      .filter(function (row) { return row[value] && row[x]; })
      .map(function (row) {
        return {
          x: xKind === "date" ? toDate(row[x].value) : xKind === "number" ? +row[x].value : label(row, x),
          value: +row[value].value,
          href: resourceHref(opts.root, row[x].value),
        };
      });
    if (!rows.length) return nothing(el, "No row has both values.");
    return embed(el, {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      data: { values: rows },
      width: "container",
      mark: { type: "line", point: { filled: true, size: 60, cursor: "pointer" } },
      encoding: {
        x: {
          field: "x",
          type: xKind === "date" ? "temporal" : xKind === "number" ? "quantitative" : "ordinal",
          sort: xKind === "date" || xKind === "number" ? "ascending" : null,
          title: x,
        },
        y: { field: "value", type: "quantitative", title: value },
        href: { field: "href" },
        tooltip: [{ field: "x", title: x, type: xKind === "date" ? "temporal" : "nominal" }, { field: "value", title: value }],
      },
    }, rows.length);
  }

  function drawTimeline(el, result, label, opts) {
    var cols = columns(result);
    var date = first(cols, "date");
    if (!date) {
      // dates as plain strings ("2025-04"), as some queries give them
      date = cols.map(function (c) { return c.name; }).filter(function (name) {
        return result.results.bindings.some(function (row) { return row[name] && DATE.test(row[name].value); });
      })[0];
    }
    if (!date) return nothing(el, "A timeline needs a column of dates.");
    var item = first(cols, "iri", [date]) || first(cols, "text", [date]);
    // rows on a line each for the values of a short text column (what kind of event), if there is one
    var group = cols.map(function (c) { return c.name; }).filter(function (name) {
      if (name === date || name === item) return false;
      var values = {};
      result.results.bindings.forEach(function (row) { if (row[name] && row[name].type !== "uri") values[row[name].value] = true; });
      var count = Object.keys(values).length;
      return count > 0 && count <= 12;
    })[0];
    var rows = result.results.bindings
      .filter(function (row) { return row[date] && toDate(row[date].value); })
      .map(function (row) {
        return {
          date: toDate(row[date].value),
          when: row[date].value,
          item: item ? label(row, item) : row[date].value,
          group: group && row[group] ? row[group].value : "",
          href: item && row[item] ? resourceHref(opts.root, row[item].value) : null,
        };
      });
    if (!rows.length) return nothing(el, "No row has a date.");
    var lanes = {};
    rows.forEach(function (r) { lanes[r.group] = true; });
    return embed(el, {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      data: { values: rows },
      width: "container",
      height: Math.max(80, 36 * Object.keys(lanes).length),
      mark: { type: "circle", size: 140, opacity: 0.8, cursor: "pointer" },
      encoding: {
        x: { field: "date", type: "temporal", title: date },
        y: { field: "group", type: "nominal", title: group || null, axis: group ? {} : null },
        color: { field: "group", type: "nominal", legend: null },
        href: { field: "href" },
        tooltip: [{ field: "when", title: date }, { field: "item", title: item || date }, { field: "group", title: group || "" }],
      },
    }, rows.length);
  }

  // The alpha-2 code a cell stands for: a country concept's IRI (.../vocab/country/vn) or a code.
  function countryCode(term) {
    if (!term) return null;
    var value = term.value;
    if (term.type === "uri") {
      var match = /\/vocab\/country\/([a-z]{2})$/.exec(value);
      return match ? match[1].toUpperCase() : null;
    }
    return /^[A-Za-z]{2}$/.test(value) ? value.toUpperCase() : null;
  }

  var WKT_POINT = /^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*(-?[\d.]+(?:[eE]-?\d+)?)\s+(-?[\d.]+(?:[eE]-?\d+)?)\s*\)\s*$/i;

  // [longitude, latitude] of a row: from a WKT point ("Point(105.85 21.03)", as geo:asWKT and the
  // Wikidata Query Service give them) or from two number columns named lat/latitude and long/lon/longitude.
  function coordinatesOf(cols, rows) {
    var names = cols.map(function (c) { return c.name; });
    var wkt = names.filter(function (name) {
      return rows.some(function (row) { return row[name] && row[name].type !== "uri" && WKT_POINT.test(row[name].value); });
    })[0];
    if (wkt) {
      return { columns: [wkt], at: function (row) {
        var m = row[wkt] && WKT_POINT.exec(row[wkt].value);
        return m ? [+m[1], +m[2]] : null;
      } };
    }
    var lat = names.filter(function (n) { return /^lat(itude)?$/i.test(n); })[0];
    var lon = names.filter(function (n) { return /^(long|lon|lng|longitude)$/i.test(n); })[0];
    if (!lat || !lon) return null;
    return { columns: [lat, lon], at: function (row) {
      if (!row[lat] || !row[lon]) return null;
      var point = [+row[lon].value, +row[lat].value];
      return isFinite(point[0]) && isFinite(point[1]) && Math.abs(point[1]) <= 90 && Math.abs(point[0]) <= 180 ? point : null;
    } };
  }

  // Points (cities and anything else with coordinates) on the bundled world outline, one per place.
  function drawPoints(el, cols, rowsIn, coordinates, label, opts) {
    var value = first(cols, "number", coordinates.columns);
    var place = first(cols, "iri");
    var nameColumn = first(cols, "text", coordinates.columns);
    var byPlace = {};
    rowsIn.forEach(function (row) {
      var at = coordinates.at(row);
      if (!at) return;
      var key = at.join(" ");
      var entry = byPlace[key] || (byPlace[key] = {
        longitude: at[0],
        latitude: at[1],
        name: nameColumn && row[nameColumn] ? row[nameColumn].value : place && row[place] ? label(row, place) : key,
        href: place && row[place] ? resourceHref(opts.root, row[place].value) : null,
        value: 0,
      });
      entry.value += value && row[value] ? +row[value].value : 1;
    });
    var points = Object.keys(byPlace).map(function (k) { return byPlace[k]; });
    if (!points.length) return nothing(el, "No row has coordinates.");
    return loadAtlas(opts.root).then(function (atlas) {
      return embed(el, worldMap(atlas, {
        name: "points",
        data: { values: points },
        mark: { type: "circle", color: "#c0392b", opacity: 0.85, stroke: "#ffffff", strokeWidth: 1, cursor: "pointer" },
        encoding: {
          longitude: { field: "longitude", type: "quantitative" },
          latitude: { field: "latitude", type: "quantitative" },
          size: { field: "value", type: "quantitative", title: value || "rows", scale: { range: [60, 600] }, legend: value ? {} : null },
          href: { field: "href" },
          tooltip: [{ field: "name", title: "place" }, { field: "value", title: value || "rows" }],
        },
      }), points.length);
    });
  }

  // The bundled world outline (no tile server), and a map of it with one more layer drawn over it.
  function loadAtlas(root) {
    return fetch(root + "/static/vendor/world-atlas/countries-110m.json").then(function (r) { return r.json(); });
  }

  function worldMap(atlas, layer) {
    return {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      width: "container",
      height: 420,
      projection: { type: "equalEarth" },
      layer: [
        {
          data: { values: atlas, format: { type: "topojson", feature: "countries" } },
          mark: { type: "geoshape", fill: "#e8e8e8", stroke: "#ffffff", strokeWidth: 0.5 },
        },
        layer,
      ],
    };
  }

  function drawMap(el, result, label, opts) {
    var cols = columns(result);
    var rowsIn = result.results.bindings;
    var coordinates = coordinatesOf(cols, rowsIn);
    if (coordinates) return drawPoints(el, cols, rowsIn, coordinates, label, opts);
    var codeColumn = cols.map(function (c) { return c.name; }).filter(function (name) {
      var some = rowsIn.some(function (row) { return countryCode(row[name]); });
      return some && rowsIn.every(function (row) { return !row[name] || countryCode(row[name]); });
    })[0];
    if (!codeColumn) {
      return nothing(el, "A map needs coordinates (lat and long, or a WKT point) or a column of countries (ISO 3166-1 codes or country IRIs).");
    }
    var value = first(cols, "number");
    var nameColumn = first(cols, "text", [codeColumn]);
    var root = opts.root;
    return Promise.all([
      loadAtlas(root),
      fetch(root + "/static/vendor/iso-3166/codes.json").then(function (r) { return r.json(); }),
    ]).then(function (loaded) {
      var atlas = loaded[0];
      var numeric = {};
      loaded[1].forEach(function (row) { numeric[row[0]] = row[2]; });
      var byId = {};
      rowsIn.forEach(function (row) {
        var code = countryCode(row[codeColumn]);
        var id = code && numeric[code];
        if (!id) return;
        var entry = byId[id] || (byId[id] = {
          id: id,
          code: code,
          name: nameColumn && row[nameColumn] ? row[nameColumn].value : label(row, codeColumn),
          value: 0,
          href: row[codeColumn].type === "uri"
            ? resourceHref(root, row[codeColumn].value)
            : resourceHref(root, BASE + "vocab/country/" + code.toLowerCase()),
        });
        entry.value += value && row[value] ? +row[value].value : 1;
      });
      var matched = atlas.objects.countries.geometries.filter(function (g) { return byId[g.id]; }).length;
      var spec = worldMap(atlas, {
        name: "countries",
        data: { values: atlas, format: { type: "topojson", feature: "countries" } },
        transform: [
          { lookup: "id", from: { data: { values: Object.keys(byId).map(function (k) { return byId[k]; }) }, key: "id", fields: ["name", "value", "href", "code"] } },
          { filter: "datum.value != null" },
        ],
        mark: { type: "geoshape", stroke: "#ffffff", strokeWidth: 0.5, cursor: "pointer" },
        encoding: {
          color: { field: "value", type: "quantitative", title: value || "rows", scale: { scheme: "blues" } },
          href: { field: "href" },
          tooltip: [{ field: "name", title: "country" }, { field: "value", title: value || "rows" }],
        },
      });
      return embed(el, spec, matched);
    });
  }

  function drawNetwork(el, result, label, opts) {
    var cols = columns(result);
    var source = first(cols, "iri");
    var target = first(cols, "iri", [source]);
    if (!source || !target) return nothing(el, "A network needs two columns of IRIs.");
    var edgeLabel = first(cols, "text");
    var nodes = {};
    var edges = [];
    result.results.bindings.forEach(function (row, i) {
      if (!row[source] || !row[target] || row[source].type !== "uri" || row[target].type !== "uri") return;
      [source, target].forEach(function (name) {
        var iri = row[name].value;
        if (!nodes[iri]) {
          nodes[iri] = { data: { id: iri, label: label(row, name), href: resourceHref(opts.root, iri) || "" } };
        }
      });
      edges.push({
        data: {
          id: "e" + i,
          source: row[source].value,
          target: row[target].value,
          label: edgeLabel && row[edgeLabel] ? row[edgeLabel].value : "",
        },
      });
    });
    var elements = Object.keys(nodes).map(function (k) { return nodes[k]; }).concat(edges);
    if (!edges.length) return nothing(el, "No row has both IRIs.");
    var box = document.createElement("div");
    box.className = "cg-view-network";
    el.appendChild(box);
    var cy = window.cytoscape({
      container: box,
      elements: elements,
      // labels count in the layout, so that names do not overlap; not randomised: the same drawing each time
      layout: {
        name: "cose", animate: false, randomize: false, nodeDimensionsIncludeLabels: true,
        idealEdgeLength: function () { return 90; }, nodeRepulsion: function () { return 400000; },
      },
      style: [
        { selector: "node", style: { label: "data(label)", "font-size": 11, "background-color": "#2a6f97", color: "#1b1b1b", "text-wrap": "wrap", "text-max-width": 140, width: 18, height: 18 } },
        { selector: "edge", style: { width: 1.5, "line-color": "#9bb7c9", "curve-style": "bezier" } },
      ],
    });
    cy.on("tap", "node", function (event) {
      var href = event.target.data("href");
      if (href) window.location.href = href;
    });
    el.cgCytoscape = cy;
    return Promise.resolve({ marks: cy.nodes().length, edges: cy.edges().length, cy: cy });
  }

  var DRAW = { bar: drawBar, line: drawLine, timeline: drawTimeline, map: drawMap, network: drawNetwork };

  // Draws ``view`` of ``result`` into ``el`` (emptied first). opts: root, endpoint, lang, labels.
  function draw(el, view, result, opts) {
    opts = opts || {};
    el.innerHTML = "";
    if (el.cgCytoscape) { el.cgCytoscape.destroy(); el.cgCytoscape = null; }
    if (el.cgVegaView) { el.cgVegaView.finalize(); el.cgVegaView = null; }
    el.dataset.view = view;
    el.dataset.marks = "";
    var root = opts.root || "";
    var ready = Promise.all([
      opts.labels ? Promise.resolve(opts.labels) : fetchLabels(opts.endpoint, result, opts.lang || "en"),
      library(view === "network" ? "cytoscape" : "vega", root),
    ]);
    return ready
      .then(function (loaded) { return DRAW[view](el, result, labeller(loaded[0]), { root: root }); })
      .then(function (drawn) {
        el.dataset.marks = String(drawn.marks);
        return drawn;
      });
  }

  window.CoopgraphViews = {
    VIEWS: VIEWS,
    CHARTS: ["bar", "line", "timeline", "map", "network"],
    defaultView: defaultView,
    readerLanguage: readerLanguage,
    title: title,
    resourceHref: resourceHref,
    fetchLabels: fetchLabels,
    draw: draw,
  };
})();
