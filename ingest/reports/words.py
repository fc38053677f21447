"""The report's own words, in the languages it is written in (the findings' messages come from the shapes)."""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
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
    },
}


def words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["en"])


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
