"""Labels in any well-formed BCP 47 language ingest; the main label must still be Vietnamese or English."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import coopgraph

RECORD = """\
@prefix cg:      <https://w3id.org/coopgraph/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .

<https://w3id.org/coopgraph/id/organization/seoul-national-university> a cg:University ;
    rdfs:label {labels} ;
    cg:country <https://w3id.org/coopgraph/vocab/country/kr> ;
    dcterms:source <https://w3id.org/coopgraph/id/article/vnu-tsinghua-2025> .
"""
LABELS = {
    "ko": "서울대학교",
    "th": "มหาวิทยาลัยแห่งชาติโซล",
    "lo": "ມະຫາວິທະຍາໄລແຫ່ງຊາດໂຊລ",
    "km": "សាកលវិទ្យាល័យជាតិសេអ៊ូល",
    "zh-Hant": "首爾大學",
}
QUERY = (
    "SELECT ?label WHERE { <https://w3id.org/coopgraph/id/organization/seoul-national-university> "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?label }"
)


def _write(folder: Path, labels: dict[str, str]) -> Path:
    path = folder / "seoul.ttl"
    text = " , ".join(f'"{value}"@{lang}' for lang, value in labels.items())
    path.write_text(RECORD.replace("{labels}", text), encoding="utf-8")
    return path


def _stored_labels(store: Path) -> dict[str, str]:
    result = coopgraph("query", QUERY, "--format", "json", store=store)
    assert result.returncode == 0, result.stderr
    bindings = json.loads(result.stdout)["results"]["bindings"]
    return {b["label"]["xml:lang"]: b["label"]["value"] for b in bindings}


def test_korean_thai_lao_and_khmer_labels_ingest(store_copy: Path, tmp_path: Path) -> None:
    labels = {"en": "Seoul National University", **LABELS}
    result = coopgraph("ingest", str(_write(tmp_path, labels)), store=store_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _stored_labels(store_copy) == {lang.lower(): value for lang, value in labels.items()}


def test_a_resource_without_a_vietnamese_or_english_label_is_rejected(
    store_copy: Path, tmp_path: Path
) -> None:
    result = coopgraph("ingest", str(_write(tmp_path, LABELS)), store=store_copy)
    assert result.returncode != 0
    assert "no label in Vietnamese or English" in result.stdout + result.stderr
    assert _stored_labels(store_copy) == {}
