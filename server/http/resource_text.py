"""The words of the resource pages in English, Vietnamese and French, and dates written out in each."""

from __future__ import annotations

import re

from coopgraph import iris

XSD = iris.PREFIXES["xsd"]

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "type": "type",
        "statements": "Statements",
        "incoming": "Referred to by",
        "sources": "Sources",
        "articles": "Articles cited",
        "graphs": "Named graphs",
        "graph": "graph",
        "source": "source",
        "other_languages": "other languages",
        "anonymous": "an unnamed node",
        "formats": "This description as",
        "language": "Language",
        "query": "Query",
        "ontology": "Ontology",
        "dataset": "Dataset description",
        "dumps": "Dumps",
        "not_found_title": "Not in this dataset",
        "not_found": "This dataset holds no statement about this IRI, and none that points to it.",
        "did_you_mean": "Did you mean",
        "look_elsewhere": "The query editor searches the whole dataset; the dumps hold all of it.",
        "network": "Network",
        "incoming_shown": "The first {shown} of {count}.",
        "incoming_all": "All of them, page by page",
    },
    "vi": {
        "type": "loại",
        "statements": "Thông tin",
        "incoming": "Được nhắc đến bởi",
        "sources": "Nguồn",
        "articles": "Bài báo được trích dẫn",
        "graphs": "Đồ thị có tên",
        "graph": "đồ thị",
        "source": "nguồn",
        "other_languages": "ngôn ngữ khác",
        "anonymous": "một nút không tên",
        "formats": "Mô tả này dưới dạng",
        "language": "Ngôn ngữ",
        "query": "Truy vấn",
        "ontology": "Bản thể học",
        "dataset": "Mô tả bộ dữ liệu",
        "dumps": "Tải toàn bộ dữ liệu",
        "not_found_title": "Không có trong bộ dữ liệu",
        "not_found": "Bộ dữ liệu không có thông tin nào về IRI này, cũng không có thông tin nào trỏ đến nó.",
        "did_you_mean": "Có phải bạn muốn tìm",
        "look_elsewhere": "Trình soạn truy vấn tìm trong toàn bộ dữ liệu; các tệp tải về chứa toàn bộ.",
        "network": "Mạng lưới",
        "incoming_shown": "{shown} liên kết đầu tiên trong số {count}.",
        "incoming_all": "Xem tất cả, theo từng trang",
    },
    "fr": {
        "type": "type",
        "statements": "Déclarations",
        "incoming": "Cité par",
        "sources": "Sources",
        "articles": "Articles cités",
        "graphs": "Graphes nommés",
        "graph": "graphe",
        "source": "source",
        "other_languages": "autres langues",
        "anonymous": "un nœud anonyme",
        "formats": "Cette description en",
        "language": "Langue",
        "query": "Requête",
        "ontology": "Ontologie",
        "dataset": "Description du jeu de données",
        "dumps": "Exports complets",
        "not_found_title": "Absent de ce jeu de données",
        "not_found": "Ce jeu de données ne dit rien de cet IRI, et rien n'y renvoie.",
        "did_you_mean": "Vouliez-vous dire",
        "look_elsewhere": "L'éditeur de requêtes interroge toutes les données ; les exports le livrent.",
        "network": "Réseau",
        "incoming_shown": "Les {shown} premiers sur {count}.",
        "incoming_all": "Tous, page par page",
    },
}

MONTHS = {
    "en": (
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ]
    ),
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
}
_DATE = re.compile(r"^(-?\d{4,})-(\d{2})-(\d{2})")
_YEAR_MONTH = re.compile(r"^(-?\d{4,})-(\d{2})$")


#: The thousands separator of each language (French: a narrow no-break space).
THOUSANDS = {"en": ",", "vi": ".", "fr": "\u202f"}


def format_count(count: int, exact: bool, lang: str) -> str:
    """A count written for a reader, ``10,000+`` when it is only a lower bound."""
    return f"{count:,}".replace(",", THOUSANDS.get(lang, ",")) + ("" if exact else "+")


def _month(month: int, lang: str) -> str:
    if lang == "vi":
        return f"tháng {month}"
    return MONTHS.get(lang, MONTHS["en"])[month - 1]


def format_date(value: str, datatype: str, lang: str) -> str | None:
    """A date, year-month or year written out for a reader (None: not a date, or not a valid one)."""
    if datatype in (XSD + "date", XSD + "dateTime", XSD + "dateTimeStamp"):
        match = _DATE.match(value)
        if not match or not 1 <= int(match[2]) <= 12:
            return None
        year, month, day = match[1], int(match[2]), int(match[3])
        if lang == "vi":
            return f"ngày {day} tháng {month} năm {year}"
        if lang == "fr":
            return f"{'1er' if day == 1 else day} {_month(month, lang)} {year}"
        return f"{day} {_month(month, lang)} {year}"
    if datatype == XSD + "gYearMonth":
        match = _YEAR_MONTH.match(value)
        if not match or not 1 <= int(match[2]) <= 12:
            return None
        return f"{_month(int(match[2]), lang)} {'năm ' if lang == 'vi' else ''}{match[1]}"
    if datatype == XSD + "gYear":
        return value if re.fullmatch(r"-?\d{4,}", value) else None
    return None
