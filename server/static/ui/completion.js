// Completion in the query editor from this server's data, never from another host:
// - classes (after "a") and properties (in a predicate's place), with their labels, from the
//   ontology and from what the data uses; in a predicate's place, the properties that occur with the
//   subject's class (when the query says "?x a cg:Class") come first;
// - entities by name from the search index: type "<" and a few letters of a name.
// The class and property completers are YASQE's own, forked: their positions and their handling of
// prefixes are kept, their source (lov.linkeddata.es) replaced by this server's /sparql.
(function () {
  "use strict";

  var Yasqe = window.Yasgui.Yasqe;
  var RDFS = "http://www.w3.org/2000/01/rdf-schema#";
  var SKOS = "http://www.w3.org/2004/02/skos/core#";
  var OWL = "http://www.w3.org/2002/07/owl#";
  var RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
  var LIMIT = 100;

  function setup(config) {
    var lang = config.lang || "en";
    var labels = {};
    var terms = null;
    var inContext = {};

    function ask(query) {
      return fetch(config.endpoint, {
        method: "POST",
        body: new URLSearchParams({ query: query }),
        headers: { Accept: "application/sparql-results+json" },
      }).then(function (r) { return r.ok ? r.json() : { results: { bindings: [] } }; });
    }

    function rememberLabel(iri, label) {
      if (!label) return;
      var tag = (label["xml:lang"] || "").toLowerCase();
      var score = tag === lang ? 3 : tag === "en" ? 2 : tag === "" ? 1 : 0;
      if (!labels[iri] || labels[iri].score < score) labels[iri] = { text: label.value, score: score };
    }

    // The ontology's classes and properties, and those the data uses, with their labels: asked once.
    function vocabulary() {
      if (terms) return terms;
      var query =
        "SELECT DISTINCT ?term ?kind ?label WHERE {" +
        " { VALUES ?c { <" + OWL + "Class> <" + RDFS + "Class> } ?term a ?c BIND (\"class\" AS ?kind) }" +
        " UNION { SELECT DISTINCT ?term (\"class\" AS ?kind) WHERE { [] a ?term } }" +
        " UNION { VALUES ?c { <" + OWL + "ObjectProperty> <" + OWL + "DatatypeProperty> <" + RDF + "Property> }" +
        " ?term a ?c BIND (\"property\" AS ?kind) }" +
        " UNION { SELECT DISTINCT ?term (\"property\" AS ?kind) WHERE { [] ?term [] } }" +
        " FILTER (isIRI(?term))" +
        " OPTIONAL { ?term <" + RDFS + "label>|<" + SKOS + "prefLabel> ?label }" +
        "}";
      terms = ask(query).then(function (answer) {
        var found = { "class": {}, property: {} };
        answer.results.bindings.forEach(function (row) {
          found[row.kind.value][row.term.value] = true;
          rememberLabel(row.term.value, row.label);
        });
        return { "class": Object.keys(found["class"]).sort(), property: Object.keys(found.property).sort() };
      });
      return terms;
    }

    // The subject of the triple the cursor is in, when it is a variable ("?x" in "?x cg:name|").
    function subjectVariable(yasqe) {
      var doc = yasqe.getDoc();
      var before = doc.getRange({ line: 0, ch: 0 }, doc.getCursor());
      // the text since the last brace or the full stop that ends a triple
      var parts = before.split(/[{}]|\s\.(?=\s|$)/);
      var statement = parts[parts.length - 1];
      var match = /^\s*([?$][A-Za-z_]\w*)/.exec(statement);
      return match ? match[1] : null;
    }

    // The class the query gives a variable ("?x a cg:Agreement", "?x a/rdfs:subClassOf* cg:X"), as an IRI.
    function classOf(yasqe, variable) {
      var text = yasqe.getValue();
      var pattern = new RegExp(
        "\\" + variable + "\\s+(?:a|rdf:type)(?:\\s*/\\s*rdfs:subClassOf\\*)?\\s+(<[^>]+>|[A-Za-z][\\w-]*:[\\w-]+)"
      );
      var match = pattern.exec(text);
      if (!match) return null;
      var term = match[1];
      if (term[0] === "<") return term.slice(1, -1);
      var prefixes = yasqe.getPrefixesFromQuery();
      var cut = term.indexOf(":");
      var namespace = prefixes[term.slice(0, cut)];
      return namespace ? namespace + term.slice(cut + 1) : null;
    }

    function propertiesOf(cls) {
      if (!inContext[cls]) {
        inContext[cls] = ask(
          "SELECT DISTINCT ?p WHERE { ?s a/<" + RDFS + "subClassOf>* <" + cls + "> ; ?p ?o } LIMIT 500"
        ).then(function (answer) {
          return answer.results.bindings.map(function (row) { return row.p.value; });
        });
      }
      return inContext[cls];
    }

    function startingWith(list, start) {
      return list.filter(function (iri) { return iri.indexOf(start) === 0; });
    }

    function withLabels(yasqe, hints) {
      return hints.map(function (hint) {
        var prefixes = yasqe.getPrefixesFromQuery();
        var iri = hint.text;
        if (iri[0] === "<") iri = iri.slice(1, -1);
        else {
          var cut = iri.indexOf(":");
          iri = (prefixes[iri.slice(0, cut)] || "") + iri.slice(cut + 1);
        }
        var label = labels[iri];
        if (label) hint.displayText = hint.text + "  —  " + label.text;
        return hint;
      });
    }

    Yasqe.forkAutocompleter("class", {
      name: "cg-class",
      persistenceId: null,
      get: function (yasqe, token) {
        var start = (token && token.autocompletionString) || "";
        return vocabulary().then(function (found) { return startingWith(found["class"], start).slice(0, LIMIT); });
      },
      postprocessHints: withLabels,
    }, false);

    Yasqe.forkAutocompleter("property", {
      name: "cg-property",
      persistenceId: null,
      get: function (yasqe, token) {
        var start = (token && token.autocompletionString) || "";
        var variable = subjectVariable(yasqe);
        var cls = variable ? classOf(yasqe, variable) : null;
        return Promise.all([vocabulary(), cls ? propertiesOf(cls) : Promise.resolve([])]).then(function (both) {
          var first = startingWith(both[1], start);
          var rest = startingWith(both[0].property, start).filter(function (p) { return first.indexOf(p) < 0; });
          return first.concat(rest).slice(0, LIMIT);
        });
      },
      postprocessHints: withLabels,
    }, false);

    var found = {};
    Yasqe.registerAutocompleter({
      name: "cg-entity",
      bulk: false,
      autoShow: true,
      persistenceId: null,
      isValidCompletionPosition: function (yasqe) {
        var token = yasqe.getCompleteToken();
        return /^<[^:<>\s]{2,}$/.test(token.string);
      },
      preProcessToken: function (yasqe, token) {
        token.autocompletionString = token.string.slice(1);
        return token;
      },
      get: function (yasqe, token) {
        var text = token.autocompletionString;
        var url = config.search + "?" + new URLSearchParams({ q: text, format: "json", lang: lang, limit: "10" });
        return fetch(url, { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (answer) {
            return answer.results.map(function (hit) {
              found["<" + hit.iri + ">"] = hit.label;
              return "<" + hit.iri + ">";
            });
          });
      },
      postprocessHints: function (yasqe, hints) {
        return hints.map(function (hint) {
          if (found[hint.text]) hint.displayText = found[hint.text] + "  —  " + hint.text;
          return hint;
        });
      },
    }, false);

    return ["prefixes", "variables", "cg-class", "cg-property", "cg-entity"];
  }

  window.CoopgraphCompletion = { setup: setup };
})();
