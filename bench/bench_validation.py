#!/usr/bin/env python3
"""Benchmark: SHACL validation with ingest.shacl (SPARQL on Oxigraph) against pyshacl.

Generates synthetic organisation / agreement / project data (N-Triples, with about 2% of the entities
broken in one way or another) and a shapes graph of 9 node shapes and 35 constraints (sh:class,
sh:datatype incl. ill-typed dates, sh:minCount, sh:maxCount, sh:pattern, sh:in, sh:nodeKind,
sh:minInclusive, sh:node and a SPARQL constraint), then validates the same data with each contender,
each in its own subprocess so that its peak RSS can be measured:

  ours           ingest.shacl on an in-memory pyoxigraph Store (bulk_load of the N-Triples)
  pyshacl        pyshacl.validate on an rdflib Graph (parse of the same N-Triples)
  pyshacl-store  pyshacl.validate given the pyoxigraph Store directly as the data graph

Usage:
  python bench/bench_validation.py [--sizes 100k,1M] [--contenders ours,pyshacl,pyshacl-store]
                                   [--focus N] [--timeout SECONDS] [--keep DIR]

Prints, per size, load / validate times, the number of results, peak RSS and the ratios against ours,
and checks that every contender finds the same number of results. Not a test: no time limits.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

SHAPES = """\
@prefix cg:      <https://w3id.org/coopgraph/ontology#> .
@prefix cgsh:    <https://w3id.org/coopgraph/shapes#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema:  <http://schema.org/> .
@prefix sh:      <http://www.w3.org/ns/shacl#> .
@prefix vocab:   <https://w3id.org/coopgraph/vocab/> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .

cgsh: sh:declare [ sh:prefix "cg" ; sh:namespace "https://w3id.org/coopgraph/ontology#"^^xsd:anyURI ] .

cgsh:OrganisationShape a sh:NodeShape ;
    sh:targetClass cg:Organisation ;
    sh:property [ sh:path rdfs:label ; sh:minCount 1 ; sh:datatype rdf:langString ;
                  sh:message "An organisation needs a name."@en , "Tổ chức cần có tên."@vi ] ;
    sh:property [ sh:path cg:country ; sh:minCount 1 ; sh:maxCount 1 ;
                  sh:in ( vocab:VN vocab:CN vocab:JP vocab:DE vocab:FR
                          vocab:KR vocab:TH vocab:LA vocab:KH vocab:SG ) ] ;
    sh:property [ sh:path cg:homepage ; sh:maxCount 1 ; sh:nodeKind sh:IRI ; sh:pattern "^https?://" ] ;
    sh:property [ sh:path cg:founded ; sh:maxCount 1 ; sh:datatype xsd:gYear ] ;
    sh:property [ sh:path cg:orgType ; sh:minCount 1 ;
                  sh:in ( vocab:University vocab:Ministry vocab:Company vocab:NGO vocab:Network ) ] .

cgsh:OrgRefShape a sh:NodeShape ;
    sh:property [ sh:path rdfs:label ; sh:minCount 1 ] ;
    sh:property [ sh:path cg:country ; sh:minCount 1 ] .

cgsh:AgreementShape a sh:NodeShape ;
    sh:targetClass cg:Agreement ;
    sh:property [ sh:path dcterms:title ; sh:minCount 1 ; sh:datatype rdf:langString ] ;
    sh:property [ sh:path cg:identifier ; sh:minCount 1 ; sh:maxCount 1 ; sh:pattern "^AG-[0-9]{6}$" ] ;
    sh:property [ sh:path cg:agreementType ; sh:minCount 1 ; sh:maxCount 1 ;
                  sh:in ( vocab:MoU vocab:StudentExchange vocab:Network vocab:Research ) ] ;
    sh:property [ sh:path cg:signedOn ; sh:maxCount 1 ; sh:datatype xsd:date ] ;
    sh:property [ sh:path cg:startDate ; sh:datatype xsd:date ] ;
    sh:property [ sh:path cg:party ; sh:minCount 2 ; sh:class cg:Organisation ; sh:node cgsh:OrgRefShape ] ;
    sh:sparql [
        sh:message "The agreement ends before it starts."@en , "Thỏa thuận kết thúc trước khi bắt đầu."@vi ;
        sh:prefixes cgsh: ;
        sh:select \"\"\"SELECT $this ?value WHERE {
            $this cg:startDate ?start ; cg:endDate ?value . FILTER (?value < ?start) }\"\"\"
    ] .

cgsh:SigningShape a sh:NodeShape ;
    sh:targetClass cg:Signing ;
    sh:property [ sh:path cg:agreement ; sh:minCount 1 ; sh:maxCount 1 ; sh:class cg:Agreement ] ;
    sh:property [ sh:path cg:signatory ; sh:minCount 1 ; sh:class schema:Person ] ;
    sh:property [ sh:path cg:role ; sh:in ( cg:Signatory cg:Witness ) ] .

cgsh:PersonShape a sh:NodeShape ;
    sh:targetClass schema:Person ;
    sh:property [ sh:path schema:name ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:string ] ;
    sh:property [ sh:path schema:email ; sh:pattern "^[^@ ]+@[^@ ]+$" ] .

cgsh:ProjectShape a sh:NodeShape ;
    sh:targetClass cg:Project ;
    sh:property [ sh:path dcterms:title ; sh:minCount 1 ] ;
    sh:property [ sh:path cg:budget ; sh:maxCount 1 ; sh:datatype xsd:decimal ; sh:minInclusive 0 ] ;
    sh:property [ sh:path cg:fundedBy ; sh:minCount 1 ; sh:class cg:Funder ] ;
    sh:property [ sh:path cg:programme ; sh:maxCount 1 ; sh:class cg:Programme ] .

cgsh:FunderShape a sh:NodeShape ;
    sh:targetClass cg:Funder ;
    sh:property [ sh:path rdfs:label ; sh:minCount 1 ] .

cgsh:ProgrammeShape a sh:NodeShape ;
    sh:targetClass cg:Programme ;
    sh:property [ sh:path rdfs:label ; sh:minCount 1 ] ;
    sh:property [ sh:path cg:fundedBy ; sh:class cg:Funder ] .
"""

CG = "https://w3id.org/coopgraph/ontology#"
ID = "https://w3id.org/coopgraph/id/"
VOCAB = "https://w3id.org/coopgraph/vocab/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
TITLE = "<http://purl.org/dc/terms/title>"
NAME = "<http://schema.org/name>"
EMAIL = "<http://schema.org/email>"
PERSON = "<http://schema.org/Person>"
XSD = "http://www.w3.org/2001/XMLSchema#"
COUNTRIES = ["VN", "CN", "JP", "DE", "FR", "KR", "TH", "LA", "KH", "SG"]
ORG_TYPES = ["University", "Ministry", "Company", "NGO", "Network"]
AGREEMENT_TYPES = ["MoU", "StudentExchange", "Network", "Research"]


def cg(local: str) -> str:
    return f"<{CG}{local}>"


def rid(kind: str, n: int) -> str:
    return f"<{ID}{kind}/{n}>"


def lit(text: str, lang: str | None = None, dt: str | None = None) -> str:
    body = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if lang:
        return f"{body}@{lang}"
    if dt:
        return f"{body}^^<{XSD}{dt}>"
    return body


def generate(target: int, out: Path, seed: int = 7) -> int:
    """Write about ``target`` triples of synthetic data; about 2% of entities break a constraint."""
    rnd = random.Random(seed)
    lines: list[str] = []
    add = lines.append
    scale = max(1, target // 61)  # about 61 triples per unit of scale
    n_org, n_person, n_funder, n_prog = scale * 2, scale * 2, max(5, scale // 20), max(5, scale // 10)
    n_agreement, n_project = scale * 2, scale

    def bad() -> bool:
        return rnd.random() < 0.02

    for i in range(n_funder):
        add(f"{rid('funder', i)} {RDF_TYPE} {cg('Funder')} .")
        if not bad():
            add(f"{rid('funder', i)} {LABEL} {lit(f'Funder {i}', 'en')} .")
    for i in range(n_prog):
        p = rid("programme", i)
        add(f"{p} {RDF_TYPE} {cg('Programme')} .")
        add(f"{p} {LABEL} {lit(f'Programme {i}', 'en')} .")
        add(f"{p} {cg('fundedBy')} {rid('funder', rnd.randrange(n_funder))} .")
    for i in range(n_org):
        o = rid("org", i)
        add(f"{o} {RDF_TYPE} {cg('Organisation')} .")
        if not bad():
            add(f"{o} {LABEL} {lit(f'Trường Đại học số {i}', 'vi')} .")
            add(f"{o} {LABEL} {lit(f'University no. {i}', 'en')} .")
        country = rnd.choice(COUNTRIES) if not bad() else "XX"
        add(f"{o} {cg('country')} <{VOCAB}{country}> .")
        if bad():
            add(f"{o} {cg('country')} <{VOCAB}{rnd.choice(COUNTRIES)}> .")
        home = f"https://uni{i}.example.edu/" if not bad() else f"ftp://uni{i}.example.edu/"
        add(f"{o} {cg('homepage')} <{home}> .")
        add(f"{o} {cg('founded')} {lit(str(1900 + i % 120), dt='gYear')} .")
        add(f"{o} {cg('orgType')} <{VOCAB}{rnd.choice(ORG_TYPES)}> .")
    for i in range(n_person):
        p = rid("person", i)
        add(f"{p} {RDF_TYPE} {PERSON} .")
        add(f"{p} {NAME} {lit(f'Nguyễn Văn {i}')} .")
        if bad():
            add(f"{p} {NAME} {lit(f'Nguyen Van {i}')} .")
        email = f"person{i}@example.edu" if not bad() else f"person{i} at example.edu"
        add(f"{p} {EMAIL} {lit(email)} .")
    signing = 0
    for i in range(n_agreement):
        a = rid("agreement", i)
        add(f"{a} {RDF_TYPE} {cg('Agreement')} .")
        add(f"{a} {TITLE} {lit(f'Biên bản ghi nhớ hợp tác {i}', 'vi')} .")
        add(f"{a} {TITLE} {lit(f'Memorandum of understanding {i}', 'en')} .")
        ident = f"AG-{i:06d}" if not bad() else f"AG{i}"
        add(f"{a} {cg('identifier')} {lit(ident)} .")
        kind = rnd.choice(AGREEMENT_TYPES) if not bad() else "Treaty"
        add(f"{a} {cg('agreementType')} <{VOCAB}{kind}> .")
        year = 2000 + i % 25
        signed = f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}" if not bad() else f"{year}-13-45"
        add(f"{a} {cg('signedOn')} {lit(signed, dt='date')} .")
        add(f"{a} {cg('startDate')} {lit(f'{year}-01-01', dt='date')} .")
        end_year = year + 5 if not bad() else year - 1
        add(f"{a} {cg('endDate')} {lit(f'{end_year}-01-01', dt='date')} .")
        parties = 2 if not bad() else 1
        for _ in range(parties):
            party = rid("org", rnd.randrange(n_org)) if not bad() else rid("person", rnd.randrange(n_person))
            add(f"{a} {cg('party')} {party} .")
        for _ in range(2):
            s = rid("signing", signing)
            signing += 1
            add(f"{s} {RDF_TYPE} {cg('Signing')} .")
            add(f"{s} {cg('agreement')} {a} .")
            who = rid("person", rnd.randrange(n_person)) if not bad() else rid("org", rnd.randrange(n_org))
            add(f"{s} {cg('signatory')} {who} .")
            add(f"{s} {cg('role')} {cg('Signatory' if not bad() else 'Observer')} .")
    for i in range(n_project):
        p = rid("project", i)
        add(f"{p} {RDF_TYPE} {cg('Project')} .")
        if not bad():
            add(f"{p} {TITLE} {lit(f'Dự án {i}', 'vi')} .")
        budget = f"{rnd.randrange(10_000, 5_000_000)}.00" if not bad() else "-10.00"
        add(f"{p} {cg('budget')} {lit(budget, dt='decimal')} .")
        funder = rid("funder", rnd.randrange(n_funder)) if not bad() else rid("org", rnd.randrange(n_org))
        add(f"{p} {cg('fundedBy')} {funder} .")
        add(f"{p} {cg('programme')} {rid('programme', rnd.randrange(n_prog))} .")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


# --------------------------------------------------------------------------- contenders (child processes)
def child(contender: str, data: Path, shapes: Path, focus: int) -> dict[str, Any]:
    out: dict[str, Any] = {"contender": contender}
    if contender == "ours":
        import pyoxigraph as ox

        sys.path.insert(0, str(ROOT))
        from ingest.shacl import Shapes

        t = time.perf_counter()
        store = ox.Store()
        store.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES)
        out["load_s"] = time.perf_counter() - t
        t = time.perf_counter()
        compiled = Shapes.from_quads(ox.parse(path=str(shapes), format=ox.RdfFormat.TURTLE))
        out["compile_s"] = time.perf_counter() - t
        t = time.perf_counter()
        report = compiled.validate(store)
        out["validate_s"] = time.perf_counter() - t
        out["results"] = len(report.results)
        out["queries"] = report.queries
        t = time.perf_counter()
        report = compiled.validate(store)  # second run: compiled queries cached
        out["validate2_s"] = time.perf_counter() - t
        if focus:
            rows = store.query(f"SELECT ?s WHERE {{ ?s a <{CG}Agreement> }} LIMIT {focus}")
            nodes = [r["s"] for r in rows]
            t = time.perf_counter()
            small = compiled.validate(store, focus=nodes)
            out["focus_s"] = time.perf_counter() - t
            out["focus_nodes"] = len(nodes)
            out["focus_results"] = len(small.results)
    else:
        import logging

        import pyshacl
        import rdflib

        logging.disable(logging.CRITICAL)  # rdflib logs every ill-typed literal
        shapes_graph = rdflib.Graph().parse(shapes, format="turtle")
        t = time.perf_counter()
        if contender == "pyshacl":
            graph: Any = rdflib.Graph().parse(data, format="nt")
        else:
            import pyoxigraph as ox

            graph = ox.Store()
            graph.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES)
        out["load_s"] = time.perf_counter() - t
        t = time.perf_counter()
        _conforms, report, _text = pyshacl.validate(
            graph, shacl_graph=shapes_graph, inference="none", allow_warnings=True
        )
        out["validate_s"] = time.perf_counter() - t
        sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
        out["results"] = len(set(report.objects(None, sh.result)))
    out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def run_child(contender: str, data: Path, shapes: Path, focus: int, timeout: float) -> dict[str, Any]:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        contender,
        "--data",
        str(data),
        "--shapes",
        str(shapes),
        "--focus",
        str(focus),
    ]
    t = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"contender": contender, "error": f"timed out after {timeout:.0f} s"}
    if proc.returncode != 0:
        return {
            "contender": contender,
            "error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed",
        }
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_s"] = time.perf_counter() - t
    return result


def parse_size(text: str) -> int:
    text = text.strip().lower()
    mult = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * mult)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100k,1M", help="comma-separated triple counts, e.g. 100k,1M")
    ap.add_argument("--contenders", default="ours,pyshacl,pyshacl-store")
    ap.add_argument("--focus", type=int, default=1000, help="also time ours with this many focus nodes")
    ap.add_argument(
        "--pyshacl-store-max",
        default="100k",
        help="run pyshacl-store only up to this size (it needs about 15 min for 100k triples)",
    )
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per contender run")
    ap.add_argument("--keep", type=Path, help="write the generated files here instead of a temp dir")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--shapes", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.child, a.data, a.shapes, a.focus)))
        return 0

    workdir = a.keep or Path(tempfile.mkdtemp(prefix="bench-shacl-"))
    workdir.mkdir(parents=True, exist_ok=True)
    shapes = workdir / "shapes.ttl"
    shapes.write_text(SHAPES, encoding="utf-8")
    contenders = [c.strip() for c in a.contenders.split(",") if c.strip()]
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    ok = True
    for size_text in a.sizes.split(","):
        size = parse_size(size_text)
        data = workdir / f"data-{size_text.strip()}.nt"
        triples = generate(size, data)
        print(f"\n== {size_text.strip()}: {triples:,} triples ({data.stat().st_size / 1e6:.0f} MB N-Triples)")
        rows = []
        for c in contenders:
            if c == "pyshacl-store" and size > parse_size(a.pyshacl_store_max):
                rows.append(
                    {"contender": c, "skipped": f"skipped above {a.pyshacl_store_max} (--pyshacl-store-max)"}
                )
                continue
            rows.append(run_child(c, data, shapes, a.focus, a.timeout))
        ours = next((r for r in rows if r["contender"] == "ours" and "results" in r), None)
        print(
            f"{'contender':14} {'load s':>8} {'validate s':>11} {'results':>8} {'peak RSS MB':>12} "
            f"{'validate ×ours':>15} {'load+validate ×ours':>20}"
        )
        for r in rows:
            if "skipped" in r:
                print(f"{r['contender']:14} {r['skipped']}")
                continue
            if "error" in r:
                print(f"{r['contender']:14} {r['error']}")
                ok = False
                continue
            load, val = float(r["load_s"]), float(r["validate_s"])
            ratio = ratio_total = ""
            if ours is not None and r is not ours:
                ratio = f"{val / float(ours['validate_s']):.1f}"
                total_ours = float(ours["load_s"]) + float(ours["validate_s"])
                ratio_total = f"{(load + val) / total_ours:.1f}"
            print(
                f"{r['contender']:14} {load:8.2f} {val:11.2f} {r['results']:>8} "
                f"{float(r['maxrss_mb']):12.0f} {ratio:>15} {ratio_total:>20}"
            )
        if ours is not None:
            print(
                f"ours: {ours['queries']} queries; second validate (cached) "
                f"{float(ours['validate2_s']):.2f} s; compile {float(ours['compile_s']) * 1000:.0f} ms"
            )
            if "focus_s" in ours:
                print(
                    f"ours with focus={ours['focus_nodes']} agreements: {float(ours['focus_s']):.3f} s, "
                    f"{ours['focus_results']} results"
                )
        counts = {r["results"] for r in rows if "results" in r}
        if len(counts) > 1:
            ok = False
            print(
                "MISMATCH: the contenders found different numbers of results:",
                {r["contender"]: r.get("results") for r in rows},
            )
        else:
            print(f"all contenders found the same number of results: {counts.pop() if counts else '-'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
