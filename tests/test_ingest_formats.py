"""Each format the ingest pipeline reads, loaded into a real store on disk and compared with what the
test wrote.

RDF files are compared with an independent parser (rdflib) reading the same file; tables and records
with triples spelled out from the rows and records the test writes.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
from pathlib import Path
from urllib.parse import quote

import pytest
import rdflib
from pyoxigraph import RdfFormat
from rdflib.compare import isomorphic

from coopgraph.iris import source_iri
from coopgraph.store.local import LocalStore
from ingest.batch import BatchResult, run
from ingest.sources import discover
from tests.conftest import PROJECT, coopgraph

BASE = "https://w3id.org/coopgraph/"
CATALOG = BASE + "graph/catalog"
EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
CONTEXT = json.loads((PROJECT / "ontology" / "context.jsonld").read_text(encoding="utf-8"))["@context"]


def data_graph(key: str) -> str:
    """The README's pattern: graph/{kind}/{key}, the key percent-encoded but for '/'."""
    return f"{BASE}graph/data/{quote(key, safe='/-._~')}"


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "store")


def ingest(store: LocalStore, *paths: Path, role: str = "data", prefix: str = "") -> BatchResult:
    sources, problems = discover(list(paths), role=role, prefix=prefix)
    assert problems == []
    return run(store, sources)


def stored(store: LocalStore, graph: str) -> rdflib.Graph:
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_TRIPLES, graph)
    return rdflib.Graph().parse(data=out.getvalue().decode("utf-8"), format="nt")


def stored_lines(store: LocalStore, graph: str) -> set[str]:
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_TRIPLES, graph)
    return set(out.getvalue().decode("utf-8").splitlines())


def nt(s: str, p: str, o: str) -> str:
    return f"{s} {p} {o} ."


def iri(value: str) -> str:
    return f"<{value}>"


def lit(value: str, lang: str | None = None, datatype: str | None = None) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if lang:
        return f'"{escaped}"@{lang}'
    if datatype:
        return f'"{escaped}"^^<{XSD}{datatype}>'
    return f'"{escaped}"'


# --------------------------------------------------------------------------- RDF formats

TURTLE = """\
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

# An agreement, its labels in three languages, partial and full dates, a list and a blank node.
ex:agreement-1 a ex:Agreement ;
    rdfs:label "Biên bản ghi nhớ hợp tác giữa Đại học Quốc gia Hà Nội và Đại học Thanh Hoa"@vi ,
               "越南河内国家大学与清华大学合作谅解备忘录"@zh ,
               "Memorandum of understanding"@en ;
    ex:dateSigned "2024-08-27"^^xsd:date ;
    ex:year "2024"^^xsd:gYear ;
    ex:month "2024-08"^^xsd:gYearMonth ;
    ex:copies 3 ;
    ex:parties ( ex:vnu ex:tsinghua ) ;
    ex:witness [ rdfs:label "Tô Lâm"@vi ; ex:role ex:witness-role ] ;
    ex:note \"\"\"two lines,
"quoted" and tabbed\t.\"\"\" ;
    ex:page <#page-3> .
"""


def _dataset_text(fmt: str) -> str:
    """The Turtle graph split over a default graph and two named graphs."""
    graph = rdflib.Graph().parse(data=TURTLE, format="turtle", publicID=EX + "doc")
    ds = rdflib.Dataset()
    triples = sorted(graph, key=lambda t: (str(t[0]), str(t[1]), str(t[2])))
    targets = [ds.default_graph, ds.graph(rdflib.URIRef(EX + "g1")), ds.graph(rdflib.URIRef(EX + "g2"))]
    for n, triple in enumerate(triples):
        targets[n % 3].add(triple)
    return ds.serialize(format=fmt)


def _serialized(fmt: str) -> str:
    graph = rdflib.Graph().parse(data=TURTLE, format="turtle", publicID=EX + "doc")
    return graph.serialize(format=fmt)


#: name, media type, text, rdflib format (the oracle reads the file with it)
RDF_CASES = {
    "turtle": ("agreement.ttl", "text/turtle", lambda: TURTLE, "turtle"),
    "n-triples": ("agreement.nt", "application/n-triples", lambda: _serialized("nt"), "nt"),
    "rdf-xml": ("agreement.rdf", "application/rdf+xml", lambda: _serialized("xml"), "xml"),
    "json-ld": ("agreement.jsonld", "application/ld+json", lambda: _serialized("json-ld"), "json-ld"),
    "trig": ("agreement.trig", "application/trig", lambda: _dataset_text("trig"), "trig"),
    "n-quads": ("agreement.nq", "application/n-quads", lambda: _dataset_text("nquads"), "nquads"),
}


def _expected(path: Path, fmt: str) -> rdflib.Graph:
    """What an independent parser reads from the file (loaded on its own, so published as
    ``source/{name}``), every graph of a dataset merged into one."""
    expected = rdflib.Graph()
    if fmt in ("trig", "nquads"):
        ds = rdflib.Dataset()
        ds.parse(path, format=fmt, publicID=source_iri(path.name))
        for s, p, o, _ in ds.quads((None, None, None, None)):
            expected.add((s, p, o))
    else:
        expected.parse(path, format=fmt, publicID=source_iri(path.name))
    return expected


@pytest.mark.parametrize("case", list(RDF_CASES))
def test_an_rdf_file_becomes_one_graph_with_exactly_its_triples(
    store: LocalStore, tmp_path: Path, case: str
) -> None:
    name, media_type, text, fmt = RDF_CASES[case]
    path = tmp_path / "in" / name
    path.parent.mkdir()
    path.write_text(text(), encoding="utf-8")
    expected = _expected(path, fmt)
    assert len(expected) > 15  # the premise: the file says something

    result = ingest(store, path)

    graph = data_graph(name)
    assert [(g.source.key, g.triples) for g in result.loaded] == [(name, len(expected))]
    actual = stored(store, graph)
    assert isomorphic(actual, expected), (
        f"missing: {sorted(map(str, set(expected) - set(actual)))[:5]} "
        f"extra: {sorted(map(str, set(actual) - set(expected)))[:5]}"
    )
    # A dataset file's graphs are merged into the source's graph: no other graph appears.
    assert store.graph_names() == {graph, CATALOG}
    record = store.records()[graph]
    assert (record.key, record.role, record.media_type, record.triples) == (
        name,
        "data",
        media_type,
        len(expected),
    )
    assert record.source == source_iri(path.name)  # the path below the load root, not this machine's
    assert record.used == ()


def test_the_catalogue_checksum_of_an_rdf_file_is_its_sha256(store: LocalStore, tmp_path: Path) -> None:
    path = tmp_path / "agreement.ttl"
    path.write_text(TURTLE, encoding="utf-8")
    ingest(store, path)
    assert (
        store.records()[data_graph("agreement.ttl")].checksum == hashlib.sha256(path.read_bytes()).hexdigest()
    )


BLANK_NODE_FILES = {
    "n-triples": ("nt", '_:x <http://example.org/p> "{v}" .\n'),
    "turtle": ("ttl", '@prefix ex: <http://example.org/> .\n_:x ex:p "{v}" .\n'),
    "n-quads": ("nq", '_:x <http://example.org/p> "{v}" <http://example.org/g> .\n'),
    "trig": ("trig", '@prefix ex: <http://example.org/> .\nex:g {{ _:x ex:p "{v}" . }}\n'),
    "json-ld": ("jsonld", '{{"@id": "_:x", "http://example.org/p": "{v}"}}'),
}


@pytest.mark.parametrize("case", list(BLANK_NODE_FILES))
def test_blank_nodes_of_two_files_stay_two_nodes(store: LocalStore, tmp_path: Path, case: str) -> None:
    """A blank node label means something only inside its document (RDF 1.1 Concepts, 3.4)."""
    ext, text = BLANK_NODE_FILES[case]
    for name, value in (("one", "A"), ("two", "B")):
        (tmp_path / f"{name}.{ext}").write_text(text.format(v=value), encoding="utf-8")
    ingest(store, tmp_path / f"one.{ext}", tmp_path / f"two.{ext}")
    rows = list(store.query(f"SELECT DISTINCT ?x WHERE {{ ?x <{EX}p> ?v }}"))
    assert len(rows) == 2


# --------------------------------------------------------------------------- CSV on the Web

THINGS_CSV = """\
id,name_vi,name_zh,founded,signed,tags,staff
hanoi-university,Trường Đại học Hà Nội,河内大学,1959,2024-08-27,language;exchange;research,1200
tsinghua-university,Đại học Thanh Hoa,清华大学,1911,2025-01-02,research,3800
"""

THINGS_METADATA = {
    "@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
    "url": "things.csv",
    "dialect": {"encoding": "utf-8", "header": True},
    "tableSchema": {
        "aboutUrl": EX + "thing/{id}",
        "primaryKey": "id",
        "columns": [
            {"name": "id", "titles": "id", "suppressOutput": True},
            {"name": "name_vi", "titles": "name_vi", "propertyUrl": EX + "name", "lang": "vi"},
            {"name": "name_zh", "titles": "name_zh", "propertyUrl": EX + "name", "lang": "zh"},
            {"name": "founded", "titles": "founded", "propertyUrl": EX + "founded", "datatype": "gYear"},
            {"name": "signed", "titles": "signed", "propertyUrl": EX + "signed", "datatype": "date"},
            {"name": "tags", "titles": "tags", "propertyUrl": EX + "tag", "separator": ";"},
            {"name": "staff", "titles": "staff", "propertyUrl": EX + "staff", "datatype": "integer"},
            {
                "name": "type",
                "virtual": True,
                "propertyUrl": "rdf:type",
                "valueUrl": EX + "Thing",
            },
        ],
    },
}


def _expected_things(rows: list[dict[str, str]]) -> set[str]:
    """The triples the rows of THINGS_CSV map to, written out one by one."""
    expected = set()
    for row in rows:
        s = iri(EX + "thing/" + row["id"])
        expected |= {
            nt(s, iri(EX + "name"), lit(row["name_vi"], lang="vi")),
            nt(s, iri(EX + "name"), lit(row["name_zh"], lang="zh")),
            nt(s, iri(EX + "founded"), lit(row["founded"], datatype="gYear")),
            nt(s, iri(EX + "signed"), lit(row["signed"], datatype="date")),
            nt(s, iri(EX + "staff"), lit(row["staff"], datatype="integer")),
            nt(s, iri(RDF_TYPE), iri(EX + "Thing")),
        }
        expected |= {nt(s, iri(EX + "tag"), lit(tag)) for tag in row["tags"].split(";")}
    return expected


def _csv_rows(text: str) -> list[dict[str, str]]:
    import csv

    return list(csv.DictReader(io.StringIO(text)))


def test_a_csv_table_with_its_csvw_mapping_keeps_datatypes_languages_lists_and_virtual_columns(
    store: LocalStore, tmp_path: Path
) -> None:
    (tmp_path / "things.csv").write_text(THINGS_CSV, encoding="utf-8")
    mapping = tmp_path / "things.csv-metadata.json"
    mapping.write_text(json.dumps(THINGS_METADATA, ensure_ascii=False), encoding="utf-8")
    expected = _expected_things(_csv_rows(THINGS_CSV))

    result = ingest(store, tmp_path / "things.csv")

    graph = data_graph("things.csv")
    assert stored_lines(store, graph) == expected
    assert result.loaded[0].triples == len(expected)
    record = store.records()[graph]
    assert (record.media_type, record.triples) == ("text/csv", len(expected))
    assert record.used == (source_iri(mapping.name),)


def test_csvw_formats_for_dates_booleans_and_null_cells_give_xsd_values(
    store: LocalStore, tmp_path: Path
) -> None:
    (tmp_path / "events.csv").write_text(
        "id,day,month,at,public,note\n"
        "hoi-thao,27/08/2024,2024-08,2024-08-27T09:30:00+07:00,có,-\n"
        "hoi-nghi,02/01/2025,2025-01,2025-01-02T14:00:00Z,không,ghi chú\n",
        encoding="utf-8",
    )
    columns = [
        {"name": "id", "titles": "id", "suppressOutput": True},
        {
            "name": "day",
            "titles": "day",
            "propertyUrl": EX + "day",
            "datatype": {"base": "date", "format": "dd/MM/yyyy"},
        },
        {"name": "month", "titles": "month", "propertyUrl": EX + "month", "datatype": "gYearMonth"},
        {"name": "at", "titles": "at", "propertyUrl": EX + "at", "datatype": "dateTime"},
        {
            "name": "public",
            "titles": "public",
            "propertyUrl": EX + "public",
            "datatype": {"base": "boolean", "format": "có|không"},
        },
        {"name": "note", "titles": "note", "propertyUrl": EX + "note", "lang": "vi", "null": "-"},
    ]
    metadata = {
        "@context": "http://www.w3.org/ns/csvw",
        "url": "events.csv",
        "tableSchema": {"aboutUrl": EX + "event/{id}", "columns": columns},
    }
    (tmp_path / "events.csv-metadata.json").write_text(json.dumps(metadata), encoding="utf-8")

    ingest(store, tmp_path / "events.csv")

    a, b = iri(EX + "event/hoi-thao"), iri(EX + "event/hoi-nghi")
    assert stored_lines(store, data_graph("events.csv")) == {
        nt(a, iri(EX + "day"), lit("2024-08-27", datatype="date")),
        nt(a, iri(EX + "month"), lit("2024-08", datatype="gYearMonth")),
        nt(a, iri(EX + "at"), lit("2024-08-27T09:30:00+07:00", datatype="dateTime")),
        nt(a, iri(EX + "public"), lit("true", datatype="boolean")),
        nt(b, iri(EX + "day"), lit("2025-01-02", datatype="date")),
        nt(b, iri(EX + "month"), lit("2025-01", datatype="gYearMonth")),
        nt(b, iri(EX + "at"), lit("2025-01-02T14:00:00Z", datatype="dateTime")),
        nt(b, iri(EX + "public"), lit("false", datatype="boolean")),
        nt(b, iri(EX + "note"), lit("ghi chú", lang="vi")),
    }


def test_a_tab_separated_table_with_a_csvw_dialect(store: LocalStore, tmp_path: Path) -> None:
    tsv = THINGS_CSV.replace(",", "\t")
    (tmp_path / "things.tsv").write_text(tsv, encoding="utf-8")
    metadata = dict(THINGS_METADATA, url="things.tsv", dialect={"delimiter": "\t", "header": True})
    (tmp_path / "things.tsv-metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    ingest(store, tmp_path / "things.tsv")
    assert stored_lines(store, data_graph("things.tsv")) == _expected_things(_csv_rows(THINGS_CSV))


def test_an_xlsx_sheet_with_its_csvw_mapping(store: LocalStore, tmp_path: Path) -> None:
    from openpyxl import Workbook

    rows = _csv_rows(THINGS_CSV)
    book = Workbook()
    cover = book.active
    cover.title = "Read me"
    cover["A1"] = "The second sheet holds the data."
    sheet = book.create_sheet("Things")
    sheet.append(list(rows[0]))
    for row in rows:  # numbers as numbers, dates as dates, as a spreadsheet keeps them
        sheet.append(
            [
                row["id"],
                row["name_vi"],
                row["name_zh"],
                int(row["founded"]),
                datetime.date.fromisoformat(row["signed"]),
                row["tags"],
                int(row["staff"]),
            ]
        )
    book.save(tmp_path / "things.xlsx")
    metadata = dict(THINGS_METADATA, url="things.xlsx#sheet=Things")
    (tmp_path / "things.xlsx-metadata.json").write_text(json.dumps(metadata), encoding="utf-8")

    ingest(store, tmp_path / "things.xlsx")

    assert stored_lines(store, data_graph("things.xlsx")) == _expected_things(rows)


# --------------------------------------------------------------------------- JSON and YAML records

RECORDS_JSON = """\
[
  {
    "id": "cgr:agreement/vnu-tsinghua-mou-2024",
    "type": "Agreement",
    "label": {"vi": "Biên bản ghi nhớ hợp tác", "en": "Memorandum of understanding", "zh": "合作谅解备忘录"},
    "dateSigned": "2024-08-27",
    "party": ["cgr:organization/vnu-hanoi", "cgr:organization/tsinghua-university"],
    "topic": "cgv:topic/student-exchange",
    "scope": {"en": ["exchange of students", "joint research"]}
  },
  {
    "id": "cgr:organization/vnu-hanoi",
    "type": "HigherEducationInstitution",
    "label": {"vi": "Đại học Quốc gia Hà Nội"}
  }
]
"""

RECORDS_YAML = """\
# The same records as RECORDS_JSON, as a steward writes them in YAML.
- id: cgr:agreement/vnu-tsinghua-mou-2024
  type: Agreement
  label:
    vi: Biên bản ghi nhớ hợp tác
    en: Memorandum of understanding
    zh: 合作谅解备忘录
  dateSigned: 2024-08-27   # an unquoted YAML date
  party: [cgr:organization/vnu-hanoi, cgr:organization/tsinghua-university]
  topic: cgv:topic/student-exchange
  scope:
    en:
      - exchange of students
      - joint research

- id: cgr:organization/vnu-hanoi
  type: HigherEducationInstitution
  label:
    vi: Đại học Quốc gia Hà Nội
"""


def _records_oracle() -> rdflib.Graph:
    """rdflib's JSON-LD processor reading the records with the project context."""
    document = {"@context": CONTEXT, "@graph": json.loads(RECORDS_JSON)}
    return rdflib.Graph().parse(data=json.dumps(document), format="json-ld")


def _values(records: list[dict]) -> int:
    """How many triples the records state: one per value (language maps and lists count each)."""

    def n(value: object) -> int:
        if isinstance(value, dict):
            return sum(n(v) for v in value.values())
        return len(value) if isinstance(value, list) else 1

    return sum(n(v) for record in records for k, v in record.items() if k != "id")


def _expand(curie: str) -> str:
    prefix, local = curie.split(":", 1)
    return CONTEXT[prefix] + local


@pytest.mark.parametrize("name", ["records.json", "records.yaml"])
def test_json_and_yaml_records_without_context_are_read_with_the_project_context(
    store: LocalStore, tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    path.write_text(RECORDS_JSON if name.endswith(".json") else RECORDS_YAML, encoding="utf-8")
    expected = _records_oracle()
    assert len(expected) == _values(json.loads(RECORDS_JSON))  # premise: every key is a term of the context

    ingest(store, path)

    graph = data_graph(name)
    actual = stored(store, graph)
    assert isomorphic(actual, expected)
    agreement = rdflib.URIRef(_expand("cgr:agreement/vnu-tsinghua-mou-2024"))
    signed = rdflib.URIRef(_expand(CONTEXT["dateSigned"]["@id"]))
    assert list(actual.objects(agreement, signed)) == [
        rdflib.Literal("2024-08-27", datatype=rdflib.URIRef(XSD + "date"))
    ]
    label = rdflib.URIRef(_expand(CONTEXT["label"]["@id"]))
    assert rdflib.Literal("合作谅解备忘录", lang="zh") in set(actual.objects(agreement, label))
    record = store.records()[graph]
    assert record.used == (BASE + "context.jsonld",)


def test_records_naming_the_published_context_use_the_local_copy(store: LocalStore, tmp_path: Path) -> None:
    path = tmp_path / "records.json"
    document = {"@context": BASE + "context.jsonld", "@graph": json.loads(RECORDS_JSON)}
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    ingest(store, path)
    assert isomorphic(stored(store, data_graph("records.json")), _records_oracle())


# --------------------------------------------------------------------------- folders


def test_a_folder_is_ingested_recursively_with_keys_relative_to_it(tmp_path: Path) -> None:
    folder = tmp_path / "partner"
    (folder / "sub" / "deeper").mkdir(parents=True)
    (folder / "tables").mkdir()
    (folder / ".hidden").mkdir()
    (folder / "top.ttl").write_text(TURTLE, encoding="utf-8")
    (folder / "sub" / "a.nt").write_text(_serialized("nt"), encoding="utf-8")
    (folder / "sub" / "Đà Nẵng.ttl").write_text(f"<{EX}da-nang> <{EX}p> 1 .\n", encoding="utf-8")
    (folder / "sub" / "deeper" / "records.yaml").write_text(RECORDS_YAML, encoding="utf-8")
    (folder / "tables" / "things.csv").write_text(THINGS_CSV, encoding="utf-8")
    (folder / "tables" / "things.csv-metadata.json").write_text(json.dumps(THINGS_METADATA), encoding="utf-8")
    # Skipped without a word: documentation beside the data, hidden files and folders.
    (folder / "README.md").write_text("# Partner X data\n", encoding="utf-8")
    (folder / "notes.txt").write_text("to do\n", encoding="utf-8")
    (folder / ".hidden" / "secret.ttl").write_text(f"<{EX}secret> <{EX}p> 1 .\n", encoding="utf-8")
    (folder / "sub" / ".draft.ttl").write_text(f"<{EX}draft> <{EX}p> 1 .\n", encoding="utf-8")
    keys = {"top.ttl", "sub/a.nt", "sub/Đà Nẵng.ttl", "sub/deeper/records.yaml", "tables/things.csv"}

    store_dir = tmp_path / "store"
    done = coopgraph("ingest", str(folder), "--prefix", "partner-x/", "--format", "json", store=store_dir)

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    summary = json.loads(done.stdout)
    assert {g["key"] for g in summary["loaded"]} == {"partner-x/" + k for k in keys}
    assert all(g["graph"] == data_graph(g["key"]) for g in summary["loaded"])
    store = LocalStore(store_dir, create=False)
    assert store.graph_names() == {data_graph("partner-x/" + k) for k in keys} | {CATALOG}
    records = store.records()
    for loaded in summary["loaded"]:
        record = records[loaded["graph"]]
        n = int(
            next(
                iter(
                    store.query(
                        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{loaded['graph']}> {{ ?s ?p ?o }} }}"
                    )
                )
            )["n"].value
        )
        assert record.key == loaded["key"]
        assert record.triples == loaded["triples"] == n > 0
    secret = store.query(f"ASK {{ {{ <{EX}secret> ?p ?o }} UNION {{ <{EX}draft> ?p ?o }} }}")
    assert not bool(secret)
    assert isomorphic(
        stored(store, data_graph("partner-x/tables/things.csv")),
        rdflib.Graph().parse(data="\n".join(_expected_things(_csv_rows(THINGS_CSV))), format="nt"),
    )


# --------------------------------------------------------------------------- the seed dataset


def _bootstrap_files() -> dict[str, tuple[str, Path]]:
    """What 'coopgraph init' is meant to load: key -> (role, file), from the folders themselves."""
    files: dict[str, tuple[str, Path]] = {}
    for path in sorted((PROJECT / "ontology").glob("*.ttl")):
        files[path.name] = ("ontology", path)
    for path in sorted((PROJECT / "ontology" / "vocabularies").rglob("*.ttl")):
        files[path.relative_to(PROJECT / "ontology" / "vocabularies").as_posix()] = ("vocabulary", path)
    for path in sorted((PROJECT / "shapes").rglob("*.ttl")):
        files[path.relative_to(PROJECT / "shapes").as_posix()] = ("shapes", path)
    for path in sorted((PROJECT / "data").rglob("*")):
        if path.is_file() and not path.name.endswith("-metadata.json") and path.suffix != ".md":
            files["seed/" + path.relative_to(PROJECT / "data").as_posix()] = ("data", path)
    return files


def test_init_loads_every_seed_file_as_a_graph_of_its_own(seeded_store: Path) -> None:
    expected = _bootstrap_files()
    assert sum(role == "data" for role, _ in expected.values()) >= 5  # the premise: there is seed data
    store = LocalStore(seeded_store, create=False)
    records = store.records()
    assert {(r.key, r.role) for r in records.values()} == {(k, role) for k, (role, _) in expected.items()}
    for graph, record in records.items():
        assert graph == f"{BASE}graph/{record.role}/{quote(record.key, safe='/-._~')}"
        assert record.source == source_iri(record.key)
        n = next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")))
        assert record.triples == int(n["n"].value) > 0
    assert store.graph_names() == set(records) | {CATALOG}
    # The Turtle files hold what an independent parser reads from them.
    for key, (role, path) in expected.items():
        if path.suffix == ".ttl":
            graph = f"{BASE}graph/{role}/{quote(key, safe='/-._~')}"
            oracle = rdflib.Graph().parse(path, format="turtle", publicID=source_iri(key))
            assert isomorphic(stored(store, graph), _as_oxigraph_stores(oracle)), key


#: Oxigraph stores the integer types derived from xsd:integer as xsd:integer ("23"^^xsd:nonNegativeInteger
#: comes back as "23"^^xsd:integer); ingest/shacl/datatypes.py documents it and validates accordingly.
_DERIVED_INTEGERS = {
    XSD + t
    for t in [
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    ]
}


def _as_oxigraph_stores(graph: rdflib.Graph) -> rdflib.Graph:
    out = rdflib.Graph()
    for s, p, o in graph:
        if isinstance(o, rdflib.Literal) and str(o.datatype) in _DERIVED_INTEGERS:
            o = rdflib.Literal(str(int(str(o))), datatype=rdflib.URIRef(XSD + "integer"))
        out.add((s, p, o))
    return out


def test_the_seed_store_conforms_to_its_shapes(store_copy: Path) -> None:
    done = coopgraph("validate", "--format", "json", store=store_copy)
    assert "Traceback" not in done.stderr
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["conforms"] is True
    assert report["focusNodes"] is None  # every node was checked
    assert len(report["shapesGraphs"]) == len(list((PROJECT / "shapes").rglob("*.ttl")))
    assert all(r["severity"] != "Violation" for r in report["results"])


def test_reingesting_the_seed_dataset_changes_nothing(store_copy: Path) -> None:
    store = LocalStore(store_copy, create=False)
    before = store.generation
    data = [PROJECT / "data"]
    sources, problems = discover(data, role="data", prefix="seed/")
    assert problems == []
    result = run(store, sources)
    assert result.loaded == []
    assert len(result.unchanged) == len(sources)
    assert store.generation == before
