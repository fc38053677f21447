"""The seed dataset in data/: it loads, it conforms to the shapes, every fact is
tied to its source article, and every query in data/README.md answers.

The data is loaded through `coopgraph init` (the real first start) into a temporary
store when that command exists; else through the small reference loader below, which reads
the same formats the ingest pipeline reads (RDF, CSV on the Web, JSON/YAML records
with the project's JSON-LD context).
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pyshacl
import pytest
import rdflib
import uritemplate
import yaml
from rdflib import RDF, XSD, Literal, URIRef
from rdflib.namespace import SH

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
ONTOLOGY = ROOT / "ontology"
SHAPES = ROOT / "shapes"
CG = rdflib.Namespace("https://w3id.org/coopgraph/ontology#")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
SCHEMA = rdflib.Namespace("http://schema.org/")
ARTICLE_1 = URIRef("https://w3id.org/coopgraph/id/article/bqn-3389250-fr")
ARTICLE_2 = URIRef("https://w3id.org/coopgraph/id/article/vnu-tsinghua-2025")
GRAPH_BASE = "https://w3id.org/coopgraph/graph/"
SOURCE_BASE = "https://w3id.org/coopgraph/source/"
CATALOG = GRAPH_BASE + "catalog"
#: The seed article each source article's text is in (../shared/seeds).
ARTICLE_TEXTS = {str(ARTICLE_1): "000_", str(ARTICLE_2): "004_"}

RDF_SUFFIXES = {
    ".ttl": "turtle",
    ".trig": "trig",
    ".nt": "nt",
    ".nq": "nquads",
    ".rdf": "xml",
    ".owl": "xml",
    ".jsonld": "json-ld",
}
# CSVW (and RDFa) initial context: the only prefixes CSVW metadata may use.
CSVW_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "dc": "http://purl.org/dc/terms/",
    "schema": "http://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "csvw": "http://www.w3.org/ns/csvw#",
    "void": "http://rdfs.org/ns/void#",
}
CSVW_DATATYPES = {
    "string": XSD.string,
    "gYear": XSD.gYear,
    "gYearMonth": XSD.gYearMonth,
    "date": XSD.date,
    "integer": XSD.integer,
    "nonNegativeInteger": XSD.nonNegativeInteger,
    "anyURI": XSD.anyURI,
    "boolean": XSD.boolean,
    "decimal": XSD.decimal,
}


# ---------------------------------------------------------------------------
# reference loader
# ---------------------------------------------------------------------------


def _expand_curie(value: str) -> str:
    prefix, sep, rest = value.partition(":")
    if sep and prefix in CSVW_PREFIXES and not rest.startswith("//"):
        return CSVW_PREFIXES[prefix] + rest
    return value


def csvw_to_rdf(metadata_path: Path) -> rdflib.Graph:
    """csv2rdf (minimal mode) for the subset of CSVW the seed tables use."""
    meta = json.loads(metadata_path.read_text(encoding="utf-8"))
    table_path = metadata_path.parent / meta["url"]
    schema = meta["tableSchema"]
    columns = schema["columns"]
    graph = rdflib.Graph()
    with table_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        real = [c for c in columns if not c.get("virtual")]
        assert header == [c.get("titles", c["name"]) for c in real], (
            f"{table_path.name}: header differs from metadata"
        )
        for row_number, row in enumerate(reader, start=1):
            cells = dict(zip([c["name"] for c in real], row, strict=True))
            variables = {name: value for name, value in cells.items() if value != ""}
            variables["_row"] = str(row_number)
            for column in columns:
                if column.get("suppressOutput"):
                    continue
                value = cells.get(column["name"], "")
                if not column.get("virtual") and value == "":
                    continue
                about = column.get("aboutUrl", schema.get("aboutUrl"))
                subject = URIRef(_expand_curie(uritemplate.expand(about, variables)))
                predicate = URIRef(_expand_curie(uritemplate.expand(column["propertyUrl"], variables)))
                if "valueUrl" in column:
                    obj: URIRef | Literal = URIRef(
                        _expand_curie(uritemplate.expand(column["valueUrl"], variables))
                    )
                else:
                    datatype = column.get("datatype", "string")
                    fmt = None
                    if isinstance(datatype, dict):
                        fmt = datatype.get("format")
                        datatype = datatype.get("base", "string")
                    if fmt is not None:
                        assert re.fullmatch(fmt, value), (
                            f"{table_path.name} row {row_number}: {value!r} !~ {fmt}"
                        )
                    if column.get("lang") and datatype == "string":
                        obj = Literal(value, lang=column["lang"])
                    elif datatype == "string":
                        obj = Literal(value)
                    else:
                        obj = Literal(value, datatype=CSVW_DATATYPES[datatype])
                graph.add((subject, predicate, obj))
    return graph


def project_context() -> dict:
    return json.loads((ONTOLOGY / "context.jsonld").read_text(encoding="utf-8"))["@context"]


def records_to_rdf(path: Path) -> rdflib.Graph:
    """A JSON or YAML record file, read as JSON-LD with the project context when it has none."""
    text = path.read_text(encoding="utf-8")
    document = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    if isinstance(document, list):
        document = {"@graph": document}
    document.setdefault("@context", project_context())
    return rdflib.Graph().parse(data=json.dumps(document), format="json-ld")


def source_files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and (
            path.suffix in RDF_SUFFIXES
            or path.suffix in {".json", ".yaml", ".yml"}
            or path.name.endswith(".csv-metadata.json")
        ):
            yield path


def published(path: Path) -> str:
    """The name the catalogue gives a seed file (``source/seed/{path below data/}``)."""
    return SOURCE_BASE + "seed/" + path.relative_to(DATA).as_posix()


def read_source(path: Path) -> rdflib.Graph:
    if path.name.endswith(".csv-metadata.json"):
        return csvw_to_rdf(path)
    if path.suffix in RDF_SUFFIXES:
        return rdflib.Graph().parse(path, format=RDF_SUFFIXES[path.suffix], publicID=published(path))
    return records_to_rdf(path)


def seed_source_files() -> list[Path]:
    return [p for p in source_files(DATA) if p.suffix != ".md"]


def model_graph() -> rdflib.Graph:
    """Ontology and vocabularies: what the validation gate sees beside the data."""
    graph = rdflib.Graph()
    for path in sorted(ONTOLOGY.rglob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def shapes_graph() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted(SHAPES.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def load_seed_reference() -> dict[str, rdflib.Graph]:
    """One graph per source file, keyed by its path relative to data/."""
    return {str(p.relative_to(DATA)): read_source(p) for p in seed_source_files()}


def _coopgraph() -> str | None:
    """The coopgraph command, when the ingest pipeline and its command line exist."""
    if not (ROOT / "coopgraph" / "cli" / "main.py").exists():
        return None
    exe = shutil.which("coopgraph") or str(Path(sys.executable).with_name("coopgraph"))
    probe = subprocess.run([exe, "init", "--help"], capture_output=True, text=True, cwd=ROOT)
    return exe if probe.returncode == 0 else None


def load_seed_store(tmp_dir: Path) -> tuple[pyoxigraph.Store, str]:
    """The seed data with the ontology and vocabularies in an in-memory store, and how it was loaded.

    Through `coopgraph init` into a temporary store (the real first start) when the command
    exists; else through the reference loader above.
    """
    exe = _coopgraph()
    store = pyoxigraph.Store()
    if exe is not None:
        location = tmp_dir / "store"
        init = subprocess.run(
            [exe, "init", "--store", str(location)], capture_output=True, text=True, cwd=ROOT
        )
        assert init.returncode == 0, f"coopgraph init failed:\n{init.stdout}\n{init.stderr}"
        export = subprocess.run(
            [exe, "export", "--store", str(location), "--format", "nquads"], capture_output=True, cwd=ROOT
        )
        assert export.returncode == 0, export.stderr.decode()
        store.load(export.stdout, format=pyoxigraph.RdfFormat.N_QUADS)
        return store, "coopgraph init"
    for name, graph in load_seed_reference().items():
        data = graph.serialize(format="nt", encoding="utf-8")
        store.load(
            data,
            format=pyoxigraph.RdfFormat.N_TRIPLES,
            to_graph=pyoxigraph.NamedNode(GRAPH_BASE + "seed/" + name),
        )
    for path in sorted(ONTOLOGY.rglob("*.ttl")):
        store.load(
            path=str(path),
            format=pyoxigraph.RdfFormat.TURTLE,
            to_graph=pyoxigraph.NamedNode(f"{GRAPH_BASE}model/{path.relative_to(ONTOLOGY)}"),
        )
    return store, "reference loader"


def select(store: pyoxigraph.Store, query: str) -> list[pyoxigraph.QuerySolution]:
    return list(store.query(query, use_default_graph_as_union=True))


@pytest.fixture(scope="module")
def seed_graphs() -> dict[str, rdflib.Graph]:
    return load_seed_reference()


@pytest.fixture(scope="module")
def seed_data(seed_graphs: dict[str, rdflib.Graph]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for g in seed_graphs.values():
        graph += g
    return graph


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> pyoxigraph.Store:
    store, how = load_seed_store(tmp_path_factory.mktemp("seed"))
    print(f"seed loaded through {how}")
    return store


# ---------------------------------------------------------------------------
# loading
# ---------------------------------------------------------------------------


def test_every_source_file_holds_triples(seed_graphs: dict[str, rdflib.Graph]) -> None:
    """One folder per article, one file or more per register, one for the project's inferences."""
    assert set(seed_graphs) >= {
        "sources.ttl",
        "bqn-3389250-fr/article.ttl",
        "bqn-3389250-fr/organizations.csv-metadata.json",
        "bqn-3389250-fr/agreements.yaml",
        "bqn-3389250-fr/activities.json",
        "bqn-3389250-fr/events.yaml",
        "bqn-3389250-fr/counts.ttl",
        "bqn-3389250-fr/policy-documents.ttl",
        "vnu-tsinghua-2025/article.ttl",
        "vnu-tsinghua-2025/organizations.csv-metadata.json",
        "vnu-tsinghua-2025/people.csv-metadata.json",
        "vnu-tsinghua-2025/posts.csv-metadata.json",
        "vnu-tsinghua-2025/agreements.yaml",
        "vnu-tsinghua-2025/activities.json",
        "vnu-tsinghua-2025/events.yaml",
        "vnu-tsinghua-2025/networks.ttl",
        "enrichment/wikidata.ttl",
        "enrichment/coordinates.ttl",
        "enrichment/ror.ttl",
        "derived/places.ttl",
    }
    for name, graph in seed_graphs.items():
        assert len(graph) > 0, name


def test_the_first_start_loads_the_seed(seed_store: pyoxigraph.Store, seed_data: rdflib.Graph) -> None:
    """What the store holds (through `coopgraph init` when it exists) is what the files say."""
    expected = {(str(s), str(p), str(o)) for s, p, o in seed_data if not isinstance(s, rdflib.BNode)}
    rows = select(seed_store, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    loaded = {
        (r["s"].value, r["p"].value, r["o"].value) for r in rows if isinstance(r["s"], pyoxigraph.NamedNode)
    }
    missing = {t for t in expected if t not in loaded}
    assert not missing, sorted(missing)[:10]


def test_csvw_metadata_is_valid_for_the_csvw_library() -> None:
    """The metadata parses as CSVW and every row passes its column datatypes (formats included)."""
    csvw = pytest.importorskip("csvw")
    for metadata in sorted(DATA.glob("*.csv-metadata.json")):
        table = csvw.Table.from_file(metadata)
        rows = list(table.iterdicts(strict=True))
        assert rows, metadata.name
        assert len({row["id"] for row in rows}) == len(rows), f"{metadata.name}: duplicate id"


def test_record_files_use_only_context_terms() -> None:
    """JSON-LD drops unknown keys silently: every key of a record file is a context term or a keyword."""
    ctx = project_context()

    def walk(value: object, where: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                language_map = where.endswith(("label", "scope", "objective", "editorialNote", "prefLabel"))
                if not key.startswith("@") and key not in ctx and not language_map:
                    pytest.fail(f"{where}: '{key}' is not a term of ontology/context.jsonld")
                walk(item, f"{where}/{key}")
        elif isinstance(value, list):
            for item in value:
                walk(item, where)

    for path in sorted([*DATA.glob("*.yaml"), *DATA.glob("*.json")]):
        if path.name.endswith(".csv-metadata.json"):
            continue
        text = path.read_text(encoding="utf-8")
        walk(json.loads(text) if path.suffix == ".json" else yaml.safe_load(text), path.name)


# ---------------------------------------------------------------------------
# conformance
# ---------------------------------------------------------------------------


def _results(report: rdflib.Graph, severity: URIRef) -> list[str]:
    out = []
    for result in report.objects(None, SH.result):
        if report.value(result, SH.resultSeverity) == severity:
            out.append(
                f"{report.value(result, SH.focusNode)} {report.value(result, SH.resultPath)} "
                f"{report.value(result, SH.sourceShape)}"
            )
    return sorted(out)


def test_seed_conforms_with_pyshacl(seed_data: rdflib.Graph) -> None:
    data = seed_data + model_graph()
    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes_graph(), inference="none", allow_warnings=True
    )
    assert _results(report, SH.Violation) == []
    # the only warnings: the articles whose publisher and address the sources do not give
    warnings = _results(report, SH.Warning)
    assert all("/article/" in w and ("publisher" in w or "url" in w) for w in warnings), warnings


def test_seed_conforms_with_ingest_shacl(seed_store: pyoxigraph.Store) -> None:
    shacl = pytest.importorskip("ingest.shacl")
    report = shacl.Shapes.from_rdflib(shapes_graph()).validate(seed_store)
    violations = [r for r in report.results if str(r.severity.value) == str(SH.Violation)]
    assert violations == []


# ---------------------------------------------------------------------------
# facts and their sources
# ---------------------------------------------------------------------------

CURATED_CLASSES = [
    "org:Organization",
    "schema:Person",
    "org:Post",
    "org:Membership",
    "cg:Agreement",
    "cg:SigningAct",
    "cg:Participation",
    "cg:CooperationActivity",
    "cg:Funding",
    "cg:Partnership",
    "cg:PolicyDocument",
    "schema:Event",
    "cg:ReportedCount",
    "schema:NewsArticle",
]
PREFIXES = """
PREFIX cg: <https://w3id.org/coopgraph/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <http://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""


def test_every_curated_node_names_its_source(seed_store: pyoxigraph.Store) -> None:
    values = " ".join(CURATED_CLASSES)
    rows = select(
        seed_store,
        PREFIXES
        + f"""
        SELECT DISTINCT ?node WHERE {{
          VALUES ?class {{ {values} }}
          ?node a/rdfs:subClassOf* ?class .
          FILTER NOT EXISTS {{ ?node dcterms:source ?source . ?source a/rdfs:subClassOf* cg:Source }}
        }}""",
    )
    assert rows == [], [r["node"] for r in rows]


@pytest.mark.parametrize(("article", "minimum"), [(ARTICLE_1, 40), (ARTICLE_2, 60)])
def test_every_fact_of_one_article_is_one_query(
    seed_store: pyoxigraph.Store, article: URIRef, minimum: int
) -> None:
    rows = select(
        seed_store,
        PREFIXES + f"SELECT DISTINCT ?node WHERE {{ ?node dcterms:source <{article}> }}",
    )
    assert len(rows) >= minimum


def test_no_term_used_by_the_data_is_undefined(seed_data: rdflib.Graph) -> None:
    model = model_graph()
    declared = {s for s in model.subjects(RDF.type, None) if isinstance(s, URIRef)}
    builtin = (str(RDF), str(rdflib.RDFS), str(rdflib.OWL), str(XSD))
    used = set(seed_data.predicates()) | set(seed_data.objects(None, RDF.type))
    undefined = {t for t in used if not str(t).startswith(builtin) and t not in declared}
    assert not undefined, sorted(undefined)
    # every vocabulary concept the data points to exists
    concepts = {o for o in seed_data.objects() if str(o).startswith("https://w3id.org/coopgraph/vocab/")}
    missing = {c for c in concepts if (c, RDF.type, None) not in model}
    assert not missing, sorted(missing)
    # every resource the data points to is described
    resources = {o for o in seed_data.objects() if str(o).startswith("https://w3id.org/coopgraph/id/")}
    dangling = {r for r in resources if (r, None, None) not in seed_data}
    assert not dangling, sorted(dangling)


def test_shapes_cover_every_class_the_data_uses(seed_data: rdflib.Graph) -> None:
    """Every typed resource of the data is the focus of at least one node shape (through its class
    or a superclass), and every class of the data is covered for all its instances."""
    model = model_graph()
    shapes = shapes_graph()
    targeted = set(shapes.objects(None, SH.targetClass))
    full = seed_data + model
    for node in set(seed_data.subjects(RDF.type, None)):
        classes = {
            c
            for t in full.objects(node, RDF.type)
            for c in full.transitive_objects(t, rdflib.RDFS.subClassOf)
        }
        assert classes & targeted, f"no shape targets {node} ({sorted(full.objects(node, RDF.type))})"


def test_identifiers_follow_the_conventions(seed_graphs: dict[str, rdflib.Graph]) -> None:
    """Resources are ``id/{type}/{slug}``; only the description graph speaks of files (``source/...``),
    and only a register's file of places (``vocab/{scheme}/{slug}``: what the register adds to them, such
    as their coordinates)."""
    pattern = re.compile(r"^https://w3id\.org/coopgraph/id/[a-z]+/[a-z0-9]+(-[a-z0-9]+)*$")
    place = re.compile(r"^https://w3id\.org/coopgraph/vocab/(city|province)/[a-z0-9]+(-[a-z0-9]+)*$")
    for name, graph in seed_graphs.items():
        for node in set(graph.subjects()):
            assert isinstance(node, URIRef), f"blank node in the seed data: {node}"
            if name == "sources.ttl" and str(node).startswith(SOURCE_BASE + "seed/"):
                assert (DATA / str(node).removeprefix(SOURCE_BASE + "seed/")).is_file(), node
                continue
            if name.startswith("enrichment/") and place.match(str(node)):
                continue
            assert pattern.match(str(node)), (name, node)


def test_names_keep_their_original_script(seed_data: rdflib.Graph) -> None:
    labels = {
        (str(s), o.language): str(o)
        for s, o in seed_data.subject_objects(rdflib.RDFS.label)
        if isinstance(o, Literal)
    }
    org = "https://w3id.org/coopgraph/id/organization/"
    assert labels[(org + "ha-long-university", "vi")] == "Trường Đại học Hạ Long"
    assert labels[(org + "vnu-hanoi", "vi")] == "Đại học Quốc gia Hà Nội"
    assert labels[(org + "tsinghua-university", "zh")] == "清华大学"
    assert labels[("https://w3id.org/coopgraph/id/person/qiu-yong", "vi")] == "Khưu Dũng"
    assert labels[("https://w3id.org/coopgraph/id/person/qiu-yong", "zh")] == "邱勇"
    # any language, but every resource has its main label in Vietnamese or English
    for node in {n for n, _ in labels}:
        assert (node, "vi") in labels or (node, "en") in labels, node
    # every organisation and person has English and French labels
    for node in {
        s
        for s, _ in labels
        if s.startswith(
            ("https://w3id.org/coopgraph/id/organization/", "https://w3id.org/coopgraph/id/person/")
        )
    }:
        assert (node, "en") in labels and (node, "fr") in labels, node


def _seed_article_texts() -> list[str]:
    folder = ROOT.parent / "shared" / "seeds"
    return [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))] if folder.is_dir() else []


def test_no_sentence_is_copied_from_the_articles(seed_data: rdflib.Graph) -> None:
    """Facts only: no run of eight words of a source article appears in the curator's wording.

    Names (rdfs:label, skos:altLabel) are taken from the sources and exempt; scopes, objectives
    and notes must be the curator's own words."""
    texts = _seed_article_texts()
    if not texts:
        pytest.skip("the source articles (../shared/seeds) are not beside the repository")

    def words(text: str) -> list[str]:
        return re.findall(r"\w+", text.lower())

    runs: set[tuple[str, ...]] = set()
    for text in texts:
        w = words(text)
        runs |= {tuple(w[i : i + 8]) for i in range(len(w) - 7)}
    wording = {CG.scope, CG.objective, rdflib.SKOS.editorialNote}
    for literal in {o for s, p, o in seed_data if p in wording}:
        w = words(str(literal))
        copied = [" ".join(w[i : i + 8]) for i in range(len(w) - 7) if tuple(w[i : i + 8]) in runs]
        assert not copied, copied[0]


# ---------------------------------------------------------------------------
# data/README.md: every query answers
# ---------------------------------------------------------------------------


def readme_queries() -> list[tuple[str, str]]:
    text = (DATA / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sparql\n(.*?)```", text, flags=re.S)
    out = []
    for block in blocks:
        before = text[: text.index(block)]
        heading = [line for line in before.splitlines() if line.strip()][-1].strip(" :")
        out.append((heading[:60], block))
    return out


def test_readme_has_queries_for_both_articles() -> None:
    text = (DATA / "README.md").read_text(encoding="utf-8")
    assert "## Article 000" in text and "## Article 004" in text
    assert len(readme_queries()) >= 25


@pytest.mark.parametrize(("where", "query"), readme_queries(), ids=[q[0] for q in readme_queries()])
def test_readme_query_answers(seed_store: pyoxigraph.Store, where: str, query: str) -> None:
    rows = select(seed_store, query)
    assert rows, f"no answer for the query after '{where}'"
