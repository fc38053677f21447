// The query builder, for people who do not write SPARQL: pick a class, put conditions on its properties
// (a value from a vocabulary, a resource found by the search index, a date from the date picker, a number,
// some text), pick the columns; it writes an ordinary SPARQL query into the editor, which runs and saves
// as any other. What each class has comes from /query/schema (the ontology and the shapes, as stored).
(function () {
  "use strict";

  var LABEL = "rdfs:label|skos:prefLabel";

  // --- the SPARQL text ------------------------------------------------------------------------------------
  function iriTerm(iri, prefixes) {
    var best = "";
    Object.keys(prefixes).forEach(function (prefix) {
      var ns = prefixes[prefix];
      var local = iri.slice(ns.length);
      if (iri.indexOf(ns) === 0 && /^[A-Za-z_][\w-]*$/.test(local) && ns.length > (prefixes[best] || "").length) {
        best = prefix;
      }
    });
    return best ? best + ":" + iri.slice(prefixes[best].length) : "<" + iri + ">";
  }

  function literal(text) {
    return JSON.stringify(String(text));
  }

  // The first and the last day a partial date (a year, a month or a day) stands for, as text.
  function span(variable, end) {
    var s = "STR(" + variable + ")";
    var year = end ? '"-12-31"' : '"-01-01"';
    var month = end ? '"-31"' : '"-01"';
    return (
      "IF(STRLEN(" + s + ") = 4, CONCAT(" + s + ", " + year + "), IF(STRLEN(" + s + ") = 7, CONCAT(" + s + ", " +
      month + "), SUBSTR(" + s + ", 1, 10)))"
    );
  }

  function variableNames(properties) {
    var taken = { item: 1, itemLabel: 1 };
    var names = {};
    properties.forEach(function (p) {
      if (names[p.iri]) return;
      var base = (p.iri.split(/[#/]/).pop() || "value").replace(/[^A-Za-z0-9_]/g, "_");
      if (!/^[A-Za-z_]/.test(base)) base = "v" + base;
      var name = base, n = 2;
      while (taken[name] || taken[name + "Label"]) name = base + n++;
      taken[name] = taken[name + "Label"] = 1;
      names[p.iri] = name;
    });
    return names;
  }

  // The label of subject in the reader's language, else in English: OPTIONAL lines (indented by
  // indent, to nest them where subject is bound), and the BIND that names it.
  function labelLines(subject, target, lang, indent) {
    var lines = [indent + "OPTIONAL { " + subject + " " + LABEL + " " + target + "L FILTER (LANG(" + target + "L) = " + literal(lang) + ") }"];
    if (lang !== "en") {
      lines.push(indent + "OPTIONAL { " + subject + " " + LABEL + " " + target + "E FILTER (LANG(" + target + 'E) = "en") }');
      return { optional: lines, bind: "  BIND (COALESCE(" + target + "L, " + target + "E) AS " + target + ")" };
    }
    return { optional: lines, bind: "  BIND (" + target + "L AS " + target + ")" };
  }

  // spec: {cls, subclasses, conditions: [{property, kind, op, value}], columns: [property], lang}
  function toSparql(spec, prefixes) {
    var term = function (iri) { return iriTerm(iri, prefixes); };
    var used = spec.conditions.map(function (c) { return c.property; }).concat(spec.columns);
    var names = variableNames(used);
    var lines = [];
    var head = ["?item", "?itemLabel"];
    lines.push("  ?item " + (spec.subclasses ? "a/rdfs:subClassOf* " : "a ") + term(spec.cls.iri) + " .");
    spec.conditions.forEach(function (c) {
      var v = "?" + names[c.property.iri];
      var p = term(c.property.iri);
      var value = c.value;
      if ((c.kind === "concept" || c.kind === "resource") && value) {
        lines.push("  ?item " + p + " " + term(value) + " .");
        return;
      }
      lines.push("  ?item " + p + " " + v + " .");
      if (value === "" || value === null || value === undefined) return;
      if (c.kind === "date") {
        if (c.op === "from") lines.push("  FILTER (" + span(v, true) + " >= " + literal(value) + ")");
        else if (c.op === "until") lines.push("  FILTER (" + span(v, false) + " <= " + literal(value) + ")");
        else lines.push("  FILTER (" + span(v, false) + " <= " + literal(value) + " && " + span(v, true) + " >= " + literal(value) + ")");
      } else if (c.kind === "number") {
        var op = { min: ">=", max: "<=", eq: "=" }[c.op] || "=";
        if (isFinite(Number(value))) lines.push("  FILTER (" + v + " " + op + " " + Number(value) + ")");
      } else {
        lines.push("  FILTER (CONTAINS(LCASE(STR(" + v + ")), LCASE(" + literal(value) + ")))");
      }
    });
    var itemLabel = labelLines("?item", "?itemLabel", spec.lang, "  ");
    lines.push.apply(lines, itemLabel.optional.concat([itemLabel.bind]));
    spec.columns.forEach(function (prop) {
      var v = "?" + names[prop.iri];
      var triple = "?item " + term(prop.iri) + " " + v;
      head.push(v);
      if (prop.kind === "concept" || prop.kind === "resource") {
        // the value's label inside the value's OPTIONAL: an unbound value must not match every label
        var label = labelLines(v, v + "Label", spec.lang, "    ");
        lines.push("  OPTIONAL {\n    " + triple + " .\n" + label.optional.join("\n") + "\n  }");
        lines.push(label.bind);
        head.push(v + "Label");
      } else {
        lines.push("  OPTIONAL { " + triple + " }");
      }
    });
    var body = "SELECT DISTINCT " + head.join(" ") + " WHERE {\n" + lines.join("\n") + "\n}\nORDER BY STR(?itemLabel) ?item\nLIMIT 1000";
    // PREFIX lines for the prefixes the query uses, and those only
    var prologue = Object.keys(prefixes)
      .filter(function (p) { return new RegExp("(^|[\\s(/|^*])" + p + ":").test(body); })
      .map(function (p) { return "PREFIX " + p + ": <" + prefixes[p] + ">\n"; })
      .join("");
    var title = spec.cls.label + (spec.conditions.length ? ", where " + spec.conditions.map(describe).join(" and ") : "");
    return prologue + "# " + title.replace(/\n/g, " ") + "\n" + body;
  }

  function describe(c) {
    var what = c.property.label;
    if (c.value === "" || c.value === undefined || c.value === null) return what + " is given";
    var shown = c.valueLabel || c.value;
    var op = { from: "on or after", until: "on or before", on: "on", min: "at least", max: "at most", eq: "=", contains: "contains" }[c.op];
    return what + " " + (op || "is") + " " + shown;
  }

  // --- the form -------------------------------------------------------------------------------------------
  function element(tag, attrs, text) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function option(value, text) {
    var o = element("option", { value: value }, text);
    return o;
  }

  function setup(options) {
    var root = document.getElementById("cg-builder");
    if (!root) return null;
    var schema = null;
    var classSelect = root.querySelector("#cg-builder-class");
    var subclasses = root.querySelector("#cg-builder-subclasses");
    var conditionList = root.querySelector("#cg-builder-conditions");
    var columnList = root.querySelector("#cg-builder-columns");
    var status = root.querySelector("#cg-builder-status");
    var otherColumn = root.querySelector("#cg-builder-other-column");

    function currentClass() {
      return schema && schema.classes.filter(function (c) { return c.iri === classSelect.value; })[0];
    }

    // The class's own properties first, then every other property of the ontology and the shapes.
    function propertiesOf(cls) {
      var own = {};
      cls.properties.forEach(function (p) { own[p.iri] = true; });
      return {
        own: cls.properties,
        other: schema.properties.filter(function (p) { return !own[p.iri]; }),
      };
    }

    function findProperty(iri) {
      var cls = currentClass();
      return cls.properties.concat(schema.properties).filter(function (p) { return p.iri === iri; })[0];
    }

    function propertySelect(cls) {
      var select = element("select", { class: "cg-cond-property", "aria-label": "Property" });
      var groups = propertiesOf(cls);
      select.appendChild(option("", "— property —"));
      [["Of this class", groups.own], ["Other properties", groups.other]].forEach(function (pair) {
        if (!pair[1].length) return;
        var group = element("optgroup", { label: pair[0] });
        pair[1].forEach(function (p) {
          var o = option(p.iri, p.label + " (" + p.name + ")");
          group.appendChild(o);
        });
        select.appendChild(group);
      });
      return select;
    }

    // The value control of a condition, by the property's kind.
    function valueControl(row, prop) {
      var box = row.querySelector(".cg-cond-input");
      box.textContent = "";
      row.dataset.kind = prop ? prop.kind : "";
      delete row.dataset.value;
      delete row.dataset.valueLabel;
      if (!prop) return;
      if (prop.kind === "concept") {
        var select = element("select", { class: "cg-cond-value", "aria-label": "Value" });
        select.appendChild(option("", "— any value —"));
        var scheme = schema.schemes[prop.scheme] || { concepts: [] };
        scheme.concepts.forEach(function (c) { select.appendChild(option(c.iri, c.label)); });
        box.appendChild(select);
      } else if (prop.kind === "resource") {
        var input = element("input", { type: "search", class: "cg-cond-search", placeholder: "find by name", "aria-label": "Find a value by name", autocomplete: "off" });
        var chosen = element("span", { class: "cg-cond-chosen" });
        var hits = element("ul", { class: "cg-cond-hits", role: "listbox" });
        hits.hidden = true;
        var asked = 0, timer = null;
        input.addEventListener("input", function () {
          clearTimeout(timer);
          timer = setTimeout(function () {
            var text = input.value.trim();
            var mine = ++asked;
            if (!text) { hits.hidden = true; return; }
            fetch(options.search + "?format=json&limit=8&lang=" + encodeURIComponent(options.lang) + "&q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
              .then(function (r) { return r.ok ? r.json() : { results: [] }; })
              .then(function (found) {
                if (mine !== asked) return;
                hits.textContent = "";
                (found.results || []).forEach(function (hit) {
                  var item = element("li");
                  var button = element("button", { type: "button", class: "cg-cond-hit", "data-iri": hit.iri }, hit.label);
                  button.addEventListener("click", function () {
                    row.dataset.value = hit.iri;
                    row.dataset.valueLabel = hit.label;
                    chosen.textContent = hit.label;
                    input.value = "";
                    hits.hidden = true;
                  });
                  item.appendChild(button);
                  hits.appendChild(item);
                });
                hits.hidden = !hits.children.length;
              })
              .catch(function () { hits.hidden = true; });
          }, 120);
        });
        box.appendChild(input);
        box.appendChild(chosen);
        box.appendChild(hits);
      } else if (prop.kind === "date" || prop.kind === "number") {
        var ops = prop.kind === "date"
          ? [["from", "on or after"], ["until", "on or before"], ["on", "on"]]
          : [["min", "at least"], ["max", "at most"], ["eq", "equal to"]];
        var opSelect = element("select", { class: "cg-cond-op", "aria-label": "Comparison" });
        ops.forEach(function (pair) { opSelect.appendChild(option(pair[0], pair[1])); });
        box.appendChild(opSelect);
        box.appendChild(element("input", { type: prop.kind, class: "cg-cond-value", "aria-label": "Value" }));
      } else {
        box.appendChild(element("input", { type: "text", class: "cg-cond-value", placeholder: "contains", "aria-label": "Contains" }));
      }
    }

    function addCondition() {
      var cls = currentClass();
      if (!cls) return;
      var row = element("li", { class: "cg-condition" });
      var select = propertySelect(cls);
      var box = element("span", { class: "cg-cond-input" });
      var remove = element("button", { type: "button", class: "cg-cond-remove", "aria-label": "Remove the condition" }, "×");
      select.addEventListener("change", function () { valueControl(row, findProperty(select.value)); });
      remove.addEventListener("click", function () { row.remove(); });
      row.appendChild(select);
      row.appendChild(box);
      row.appendChild(remove);
      conditionList.appendChild(row);
    }

    function columnBox(p, checked) {
      var label = element("label", { class: "cg-column" });
      var box = element("input", { type: "checkbox", value: p.iri });
      box.checked = !!checked;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + p.label));
      columnList.appendChild(label);
    }

    // The class's own properties as boxes to tick; any other property added from a list.
    function showColumns(cls) {
      columnList.textContent = "";
      cls.properties.forEach(function (p) { columnBox(p, false); });
      otherColumn.textContent = "";
      otherColumn.appendChild(option("", "— another column —"));
      propertiesOf(cls).other.forEach(function (p) {
        otherColumn.appendChild(option(p.iri, p.label + " (" + p.name + ")"));
      });
    }

    otherColumn.addEventListener("change", function () {
      var prop = otherColumn.value && findProperty(otherColumn.value);
      if (prop && !columnList.querySelector("input[value='" + CSS.escape(prop.iri) + "']")) columnBox(prop, true);
      otherColumn.value = "";
    });

    function chooseClass() {
      conditionList.textContent = "";
      var cls = currentClass();
      if (cls) showColumns(cls);
    }

    function spec() {
      var cls = currentClass();
      if (!cls) throw new Error("Pick a class first.");
      var conditions = [];
      conditionList.querySelectorAll(".cg-condition").forEach(function (row) {
        var prop = findProperty(row.querySelector(".cg-cond-property").value);
        if (!prop) return;
        var input = row.querySelector(".cg-cond-value");
        var op = row.querySelector(".cg-cond-op");
        var value = row.dataset.value || (input ? input.value : "");
        var valueLabel = row.dataset.valueLabel || (input && input.tagName === "SELECT" && input.value ? input.selectedOptions[0].textContent : "");
        conditions.push({ property: prop, kind: prop.kind, op: op ? op.value : "contains", value: value, valueLabel: valueLabel });
      });
      var columns = [];
      columnList.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
        columns.push(findProperty(box.value));
      });
      return { cls: cls, subclasses: subclasses.checked, conditions: conditions, columns: columns, lang: options.lang };
    }

    function write(run) {
      var query;
      try {
        query = toSparql(spec(), options.prefixes);
      } catch (error) {
        status.textContent = error.message;
        return null;
      }
      status.textContent = "";
      var tab = options.yasgui.getTab();
      tab.setQuery(query);
      var yasqe = tab.getYasqe();
      if (yasqe && yasqe.collapsePrefixes) yasqe.collapsePrefixes(true); // the query itself shows first
      if (run) tab.query();
      return query;
    }

    // A saved query as queries/*.rq holds them: a documented header, then the query.
    function save() {
      var query = write(false);
      if (!query) return;
      var title = query.split("\n").filter(function (l) { return l.indexOf("# ") === 0; })[0] || "# query";
      // the header is YAML: the title as a JSON string (valid YAML), whatever it holds
      var text = "#+ title: " + JSON.stringify(title.slice(2)) + "\n#+ description: made with the query builder\n\n" + query + "\n";
      var link = element("a", { download: "query.rq" });
      link.href = URL.createObjectURL(new Blob([text], { type: "application/sparql-query" }));
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
    }

    classSelect.addEventListener("change", chooseClass);
    root.querySelector("#cg-builder-add").addEventListener("click", addCondition);
    root.querySelector("#cg-builder-write").addEventListener("click", function () { write(false); });
    root.querySelector("#cg-builder-run").addEventListener("click", function () { write(true); });
    root.querySelector("#cg-builder-save").addEventListener("click", save);

    // The schema is asked for when the builder is first opened, not with the page: its queries would
    // otherwise take the query workers from the reader's first query.
    var ready = null;
    function load() {
      if (!ready) ready = fetchSchema();
      return ready;
    }
    function opened() {
      if (root.open) load().catch(function () { /* said in the status line */ });
    }
    root.addEventListener("toggle", opened);
    opened();

    function fetchSchema() {
      return fetch(options.schema, { headers: { Accept: "application/json" } })
        .then(function (r) {
          if (!r.ok) throw new Error("the builder's schema: " + r.status);
          return r.json();
        })
        .then(function (loaded) {
          schema = loaded;
          classSelect.appendChild(option("", "— class —"));
          schema.classes.forEach(function (c) {
            classSelect.appendChild(option(c.iri, c.label + " (" + c.name + ")"));
          });
          root.dataset.ready = "true";
          return schema;
        })
        .catch(function (error) {
          status.textContent = error.message;
          ready = null; // asked again when the builder is next opened
          throw error;
        });
    }
    return { load: load, toSparql: toSparql };
  }

  window.CoopgraphBuilder = { setup: setup, toSparql: toSparql };
})();
