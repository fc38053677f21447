"""The report's own words, in the languages it is written in (the findings' messages come from the shapes)."""

from __future__ import annotations

from typing import Any

WORDS: dict[str, dict[str, Any]] = {
    "en": {
        "title": "Validation report",
        "subject": "Validated",
        "created": "Created",
        "conforms": "The data conforms to the shapes: nothing must be fixed.",
        "fails": "The data does not conform: the violations below must be fixed before it can be loaded.",
        "unchecked": "Nothing was checked: the store holds no shapes.",
        "summary": "Summary",
        "shape": "Check",
        "total": "Total",
        "Violation": "Violations",
        "Warning": "Warnings",
        "Info": "Notes",
        "one-Violation": "Violation",
        "one-Warning": "Warning",
        "one-Info": "Note",
        "findings": "Findings",
        "severity": "Severity",
        "where": "Where",
        "resource": "Resource",
        "path": "Property",
        "value": "Value",
        "message": "Problem",
        "fix": "How to fix it",
        "filter": "Filter",
        "all": "all",
        "row": "row",
        "line": "line",
        "column": "column",
        "sheet": "sheet",
        "graph": "graph",
        "more": "and {n} more findings, counted but not detailed here",
        "shown": "{n} of {total} findings shown",
        "head": "{violations} violation(s), {warnings} warning(s); checked {scope} against {graphs} shapes "
        "graph(s) in {seconds} s",
        "every-node": "every node",
        "nodes": "{n} node(s) the batch touches",
        "nothing-checked": "nothing was checked: the store holds no shapes",
        "path-of": "path {path}",
        "value-of": "value {value}",
        "fix-line": "fix: {fix}",
        "shape-line": "shape {shape}{name}, constraint sh:{component}",
        "check-line": "check: {name}",
        "full-in": "the full report is in {path}",
        "more-in": "... and {n} more: the full report is in {path}",
        "more-write": "... and {n} more (write them all with --report FILE.html, .csv, .ttl or .jsonld)",
        "no-store": "note: there is no store at {store}; the files were checked against the project's shapes "
        "and vocabularies only",
        "no-shapes": "note: the store at {store} holds no shapes; the files were checked against the "
        "project's shapes and vocabularies",
        "nothing-written": "nothing was written",
        "error": "error",
        "more-errors": "... and {n} more",
        "rejected": "rejected: {text}",
        "csv": {},
    },
    "vi": {
        "title": "Báo cáo kiểm tra dữ liệu",
        "subject": "Đã kiểm tra",
        "created": "Thời điểm",
        "conforms": "Dữ liệu phù hợp với các ràng buộc: không có gì bắt buộc phải sửa.",
        "fails": "Dữ liệu chưa phù hợp: cần sửa các vi phạm dưới đây trước khi nạp.",
        "unchecked": "Chưa kiểm tra gì: kho dữ liệu không có ràng buộc nào.",
        "summary": "Tóm tắt",
        "shape": "Ràng buộc",
        "total": "Tổng",
        "Violation": "Vi phạm",
        "Warning": "Cảnh báo",
        "Info": "Ghi chú",
        "one-Violation": "Vi phạm",
        "one-Warning": "Cảnh báo",
        "one-Info": "Ghi chú",
        "findings": "Chi tiết",
        "severity": "Mức độ",
        "where": "Vị trí",
        "resource": "Đối tượng",
        "path": "Thuộc tính",
        "value": "Giá trị",
        "message": "Vấn đề",
        "fix": "Cách sửa",
        "filter": "Lọc",
        "all": "tất cả",
        "row": "dòng",
        "line": "dòng",
        "column": "cột",
        "sheet": "trang tính",
        "graph": "đồ thị",
        "more": "và {n} kết quả khác, đã được đếm nhưng không liệt kê ở đây",
        "shown": "hiển thị {n} trên {total} kết quả",
        "head": "{violations} vi phạm, {warnings} cảnh báo; đã kiểm tra {scope} theo {graphs} đồ thị "
        "ràng buộc trong {seconds} giây",
        "every-node": "mọi nút",
        "nodes": "{n} nút mà lô dữ liệu chạm tới",
        "nothing-checked": "chưa kiểm tra gì: kho dữ liệu không có ràng buộc nào",
        "path-of": "thuộc tính {path}",
        "value-of": "giá trị {value}",
        "fix-line": "cách sửa: {fix}",
        "shape-line": "ràng buộc {shape}{name}, điều kiện sh:{component}",
        "check-line": "phép kiểm tra: {name}",
        "full-in": "báo cáo đầy đủ nằm trong {path}",
        "more-in": "... và {n} kết quả khác: báo cáo đầy đủ nằm trong {path}",
        "more-write": "... và {n} kết quả khác (ghi toàn bộ bằng --report TỆP.html, .csv, .ttl hoặc .jsonld)",
        "no-store": "lưu ý: không có kho dữ liệu tại {store}; các tệp chỉ được kiểm tra theo ràng buộc "
        "và bộ từ vựng của dự án",
        "no-shapes": "lưu ý: kho dữ liệu tại {store} không có ràng buộc nào; các tệp được kiểm tra theo "
        "ràng buộc và bộ từ vựng của dự án",
        "nothing-written": "không có gì được ghi vào kho",
        "error": "lỗi",
        "more-errors": "... và {n} lỗi khác",
        "rejected": "bị từ chối: {text}",
        "csv": {
            "severity": "mức độ",
            "kind": "loại",
            "file": "tệp",
            "sheet": "trang tính",
            "row": "dòng",
            "line": "dòng tệp",
            "column": "cột",
            "graph": "đồ thị",
            "resource": "đối tượng",
            "label": "nhãn",
            "path": "thuộc tính",
            "value": "giá trị",
            "message": "vấn đề",
            "fix": "cách sửa",
            "check": "phép kiểm tra",
            "shape": "ràng buộc",
            "constraint": "điều kiện",
        },
    },
    "fr": {
        "title": "Rapport de validation",
        "subject": "Données validées",
        "created": "Date",
        "conforms": "Les données respectent les contraintes : rien n'est à corriger.",
        "fails": "Les données ne respectent pas les contraintes : corrigez les violations ci-dessous "
        "avant de les charger.",
        "unchecked": "Rien n'a été vérifié : l'entrepôt ne contient aucune contrainte.",
        "summary": "Résumé",
        "shape": "Contrôle",
        "total": "Total",
        "Violation": "Violations",
        "Warning": "Avertissements",
        "Info": "Remarques",
        "one-Violation": "Violation",
        "one-Warning": "Avertissement",
        "one-Info": "Remarque",
        "findings": "Constats",
        "severity": "Gravité",
        "where": "Emplacement",
        "resource": "Ressource",
        "path": "Propriété",
        "value": "Valeur",
        "message": "Problème",
        "fix": "Comment corriger",
        "filter": "Filtrer",
        "all": "tous",
        "row": "ligne",
        "line": "ligne",
        "column": "colonne",
        "sheet": "feuille",
        "graph": "graphe",
        "more": "et {n} autres constats, comptés mais non détaillés ici",
        "shown": "{n} constats affichés sur {total}",
        "head": "{violations} violation(s), {warnings} avertissement(s) ; vérifié {scope} selon {graphs} "
        "graphe(s) de contraintes en {seconds} s",
        "every-node": "tous les nœuds",
        "nodes": "{n} nœud(s) concernés par le lot",
        "nothing-checked": "rien n'a été vérifié : l'entrepôt ne contient aucune contrainte",
        "path-of": "propriété {path}",
        "value-of": "valeur {value}",
        "fix-line": "correction : {fix}",
        "shape-line": "contrainte {shape}{name}, composant sh:{component}",
        "check-line": "contrôle : {name}",
        "full-in": "le rapport complet se trouve dans {path}",
        "more-in": "... et {n} autres : le rapport complet se trouve dans {path}",
        "more-write": "... et {n} autres (écrivez-les tous avec --report FICHIER.html, .csv, .ttl "
        "ou .jsonld)",
        "no-store": "remarque : il n'y a pas d'entrepôt à {store} ; les fichiers ont été vérifiés selon les "
        "seules contraintes et vocabulaires du projet",
        "no-shapes": "remarque : l'entrepôt à {store} ne contient aucune contrainte ; les fichiers ont été "
        "vérifiés selon les contraintes et vocabulaires du projet",
        "nothing-written": "rien n'a été écrit",
        "error": "erreur",
        "more-errors": "... et {n} autres",
        "rejected": "refusé : {text}",
        "csv": {
            "severity": "gravité",
            "kind": "nature",
            "file": "fichier",
            "sheet": "feuille",
            "row": "ligne",
            "line": "ligne du fichier",
            "column": "colonne",
            "graph": "graphe",
            "resource": "ressource",
            "label": "libellé",
            "path": "propriété",
            "value": "valeur",
            "message": "problème",
            "fix": "correction",
            "check": "contrôle",
            "shape": "contrainte",
            "constraint": "composant",
        },
    },
}


#: The languages the report is written in (its own words, and the shapes' messages and descriptions).
LANGUAGES = tuple(WORDS)


def words(lang: str) -> dict[str, Any]:
    return WORDS.get(lang, WORDS["en"])


def say(lang: str, key: str, **values: object) -> str:
    """One of the report's sentences in ``lang`` (English when it has no such word), filled in."""
    text: str = words(lang).get(key) or WORDS["en"][key]
    return text.format(**values) if values else text


def column_name(lang: str, column: str) -> str:
    """A CSV report's column header in ``lang`` (the English names are the columns' keys)."""
    names: dict[str, str] = words(lang).get("csv") or {}
    return names.get(column, column)


def where_text(finding: object, lang: str = "en") -> str:
    """Where a finding comes from, in the report's language: file, sheet, row or line, column; or graph."""
    w = words(lang)
    parts: list[str] = []
    file = getattr(finding, "file", None)
    if file:
        parts.append(file)
    if getattr(finding, "sheet", None):
        parts.append(f"{w['sheet']} '{finding.sheet}'")  # type: ignore[attr-defined]
    row, line, column = (
        getattr(finding, "row", None),
        getattr(finding, "line", None),
        getattr(finding, "column", None),
    )
    if row is not None:
        parts.append(f"{w['row']} {row}")
    elif line is not None:
        parts.append(f"{w['line']} {line}" + (f":{column}" if isinstance(column, int) else ""))
    if isinstance(column, str) and column:
        parts.append(f"{w['column']} '{column}'")
    graph = getattr(finding, "graph", None)
    if graph and not file:
        parts.append(f"{w['graph']} <{graph}>")
    return ", ".join(parts)
