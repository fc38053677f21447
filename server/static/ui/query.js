// The coopgraph query page: YASGUI (vendored, see vendor/yasgui/VENDORED.md) on this server's SPARQL endpoint.
// Nothing here, nor in YASGUI as configured below, asks any host but the page's own.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("cg-config").textContent);
  // YASGUI parses the endpoint with new URL(), so it wants an absolute one: this page's origin.
  var endpoint = new URL(config.endpoint, window.location.href).href;

  // Completers that stay on this server: prefixes (YASQE's bundled list; prefixCcApi stays null, so no
  // prefix.cc), variables, and classes, properties and entities from this server's data (completion.js).
  // YASQE's own "class" and "property" completers ask lov.linkeddata.es: left out.
  // Set on the defaults, since YASGUI merges arrays index by index and a shorter list would not replace them.
  var localCompleters = window.CoopgraphCompletion.setup({
    endpoint: endpoint,
    search: new URL(config.search, window.location.href).href,
    lang: config.lang,
  });
  Yasgui.Yasqe.defaults.autocompleters = localCompleters.slice();
  Yasgui.defaults.yasqe.autocompleters = localCompleters.slice();
  Yasgui.Yasqe.defaults.prefixCcApi = null;

  // The result views (views.js) as YASR plugins beside the table: picked by the reader from YASR's
  // buttons, or by a "#defaultView:" comment in the query, as the Wikidata Query Service does.
  // Without views.js (a table-only page) the table alone is offered.
  var Views = window.CoopgraphViews || null;
  var lang = Views ? Views.readerLanguage(config) : config.lang || "en";
  function viewPlugin(view) {
    function Plugin(yasr) {
      this.yasr = yasr;
      this.priority = 1;
      this.label = Views.title(view, lang);
    }
    Plugin.prototype.canHandleResults = function () {
      var results = this.yasr.results;
      return !!(results && results.getVariables && results.getVariables() && results.getVariables().length);
    };
    Plugin.prototype.getIcon = function () {
      var icon = document.createElement("span");
      icon.className = "cg-view-icon cg-view-icon-" + view;
      return icon;
    };
    Plugin.prototype.draw = function () {
      var box = document.createElement("div");
      box.className = "cg-view";
      this.yasr.resultsEl.appendChild(box);
      return Views.draw(box, view, this.yasr.results.getAsJson(), { root: config.root, endpoint: endpoint, lang: lang });
    };
    return Plugin;
  }
  if (Views) {
    Views.CHARTS.forEach(function (view) {
      Yasgui.Yasr.registerPlugin(view, viewPlugin(view));
    });
    Yasgui.Yasr.defaults.pluginOrder = ["table"].concat(Views.CHARTS, ["response"]);
  }

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    persistenceId: config.persistenceId,
    tabName: "Query",
    // The catalogue offers this server only (the default offers DBpedia and Wikidata).
    endpointCatalogueOptions: {
      getData: function () {
        return [{ endpoint: endpoint }];
      },
      keys: [],
    },
    copyEndpointOnNewTab: true,
    corsProxy: undefined,
    requestConfig: {
      endpoint: endpoint,
      method: config.method,
    },
    yasqe: {
      value: config.defaultQuery,
      prefixCcApi: null,
      // The PREFIX lines fold into one, so the query itself shows first; the gutter arrow unfolds them.
      collapsePrefixesOnLoad: true,
      editorHeight: "360px",
    },
    yasr: {
      defaultPlugin: "table",
    },
  });
  window.coopgraphYasgui = yasgui;

  // The query builder (builder.js): its query goes into the editor, to run and save as any other.
  window.coopgraphBuilder = window.CoopgraphBuilder && window.CoopgraphBuilder.setup({
    schema: config.schema,
    search: config.search,
    prefixes: config.prefixes,
    lang: lang,
    yasgui: yasgui,
  });

  // "#defaultView:BarChart" (or Table, LineChart, Timeline, Map, Graph) chooses the view a query's
  // answer is drawn with; a query without one keeps the reader's choice.
  yasgui.on("query", function (instance, tab) {
    var view = Views && Views.defaultView(tab.getQuery());
    if (view) tab.getYasr().selectPlugin(view);
  });

  // Downloads of the answer with a label beside each IRI: the server runs the query again, read-only.
  function download(format) {
    var tab = yasgui.getTab();
    var body = new URLSearchParams({ query: tab.getQuery(), format: format, lang: lang });
    fetch(config.download, { method: "POST", body: body })
      .then(function (response) {
        if (!response.ok) throw new Error("download: " + response.status);
        return response.blob();
      })
      .then(function (blob) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = "results." + format;
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
      })
      .catch(function (error) { window.alert(error.message); });
  }
  document.querySelectorAll("[data-cg-download]").forEach(function (button) {
    button.addEventListener("click", function () { download(button.dataset.cgDownload); });
  });

  // The saved queries, offered as examples. No list (404, an error, another shape): no examples, no message.
  var section = document.getElementById("cg-examples");
  var list = document.getElementById("cg-example-list");

  function openExample(saved) {
    yasgui.addTab(true, {
      name: saved.title || saved.name,
      yasqe: { value: saved.query },
      requestConfig: { endpoint: endpoint, method: config.method },
    });
  }

  function describe(saved) {
    var parts = [];
    if (saved.description) parts.push(saved.description);
    if (Array.isArray(saved.parameters) && saved.parameters.length) {
      var names = saved.parameters.map(function (p) {
        return typeof p === "string" ? p : p && p.name;
      });
      parts.push("Parameters: " + names.filter(Boolean).join(", "));
    }
    return parts.join("\n");
  }

  function showExamples(data) {
    var queries = data && Array.isArray(data.queries) ? data.queries : [];
    queries.forEach(function (saved) {
      if (!saved || typeof saved.query !== "string" || !saved.query.trim()) return;
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "cg-example";
      button.textContent = saved.title || saved.name || "query";
      if (saved.name) button.dataset.name = saved.name;
      var tip = describe(saved);
      if (tip) button.title = tip;
      button.addEventListener("click", function () {
        openExample(saved);
      });
      item.appendChild(button);
      list.appendChild(item);
    });
    if (list.children.length) section.hidden = false;
  }

  fetch(config.queries, { headers: { Accept: "application/json" } })
    .then(function (response) {
      return response.ok ? response.json() : null;
    })
    .then(showExamples)
    .catch(function () {
      /* no saved queries: no examples */
    });
})();
