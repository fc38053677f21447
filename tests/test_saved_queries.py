# ruff: noqa: E501  (the expected rows are long lines of text)
"""Saved queries (``queries/*.rq``): the analysts' questions as an API, on the seed dataset.

Every query's answer is checked row by row against the facts of the two source articles (see
``data/README.md``), over HTTP (``/queries/{name}``) and the command line. Then: the catalogue, the
OpenAPI document, the result formats, the text of each query, bad values, and injection attempts
through every parameter of every query, which must come back as a 400 or as the rows a legitimate
value gives, and must leave the store as it was.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat

from coopgraph.cli import render
from coopgraph.saved_queries import (
    QUERIES,
    RESERVED,
    BadParameter,
    Parameter,
    SavedQuery,
    SavedQueryError,
    load_all,
    parse,
)
from coopgraph.search.normalise import compact_key, search_key
from coopgraph.store.local import LocalStore
from tests.conftest import COOPGRAPH, PROJECT, Server, start_server

SAVED: dict[str, SavedQuery] = load_all()
JSON = "application/sparql-results+json"
ID = "https://w3id.org/coopgraph/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"


# ---------------------------------------------------------------------------------------------- helpers
@dataclass
class Answer:
    variables: list[str]
    bindings: list[dict[str, dict[str, str]]]

    def rows(self, columns: list[str] | None = None) -> list[tuple[str, ...]]:
        """The rows as tuples of values ("" for an unbound cell), for the given columns."""
        columns = self.variables if columns is None else columns
        return [tuple(b.get(c, {}).get("value", "") for c in columns) for b in self.bindings]


def ask(server: Server, name: str, params: dict[str, str] | None = None, accept: str = JSON) -> Answer:
    r = requests.get(f"{server.url}/queries/{name}", params=params or {}, headers={"Accept": accept})
    assert r.status_code == 200, f"{name} {params}: {r.status_code} {r.text[:300]}"
    assert r.headers["content-type"].startswith(JSON)
    body = r.json()
    return Answer(body["head"]["vars"], body["results"]["bindings"])


def answer_columns(name: str, variables: list[str]) -> list[str]:
    """The columns that answer the question: every selected variable but the parameters' echoes."""
    params = {p.name for p in SAVED[name].parameters}
    return [v for v in variables if v not in params]


def bound_value(saved: SavedQuery, name: str, given: dict[str, str]) -> str | None:
    """The value a parameter is bound to (an IRI in full), or None when it stays unbound."""
    parameter = next(p for p in saved.parameters if p.name == name)
    value = given.get(name) or parameter.default
    if value is None:
        return None
    term = parameter.bind(value)
    return term.value


def term(binding: dict[str, str] | None) -> Any:
    """A SPARQL JSON result term as the pyoxigraph term the command line prints."""
    if binding is None:
        return None
    if binding["type"] == "uri":
        return NamedNode(binding["value"])
    if binding["type"] == "bnode":
        return BlankNode(binding["value"])
    if "xml:lang" in binding:
        return Literal(binding["value"], language=binding["xml:lang"])
    if "datatype" in binding:
        return Literal(binding["value"], datatype=NamedNode(binding["datatype"]))
    return Literal(binding["value"])


# ------------------------------------------------------------------------------ the answers, row by row
EMPTY = "∅"


@dataclass
class Case:
    """A query, the parameters given (the others take their defaults), what the answer says, and its
    rows: one a line, cells between " | ", ∅ for an empty cell (the answer columns only, in order)."""

    name: str
    params: dict[str, str]
    why: str
    table: str

    @property
    def rows(self) -> list[tuple[str, ...]]:
        lines = [line.strip() for line in self.table.strip("\n").splitlines() if line.strip()]
        return [tuple("" if c == EMPTY else c for c in line.split(" | ")) for line in lines]

    @property
    def id(self) -> str:
        return self.name + ("?" + "&".join(f"{k}={v}" for k, v in self.params.items()) if self.params else "")


# The facts of the two articles (data/README.md), as each question answers them.
CASES = [
    Case(
        "partners-by-country",
        {},
        "VNU Hanoi's partner is Tsinghua, through four agreements, the partnership since 2006, the EMBA, the March 2025 conference and the network",
        """
        China | Tsinghua University | activity | Executive MBA (EMBA) programme of VNU Hanoi and Tsinghua University
        China | Tsinghua University | agreement | Agreement between VNU Hanoi and Tsinghua University on strengthening cooperation in digital education
        China | Tsinghua University | agreement | Agreement founding the Vietnam–China University Network
        China | Tsinghua University | agreement | Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024)
        China | Tsinghua University | agreement | Student-exchange cooperation agreement between Vietnam National University, Hanoi and Tsinghua University
        China | Tsinghua University | event | International conference “Vietnam–China Higher Education: Opportunities and Challenges in the 21st Century – the Era of Digital Intelligence”
        China | Tsinghua University | network | Vietnam–China University Network
        China | Tsinghua University | partnership | Partnership between VNU Hanoi and Tsinghua University
        """,
    ),
    Case(
        "partners-by-country",
        {"institution": "ha-long-university"},
        "Ha Long University: its Japanese partners and JICA, and the funders of its projects (the EU has no country)",
        """
        ∅ | European Union | funder | VIETMUS project
        Germany | Government of Germany | funder | REVFIN project
        Japan | Asahikawa University | partnership | Partnership between Ha Long University and Asahikawa University
        Japan | Government of Japan | funder | Japanese Government scholarships
        Japan | Japan International Cooperation Agency | activity | JICA volunteer programme
        Japan | Kitami Institute of Technology | partnership | Partnership between Ha Long University and Kitami Institute of Technology
        Japan | Osaka University | partnership | Partnership between Ha Long University and Osaka University
        """,
    ),
    Case(
        "partners-by-country",
        {"institution": "ha-long-university", "country": "jp", "lang": "vi"},
        "only the Japanese ones, in Vietnamese",
        """
        Nhật Bản | Chính phủ Nhật Bản | funder | Học bổng Chính phủ Nhật Bản
        Nhật Bản | Cơ quan Hợp tác Quốc tế Nhật Bản | activity | Chương trình tình nguyện viên JICA
        Nhật Bản | Học viện Công nghệ Kitami | partnership | Quan hệ hợp tác giữa Trường Đại học Hạ Long và Học viện Công nghệ Kitami
        Nhật Bản | Đại học Asahikawa | partnership | Quan hệ hợp tác giữa Trường Đại học Hạ Long và Đại học Asahikawa
        Nhật Bản | Đại học Osaka | partnership | Quan hệ hợp tác giữa Trường Đại học Hạ Long và Đại học Osaka
        """,
    ),
    Case(
        "agreements-in-period",
        {},
        "the five agreements of 2024-2025, by type, the 2025 MoU with its six parties",
        """
        cooperation agreement | 2025-04 | Agreement between VNU Hanoi and Tsinghua University on strengthening cooperation in digital education | signed | 2
        founding of a network | 2025-04 | Agreement founding the Vietnam–China University Network | signed | 2
        memorandum of understanding | 2024-08-27 | Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | signed | 2
        memorandum of understanding | 2025 | Memorandum of understanding on educational exchange between five Vietnamese provinces and Guangxi (2025) | signed | 6
        student-exchange agreement | 2025-03-02 | Student-exchange cooperation agreement between Vietnam National University, Hanoi and Tsinghua University | signed | 2
        """,
    ),
    Case(
        "agreements-in-period",
        {"start": "2025-01-01", "end": "2025-03-31"},
        "Q1 2025: the student-exchange agreement, and the MoU dated only 2025",
        """
        memorandum of understanding | 2025 | Memorandum of understanding on educational exchange between five Vietnamese provinces and Guangxi (2025) | signed | 6
        student-exchange agreement | 2025-03-02 | Student-exchange cooperation agreement between Vietnam National University, Hanoi and Tsinghua University | signed | 2
        """,
    ),
    Case(
        "agreements-in-period",
        {"type": "cooperation-agreement", "lang": "vi"},
        "cooperation agreements include the narrower student-exchange agreements",
        """
        thỏa thuận hợp tác | 2025-04 | Văn kiện về tăng cường hợp tác trong lĩnh vực giáo dục kỹ thuật số giữa ĐHQGHN và Đại học Thanh Hoa | đã ký | 2
        thỏa thuận trao đổi sinh viên | 2025-03-02 | Thỏa thuận hợp tác về trao đổi sinh viên giữa Đại học Quốc gia Hà Nội và Đại học Thanh Hoa | đã ký | 2
        """,
    ),
    Case(
        "agreements-in-period",
        {"start": "2025-04-15"},
        "after 15 April 2025: only the partial dates that may fall in the period",
        """
        cooperation agreement | 2025-04 | Agreement between VNU Hanoi and Tsinghua University on strengthening cooperation in digital education | signed | 2
        founding of a network | 2025-04 | Agreement founding the Vietnam–China University Network | signed | 2
        memorandum of understanding | 2025 | Memorandum of understanding on educational exchange between five Vietnamese provinces and Guangxi (2025) | signed | 6
        """,
    ),
    Case(
        "agreement-signatories",
        {},
        "the student-exchange agreement: Le Quan and Qiu Yong signed, Pham Minh Chinh witnessed",
        """
        2025-03-02 | Signing and exchange of the VNU–Tsinghua student-exchange agreement | signatory | Le Quan | President of Vietnam National University, Hanoi | Vietnam National University, Hanoi
        2025-03-02 | Signing and exchange of the VNU–Tsinghua student-exchange agreement | signatory | Qiu Yong | Chair of the Tsinghua University Council | Tsinghua University
        2025-03-02 | Signing and exchange of the VNU–Tsinghua student-exchange agreement | witness | Pham Minh Chinh | Prime Minister of Vietnam | ∅
        """,
    ),
    Case(
        "agreement-signatories",
        {"agreement": "vnu-tsinghua-mou-2024"},
        "the 2024 memorandum, signed on 27 August 2024",
        """
        2024-08-27 | Signing of the VNU–Tsinghua memorandum of understanding | signatory | Le Quan | President of Vietnam National University, Hanoi | Vietnam National University, Hanoi
        2024-08-27 | Signing of the VNU–Tsinghua memorandum of understanding | signatory | Qiu Yong | Chair of the Tsinghua University Council | Tsinghua University
        """,
    ),
    Case(
        "agreement-signatories",
        {"agreement": "vietnam-china-university-network-founding", "lang": "vi"},
        "the network's founding document: presented before To Lam and Xi Jinping",
        """
        2025-04-14 | Trưng bày các văn kiện hợp tác giữa Việt Nam và Trung Quốc (14/4/2025) | người chứng kiến | Tô Lâm | Tổng Bí thư Ban Chấp hành Trung ương Đảng Cộng sản Việt Nam | ∅
        2025-04-14 | Trưng bày các văn kiện hợp tác giữa Việt Nam và Trung Quốc (14/4/2025) | người chứng kiến | Tập Cận Bình | Tổng Bí thư Ban Chấp hành Trung ương Đảng Cộng sản Trung Quốc | ∅
        """,
    ),
    Case(
        "agreement-signatories",
        {"agreement": "vietnam-guangxi-education-exchange-mou-2025"},
        "the source names no signatory",
        """
        """,
    ),
    Case(
        "funders",
        {},
        "the EU funds VIETMUS, the German government REVFIN, the Japanese government scholarships",
        """
        European Union | funding | VIETMUS project | ∅ | ∅ | Ha Long University | partner
        Government of Germany | funding | REVFIN project | ∅ | ∅ | Ha Long University | partner
        Government of Japan | grant | Japanese Government scholarships | ∅ | ∅ | Ha Long University | sending institution
        """,
    ),
    Case(
        "funders",
        {"funder": "government-of-japan", "lang": "ja"},
        "in Japanese where there is a Japanese name",
        """
        日本国政府 | grant | Japanese Government scholarships | ∅ | ∅ | Ha Long University | sending institution
        """,
    ),
    Case(
        "funders",
        {"min_amount": "0"},
        "no amount is stated in the seed data",
        """
        """,
    ),
    Case(
        "network-members",
        {},
        "the alliance: Tsinghua founder (2020) and secretariat, VNU planned member",
        """
        Global MOOC and Online Education Alliance | Tsinghua University | founder | 2020 | ∅
        Global MOOC and Online Education Alliance | Tsinghua University | secretariat | ∅ | ∅
        Global MOOC and Online Education Alliance | Vietnam National University, Hanoi | member | ∅ | planned
        """,
    ),
    Case(
        "network-members",
        {"include_planned": "false"},
        "memberships in force only",
        """
        Global MOOC and Online Education Alliance | Tsinghua University | founder | 2020 | ∅
        Global MOOC and Online Education Alliance | Tsinghua University | secretariat | ∅ | ∅
        """,
    ),
    Case(
        "network-members",
        {"network": "vietnam-china-university-network", "lang": "vi"},
        "the two co-founders of the network",
        """
        Mạng lưới Đại học Việt Nam - Trung Quốc | Đại học Quốc gia Hà Nội | đồng sáng lập | ∅ | ∅
        Mạng lưới Đại học Việt Nam - Trung Quốc | Đại học Thanh Hoa | đồng sáng lập | ∅ | ∅
        """,
    ),
    Case(
        "events-and-signings",
        {},
        "every event with what was signed, presented or dedicated",
        """
        2025 | conference | 2025 education exchange conference between five Vietnamese provinces and cities and Guangxi Zhuang Autonomous Region | ∅ | signed | Memorandum of understanding on educational exchange between five Vietnamese provinces and Guangxi (2025)
        2025 | observance | 75th anniversary of Vietnam–China friendly relations | ∅ | dedicated to | Agreement between VNU Hanoi and Tsinghua University on strengthening cooperation in digital education
        2025 | observance | 75th anniversary of Vietnam–China friendly relations | ∅ | dedicated to | Agreement founding the Vietnam–China University Network
        2025 | observance | Vietnam–China Year of Humanistic Friendship | ∅ | dedicated to | Agreement between VNU Hanoi and Tsinghua University on strengthening cooperation in digital education
        2025 | observance | Vietnam–China Year of Humanistic Friendship | ∅ | dedicated to | Agreement founding the Vietnam–China University Network
        2025-03-01 | conference | International conference “Vietnam–China Higher Education: Opportunities and Challenges in the 21st Century – the Era of Digital Intelligence” | ∅ | ∅ | ∅
        2025-04-14 | ceremony | Presentation of the Vietnam–China cooperation documents (14 April 2025) | Visit of Xi Jinping, General Secretary and President of China (April 2025) | presented | Agreement between VNU Hanoi and Tsinghua University on strengthening cooperation in digital education
        2025-04-14 | ceremony | Presentation of the Vietnam–China cooperation documents (14 April 2025) | Visit of Xi Jinping, General Secretary and President of China (April 2025) | presented | Agreement founding the Vietnam–China University Network
        2025-04-14 | meeting | Talks between General Secretary To Lam and General Secretary and President Xi Jinping | Visit of Xi Jinping, General Secretary and President of China (April 2025) | ∅ | ∅
        2025-04-14 | official visit | Visit of Xi Jinping, General Secretary and President of China (April 2025) | ∅ | signed | Agreement between VNU Hanoi and Tsinghua University on strengthening cooperation in digital education
        2025-04-14 | official visit | Visit of Xi Jinping, General Secretary and President of China (April 2025) | ∅ | signed | Agreement founding the Vietnam–China University Network
        """,
    ),
    Case(
        "events-and-signings",
        {"kind": "Ceremony", "year": "2025"},
        "the 14 April 2025 ceremony",
        """
        2025-04-14 | ceremony | Presentation of the Vietnam–China cooperation documents (14 April 2025) | Visit of Xi Jinping, General Secretary and President of China (April 2025) | presented | Agreement between VNU Hanoi and Tsinghua University on strengthening cooperation in digital education
        2025-04-14 | ceremony | Presentation of the Vietnam–China cooperation documents (14 April 2025) | Visit of Xi Jinping, General Secretary and President of China (April 2025) | presented | Agreement founding the Vietnam–China University Network
        """,
    ),
    Case(
        "events-and-signings",
        {"kind": "Observance", "lang": "fr"},
        "the two observances of 2025, in French",
        """
        2025 | commémoration | 75e anniversaire des relations d'amitié Viêt Nam – Chine | ∅ | dedicated to | Accord entre l'UNV Hanoï et l'Université Tsinghua sur le renforcement de la coopération dans l'éducation numérique
        2025 | commémoration | 75e anniversaire des relations d'amitié Viêt Nam – Chine | ∅ | dedicated to | Accord fondateur du Réseau universitaire Viêt Nam – Chine
        2025 | commémoration | Année de l'amitié humaniste Viêt Nam – Chine | ∅ | dedicated to | Accord entre l'UNV Hanoï et l'Université Tsinghua sur le renforcement de la coopération dans l'éducation numérique
        2025 | commémoration | Année de l'amitié humaniste Viêt Nam – Chine | ∅ | dedicated to | Accord fondateur du Réseau universitaire Viêt Nam – Chine
        """,
    ),
    Case(
        "events-and-signings",
        {"year": "2024"},
        "no event in 2024",
        """
        """,
    ),
    Case(
        "network-sizes",
        {},
        "23 members from 16 countries stated, 1 named; the network's 2 co-founders",
        """
        Global MOOC and Online Education Alliance | alliance | 23 | 16 | 2025 | 1
        Vietnam–China University Network | university network | ∅ | ∅ | ∅ | 2
        """,
    ),
    Case(
        "network-sizes",
        {"min_members": "10"},
        "at least 10 members",
        """
        Global MOOC and Online Education Alliance | alliance | 23 | 16 | 2025 | 1
        """,
    ),
    Case(
        "network-sizes",
        {"min_members": "2", "lang": "vi"},
        "at least 2 members, in Vietnamese",
        """
        Liên minh MOOC và Giáo dục Trực tuyến toàn cầu | liên minh | 23 | 16 | 2025 | 1
        Mạng lưới Đại học Việt Nam - Trung Quốc | mạng lưới đại học | ∅ | ∅ | ∅ | 2
        """,
    ),
    Case(
        "reported-counts",
        {},
        "the five figures of the two articles",
        """
        Cultivating 100,000 artificial-intelligence talents for ASEAN | people to be trained (target) | 100000 | 2025 | Báo Quảng Ninh on international integration in education and training (French version)
        Global MOOC and Online Education Alliance | member countries | 16 | 2025 | VNU Hanoi and Tsinghua University: founding the Vietnam–China University Network and strengthening cooperation in digital education
        Global MOOC and Online Education Alliance | member organisations | 23 | 2025 | VNU Hanoi and Tsinghua University: founding the Vietnam–China University Network and strengthening cooperation in digital education
        Ha Long University | projects | 4 | 2025 | Báo Quảng Ninh on international integration in education and training (French version)
        Visit of Xi Jinping, General Secretary and President of China (April 2025) | signed documents | 46 | 2025-04-14 | VNU Hanoi and Tsinghua University: founding the Vietnam–China University Network and strengthening cooperation in digital education
        """,
    ),
    Case(
        "reported-counts",
        {"min_value": "20"},
        "figures of 20 or more",
        """
        Cultivating 100,000 artificial-intelligence talents for ASEAN | people to be trained (target) | 100000 | 2025 | Báo Quảng Ninh on international integration in education and training (French version)
        Global MOOC and Online Education Alliance | member organisations | 23 | 2025 | VNU Hanoi and Tsinghua University: founding the Vietnam–China University Network and strengthening cooperation in digital education
        Visit of Xi Jinping, General Secretary and President of China (April 2025) | signed documents | 46 | 2025-04-14 | VNU Hanoi and Tsinghua University: founding the Vietnam–China University Network and strengthening cooperation in digital education
        """,
    ),
    Case(
        "reported-counts",
        {"measure": "member-countries", "lang": "vi"},
        "16 countries",
        """
        Liên minh MOOC và Giáo dục Trực tuyến toàn cầu | số quốc gia có thành viên | 16 | 2025 | ĐHQGHN và Đại học Thanh Hoa: sáng lập Mạng lưới Đại học Việt Nam - Trung Quốc và tăng cường hợp tác giáo dục kỹ thuật số
        """,
    ),
    Case(
        "institution-timeline",
        {},
        "VNU Hanoi from 2006 to April 2025",
        """
        2006 | partnership began | Partnership between VNU Hanoi and Tsinghua University | ∅
        2024-08-27 | agreement signed | Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | ∅
        2025-03-01 | event | International conference “Vietnam–China Higher Education: Opportunities and Challenges in the 21st Century – the Era of Digital Intelligence” | organiser
        2025-03-02 | agreement signed | Student-exchange cooperation agreement between Vietnam National University, Hanoi and Tsinghua University | ∅
        2025-04 | agreement signed | Agreement between VNU Hanoi and Tsinghua University on strengthening cooperation in digital education | ∅
        2025-04 | agreement signed | Agreement founding the Vietnam–China University Network | ∅
        """,
    ),
    Case(
        "institution-timeline",
        {"institution": "tsinghua-university", "since": "2020"},
        "Tsinghua since 2020: the alliance it founded in 2020 first",
        """
        2020 | membership began | Global MOOC and Online Education Alliance | founder
        2024-08-27 | agreement signed | Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | ∅
        2025-03-01 | event | International conference “Vietnam–China Higher Education: Opportunities and Challenges in the 21st Century – the Era of Digital Intelligence” | co-organiser
        2025-03-02 | agreement signed | Student-exchange cooperation agreement between Vietnam National University, Hanoi and Tsinghua University | ∅
        2025-04 | agreement signed | Agreement between VNU Hanoi and Tsinghua University on strengthening cooperation in digital education | ∅
        2025-04 | agreement signed | Agreement founding the Vietnam–China University Network | ∅
        """,
    ),
    Case(
        "institution-timeline",
        {"institution": "ha-long-university"},
        "hosting since 2017",
        """
        2017 | activity began | JICA volunteer programme | host
        2017 | activity began | Japanese students learning Vietnamese at Ha Long University | host
        """,
    ),
    Case(
        "institution-timeline",
        {"institution": "quang-ninh-doet", "lang": "vi"},
        "everything of Quang Ninh's department is dated 2025 only",
        """
        2025 | agreement signed | Biên bản ghi nhớ về giao lưu giáo dục giữa năm tỉnh, thành phố Việt Nam và Khu tự trị Quảng Tây (2025) | ∅
        2025 | document issued | Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | ∅
        2025 | event | Hội nghị giao lưu giáo dục năm 2025 giữa năm tỉnh, thành phố Việt Nam và Khu tự trị dân tộc Choang Quảng Tây | bên tham gia
        """,
    ),
    Case(
        "institution-timeline",
        {"institution": "global-mooc-alliance"},
        "founded in 2020",
        """
        2020 | founded | Global MOOC and Online Education Alliance | ∅
        """,
    ),
    Case(
        "cooperation-network",
        {},
        "the five provinces and Guangxi sign one memorandum (15 pairs); VNU Hanoi and Tsinghua four "
        "agreements and a partnership; Ha Long University three partnerships with Japanese universities",
        """
        https://w3id.org/coopgraph/id/organization/cao-bang-doet | https://w3id.org/coopgraph/id/organization/guangxi-education-department | Memorandum of understanding on educational exchange between five Vietnamese provinces and Guangxi (2025) | https://w3id.org/coopgraph/id/agreement/vietnam-guangxi-education-exchange-mou-2025
        https://w3id.org/coopgraph/id/organization/cao-bang-doet | https://w3id.org/coopgraph/id/organization/hai-phong-doet | Memorandum of understanding on educational exchange between five Vietnamese provinces and Guangxi (2025) | https://w3id.org/coopgraph/id/agreement/vietnam-guangxi-education-exchange-mou-2025
        https://w3id.org/coopgraph/id/organization/cao-bang-doet | https://w3id.org/coopgraph/id/organization/lang-son-doet | Memorandum of understanding on educational exchange between five Vietnamese provinces and Guangxi (2025) | https://w3id.org/coopgraph/id/agreement/vietnam-guangxi-education-exchange-mou-2025
        https://w3id.org/coopgraph/id/organization/cao-bang-doet | https://w3id.org/coopgraph/id/organization/quang-ninh-doet | Memorandum of understanding on educational exchange between five Vietnamese provinces and Guangxi (2025) | https://w3id.org/coopgraph/id/agreement/vietnam-guangxi-education-exchange-mou-2025
        https://w3id.org/coopgraph/id/organization/cao-bang-doet | https://w3id.org/coopgraph/id/organization/tuyen-quang-doet | Memorandum of understanding on educational exchange between five Vietnamese provinces and Guangxi (2025) | https://w3id.org/coopgraph/id/agreement/vietnam-guangxi-education-exchange-mou-2025
        https://w3id.org/coopgraph/id/organization/guangxi-education-department | https://w3id.org/coopgraph/id/organization/hai-phong-doet | Memorandum of understanding on educational exchange between five Vietnamese provinces and Guangxi (2025) | https://w3id.org/coopgraph/id/agreement/vietnam-guangxi-education-exchange-mou-2025
        https://w3id.org/coopgraph/id/organization/guangxi-education-department | https://w3id.org/coopgraph/id/organization/lang-son-doet | Memorandum of understanding on educational exchange between five Vietnamese provinces and Guangxi (2025) | https://w3id.org/coopgraph/id/agreement/vietnam-guangxi-education-exchange-mou-2025
        https://w3id.org/coopgraph/id/organization/guangxi-education-department | https://w3id.org/coopgraph/id/organization/quang-ninh-doet | Memorandum of understanding on educational exchange between five Vietnamese provinces and Guangxi (2025) | https://w3id.org/coopgraph/id/agreement/vietnam-guangxi-education-exchange-mou-2025
        https://w3id.org/coopgraph/id/organization/guangxi-education-department | https://w3id.org/coopgraph/id/organization/tuyen-quang-doet | Memorandum of understanding on educational exchange between five Vietnamese provinces and Guangxi (2025) | https://w3id.org/coopgraph/id/agreement/vietnam-guangxi-education-exchange-mou-2025
        https://w3id.org/coopgraph/id/organization/hai-phong-doet | https://w3id.org/coopgraph/id/organization/lang-son-doet | Memorandum of understanding on educational exchange between five Vietnamese provinces and Guangxi (2025) | https://w3id.org/coopgraph/id/agreement/vietnam-guangxi-education-exchange-mou-2025
        https://w3id.org/coopgraph/id/organization/hai-phong-doet | https://w3id.org/coopgraph/id/organization/quang-ninh-doet | Memorandum of understanding on educational exchange between five Vietnamese provinces and Guangxi (2025) | https://w3id.org/coopgraph/id/agreement/vietnam-guangxi-education-exchange-mou-2025
        https://w3id.org/coopgraph/id/organization/hai-phong-doet | https://w3id.org/coopgraph/id/organization/tuyen-quang-doet | Memorandum of understanding on educational exchange between five Vietnamese provinces and Guangxi (2025) | https://w3id.org/coopgraph/id/agreement/vietnam-guangxi-education-exchange-mou-2025
        https://w3id.org/coopgraph/id/organization/lang-son-doet | https://w3id.org/coopgraph/id/organization/quang-ninh-doet | Memorandum of understanding on educational exchange between five Vietnamese provinces and Guangxi (2025) | https://w3id.org/coopgraph/id/agreement/vietnam-guangxi-education-exchange-mou-2025
        https://w3id.org/coopgraph/id/organization/lang-son-doet | https://w3id.org/coopgraph/id/organization/tuyen-quang-doet | Memorandum of understanding on educational exchange between five Vietnamese provinces and Guangxi (2025) | https://w3id.org/coopgraph/id/agreement/vietnam-guangxi-education-exchange-mou-2025
        https://w3id.org/coopgraph/id/organization/quang-ninh-doet | https://w3id.org/coopgraph/id/organization/tuyen-quang-doet | Memorandum of understanding on educational exchange between five Vietnamese provinces and Guangxi (2025) | https://w3id.org/coopgraph/id/agreement/vietnam-guangxi-education-exchange-mou-2025
        https://w3id.org/coopgraph/id/organization/tsinghua-university | https://w3id.org/coopgraph/id/organization/vnu-hanoi | Agreement founding the Vietnam–China University Network | https://w3id.org/coopgraph/id/agreement/vietnam-china-university-network-founding
        https://w3id.org/coopgraph/id/organization/tsinghua-university | https://w3id.org/coopgraph/id/organization/vnu-hanoi | Agreement between VNU Hanoi and Tsinghua University on strengthening cooperation in digital education | https://w3id.org/coopgraph/id/agreement/vnu-tsinghua-digital-education-2025
        https://w3id.org/coopgraph/id/organization/tsinghua-university | https://w3id.org/coopgraph/id/organization/vnu-hanoi | Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | https://w3id.org/coopgraph/id/agreement/vnu-tsinghua-mou-2024
        https://w3id.org/coopgraph/id/organization/tsinghua-university | https://w3id.org/coopgraph/id/organization/vnu-hanoi | Student-exchange cooperation agreement between Vietnam National University, Hanoi and Tsinghua University | https://w3id.org/coopgraph/id/agreement/vnu-tsinghua-student-exchange-2025
        https://w3id.org/coopgraph/id/organization/asahikawa-university | https://w3id.org/coopgraph/id/organization/ha-long-university | Partnership between Ha Long University and Asahikawa University | https://w3id.org/coopgraph/id/partnership/ha-long-university-asahikawa-university
        https://w3id.org/coopgraph/id/organization/ha-long-university | https://w3id.org/coopgraph/id/organization/kitami-institute-of-technology | Partnership between Ha Long University and Kitami Institute of Technology | https://w3id.org/coopgraph/id/partnership/ha-long-university-kitami-institute-of-technology
        https://w3id.org/coopgraph/id/organization/ha-long-university | https://w3id.org/coopgraph/id/organization/osaka-university | Partnership between Ha Long University and Osaka University | https://w3id.org/coopgraph/id/partnership/ha-long-university-osaka-university
        https://w3id.org/coopgraph/id/organization/tsinghua-university | https://w3id.org/coopgraph/id/organization/vnu-hanoi | Partnership between VNU Hanoi and Tsinghua University | https://w3id.org/coopgraph/id/partnership/vnu-hanoi-tsinghua
        """,
    ),
    Case(
        "cooperation-network",
        {"relation": "partnership", "lang": "vi"},
        "partnerships only, named in Vietnamese",
        """
        https://w3id.org/coopgraph/id/organization/asahikawa-university | https://w3id.org/coopgraph/id/organization/ha-long-university | Quan hệ hợp tác giữa Trường Đại học Hạ Long và Đại học Asahikawa | https://w3id.org/coopgraph/id/partnership/ha-long-university-asahikawa-university
        https://w3id.org/coopgraph/id/organization/ha-long-university | https://w3id.org/coopgraph/id/organization/kitami-institute-of-technology | Quan hệ hợp tác giữa Trường Đại học Hạ Long và Học viện Công nghệ Kitami | https://w3id.org/coopgraph/id/partnership/ha-long-university-kitami-institute-of-technology
        https://w3id.org/coopgraph/id/organization/ha-long-university | https://w3id.org/coopgraph/id/organization/osaka-university | Quan hệ hợp tác giữa Trường Đại học Hạ Long và Đại học Osaka | https://w3id.org/coopgraph/id/partnership/ha-long-university-osaka-university
        https://w3id.org/coopgraph/id/organization/tsinghua-university | https://w3id.org/coopgraph/id/organization/vnu-hanoi | Quan hệ hợp tác giữa ĐHQGHN và Đại học Thanh Hoa | https://w3id.org/coopgraph/id/partnership/vnu-hanoi-tsinghua
        """,
    ),
    Case(
        "institutions-per-country",
        {},
        "higher education institutions: 3 in Japan, 2 in Vietnam, 1 in China",
        """
        Japan | 3 | JP
        Vietnam | 2 | VN
        China | 1 | CN
        """,
    ),
    Case(
        "institutions-per-country",
        {"kind": "GovernmentBody", "lang": "fr"},
        "government bodies, French country names",
        """
        Viêt Nam | 7 | VN
        Chine | 2 | CN
        Allemagne | 1 | DE
        Japon | 1 | JP
        """,
    ),
    Case(
        "institutions-per-country",
        {"kind": "IntergovernmentalOrganisation"},
        "the EU and ASEAN have no country",
        """
        ∅ | 2 | ∅
        """,
    ),
    Case(
        "institutions-per-province",
        {},
        "Quang Ninh: the university, the department and the newspaper",
        """
        Quang Ninh | VN-13 | 3
        Cao Bang | VN-04 | 1
        Hai Phong | VN-HP | 1
        Lang Son | VN-09 | 1
        Tuyen Quang | VN-07 | 1
        An Giang | VN-44 | 0
        An Giang | ∅ | 0
        Ba Ria – Vung Tau | VN-43 | 0
        Bac Giang | VN-54 | 0
        Bac Kan | VN-53 | 0
        Bac Lieu | VN-55 | 0
        Bac Ninh | VN-56 | 0
        Bac Ninh | ∅ | 0
        Ben Tre | VN-50 | 0
        Binh Dinh | VN-31 | 0
        Binh Duong | VN-57 | 0
        Binh Phuoc | VN-58 | 0
        Binh Thuan | VN-40 | 0
        Ca Mau | VN-59 | 0
        Ca Mau | ∅ | 0
        Can Tho | VN-CT | 0
        Can Tho | ∅ | 0
        Da Nang | VN-DN | 0
        Da Nang | ∅ | 0
        Dak Lak | VN-33 | 0
        Dak Lak | ∅ | 0
        Dak Nong | VN-72 | 0
        Dien Bien | VN-71 | 0
        Dong Nai | VN-39 | 0
        Dong Nai | ∅ | 0
        Dong Thap | VN-45 | 0
        Dong Thap | ∅ | 0
        Gia Lai | VN-30 | 0
        Gia Lai | ∅ | 0
        Ha Giang | VN-03 | 0
        Ha Nam | VN-63 | 0
        Ha Tinh | VN-23 | 0
        Hai Duong | VN-61 | 0
        Hai Phong | ∅ | 0
        Hanoi | VN-HN | 0
        Hau Giang | VN-73 | 0
        Ho Chi Minh City | VN-SG | 0
        Ho Chi Minh City | ∅ | 0
        Hoa Binh | VN-14 | 0
        Hung Yen | VN-66 | 0
        Hung Yen | ∅ | 0
        Khanh Hoa | VN-34 | 0
        Khanh Hoa | ∅ | 0
        Kien Giang | VN-47 | 0
        Kon Tum | VN-28 | 0
        Lai Chau | VN-01 | 0
        Lam Dong | VN-35 | 0
        Lam Dong | ∅ | 0
        Lao Cai | VN-02 | 0
        Lao Cai | ∅ | 0
        Long An | VN-41 | 0
        Nam Dinh | VN-67 | 0
        Nghe An | VN-22 | 0
        Ninh Binh | VN-18 | 0
        Ninh Binh | ∅ | 0
        Ninh Thuan | VN-36 | 0
        Phu Tho | VN-68 | 0
        Phu Tho | ∅ | 0
        Phu Yen | VN-32 | 0
        Quang Binh | VN-24 | 0
        Quang Nam | VN-27 | 0
        Quang Ngai | VN-29 | 0
        Quang Ngai | ∅ | 0
        Quang Tri | VN-25 | 0
        Quang Tri | ∅ | 0
        Soc Trang | VN-52 | 0
        Son La | VN-05 | 0
        Tay Ninh | VN-37 | 0
        Tay Ninh | ∅ | 0
        Thai Binh | VN-20 | 0
        Thai Nguyen | VN-69 | 0
        Thai Nguyen | ∅ | 0
        Thanh Hoa | VN-21 | 0
        Thua Thien Hue | VN-26 | 0
        Tien Giang | VN-46 | 0
        Tra Vinh | VN-51 | 0
        Tuyen Quang | ∅ | 0
        Vinh Long | VN-49 | 0
        Vinh Long | ∅ | 0
        Vinh Phuc | VN-70 | 0
        Yen Bai | VN-06 | 0
        """,
    ),
    Case(
        "institutions-per-province",
        {"country": "jp", "lang": "vi"},
        "Hokkaido: Asahikawa and Kitami",
        """
        Hokkaido | JP-01 | 2
        """,
    ),
    Case(
        "institutions-per-province",
        {"country": "de"},
        "no German province in the vocabulary",
        """
        """,
    ),
    Case(
        "cooperation-by-topic",
        {},
        "artificial intelligence and AI in education",
        """
        agreement | Agreement between VNU Hanoi and Tsinghua University on strengthening cooperation in digital education | AI in education | signed
        agreement | Memorandum of understanding on educational exchange between five Vietnamese provinces and Guangxi (2025) | AI in education | signed
        agreement | Memorandum of understanding on educational exchange between five Vietnamese provinces and Guangxi (2025) | artificial intelligence | signed
        conference | International conference “Vietnam–China Higher Education: Opportunities and Challenges in the 21st Century – the Era of Digital Intelligence” | artificial intelligence | ∅
        cooperation activity | "AI + education" cooperation between Guangxi and five Vietnamese provinces | AI in education | planned
        partnership | Partnership between VNU Hanoi and Tsinghua University | artificial intelligence | ∅
        programme | Cultivating 100,000 artificial-intelligence talents for ASEAN | artificial intelligence | ongoing
        programme | Intelligence School for training new-era talents | AI in education | ∅
        programme | VNU Hanoi's digital transformation towards a digital university | artificial intelligence | ongoing
        """,
    ),
    Case(
        "cooperation-by-topic",
        {"topic": "digital-education"},
        "digital education and online education",
        """
        agreement | Agreement between VNU Hanoi and Tsinghua University on strengthening cooperation in digital education | digital education | signed
        agreement | Agreement between VNU Hanoi and Tsinghua University on strengthening cooperation in digital education | online education and MOOCs | signed
        alliance | Global MOOC and Online Education Alliance | digital education | ∅
        alliance | Global MOOC and Online Education Alliance | online education and MOOCs | ∅
        conference | International conference “Vietnam–China Higher Education: Opportunities and Challenges in the 21st Century – the Era of Digital Intelligence” | digital education | ∅
        """,
    ),
    Case(
        "cooperation-by-topic",
        {"topic": "scholarships", "lang": "vi"},
        "scholarships",
        """
        chương trình | Học bổng Chính phủ Nhật Bản | học bổng | ∅
        thỏa thuận | Biên bản ghi nhớ về giao lưu giáo dục giữa năm tỉnh, thành phố Việt Nam và Khu tự trị Quảng Tây (2025) | học bổng | đã ký
        """,
    ),
    Case(
        "people-and-posts",
        {},
        "the five people, their posts and memberships",
        """
        Le Quan | post | Party Secretary of Vietnam National University, Hanoi | party secretary | Party Committee of Vietnam National University, Hanoi
        Le Quan | post | President of Vietnam National University, Hanoi | university president | Vietnam National University, Hanoi
        Pham Minh Chinh | post | Prime Minister of Vietnam | prime minister | Government of Vietnam
        Qiu Yong | membership | academician | academician | Academy of Social Sciences
        Qiu Yong | membership | alternate member | alternate member | Central Committee of the Communist Party of China
        Qiu Yong | post | Chair of the Tsinghua University Council | chair of the university council | Tsinghua University Council
        Qiu Yong | post | Party Secretary of Tsinghua University | party secretary | Party Committee of Tsinghua University
        To Lam | post | General Secretary of the Communist Party of Vietnam | general secretary | Communist Party of Vietnam
        Xi Jinping | post | General Secretary of the Communist Party of China | general secretary | Communist Party of China
        Xi Jinping | post | President of the People's Republic of China | head of state | State of the People's Republic of China
        """,
    ),
    Case(
        "people-and-posts",
        {"person": "qiu-yong", "lang": "vi"},
        "Qiu Yong (Khưu Dũng)",
        """
        Khưu Dũng | membership | viện sĩ | viện sĩ | Viện Hàn lâm Khoa học Xã hội
        Khưu Dũng | membership | ủy viên dự khuyết | ủy viên dự khuyết | Ban Chấp hành Trung ương Đảng Cộng sản Trung Quốc
        Khưu Dũng | post | Bí thư Đảng ủy Đại học Thanh Hoa | bí thư đảng ủy | Đảng ủy Đại học Thanh Hoa
        Khưu Dũng | post | Chủ tịch Hội đồng Đại học Thanh Hoa | chủ tịch hội đồng đại học | Hội đồng Đại học Thanh Hoa
        """,
    ),
    Case(
        "cooperation-by-status",
        {},
        "every status",
        """
        announced | university network | Vietnam–China University Network | ∅ | ∅
        ongoing | programme | Cultivating 100,000 artificial-intelligence talents for ASEAN | ∅ | ∅
        ongoing | programme | VNU Hanoi's digital transformation towards a digital university | ∅ | ∅
        planned | cooperation activity | "AI + education" cooperation between Guangxi and five Vietnamese provinces | ∅ | ∅
        planned | membership | Global MOOC and Online Education Alliance | Vietnam National University, Hanoi | member
        signed | agreement | Agreement between VNU Hanoi and Tsinghua University on strengthening cooperation in digital education | ∅ | ∅
        signed | agreement | Agreement founding the Vietnam–China University Network | ∅ | ∅
        signed | agreement | Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | ∅ | ∅
        signed | agreement | Memorandum of understanding on educational exchange between five Vietnamese provinces and Guangxi (2025) | ∅ | ∅
        signed | agreement | Student-exchange cooperation agreement between Vietnam National University, Hanoi and Tsinghua University | ∅ | ∅
        under consideration | laboratory | Vietnam–China Artificial Intelligence Research and Development Laboratory | Tsinghua University | ∅
        under consideration | laboratory | Vietnam–China Artificial Intelligence Research and Development Laboratory | Vietnam National University, Hanoi | ∅
        """,
    ),
    Case(
        "cooperation-by-status",
        {"status": "under-consideration", "lang": "vi"},
        "the AI laboratory the two universities will consider",
        """
        đang xem xét | phòng thí nghiệm | Phòng thí nghiệm nghiên cứu và phát triển trí tuệ nhân tạo Việt Nam - Trung Quốc | Đại học Quốc gia Hà Nội | ∅
        đang xem xét | phòng thí nghiệm | Phòng thí nghiệm nghiên cứu và phát triển trí tuệ nhân tạo Việt Nam - Trung Quốc | Đại học Thanh Hoa | ∅
        """,
    ),
    Case(
        "cooperation-by-status",
        {"status": "in-force"},
        "nothing is recorded as in force",
        """
        """,
    ),
    Case(
        "policy-documents",
        {},
        "Plan 850/KH-SGDĐT: one objective, five measures",
        """
        Plan No. 850/KH-SGDĐT on the international integration of the education sector | 850/KH-SGDĐT | Quang Ninh Department of Education and Training | 2025 | objective | make party members, civil servants and employees of the education sector aware of the Party's and the State's aims, views, principles, policies and laws on international integration and friendly relations
        Plan No. 850/KH-SGDĐT on the international integration of the education sector | 850/KH-SGDĐT | Quang Ninh Department of Education and Training | 2025 | measure | disseminate and apply the central and provincial directives on international integration
        Plan No. 850/KH-SGDĐT on the international integration of the education sector | 850/KH-SGDĐT | Quang Ninh Department of Education and Training | 2025 | measure | maintain and develop bilateral relations at provincial level with other provinces and territories
        Plan No. 850/KH-SGDĐT on the international integration of the education sector | 850/KH-SGDĐT | Quang Ninh Department of Education and Training | 2025 | measure | promote applied scientific research and access to new inventions and advanced technology for school management, teaching and learning
        Plan No. 850/KH-SGDĐT on the international integration of the education sector | 850/KH-SGDĐT | Quang Ninh Department of Education and Training | 2025 | measure | train civil servants and public employees in expertise, foreign languages and skills for international integration and administrative reform
        Plan No. 850/KH-SGDĐT on the international integration of the education sector | 850/KH-SGDĐT | Quang Ninh Department of Education and Training | 2025 | measure | work with the sectors concerned on mechanisms that attract investment in training
        """,
    ),
    Case(
        "policy-documents",
        {"issuer": "quang-ninh-doet", "lang": "vi"},
        "the same plan in Vietnamese",
        """
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | 850/KH-SGDĐT | Sở Giáo dục và Đào tạo tỉnh Quảng Ninh | 2025 | objective | nâng cao nhận thức của đảng viên, công chức, viên chức ngành giáo dục về mục tiêu, quan điểm, chủ trương của Đảng, chính sách và pháp luật của Nhà nước về hội nhập quốc tế và phát triển quan hệ hữu nghị
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | 850/KH-SGDĐT | Sở Giáo dục và Đào tạo tỉnh Quảng Ninh | 2025 | measure | bồi dưỡng công chức, viên chức về chuyên môn, ngoại ngữ và kỹ năng phục vụ hội nhập quốc tế và cải cách hành chính
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | 850/KH-SGDĐT | Sở Giáo dục và Đào tạo tỉnh Quảng Ninh | 2025 | measure | duy trì và phát triển quan hệ song phương cấp tỉnh với các tỉnh, vùng lãnh thổ khác
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | 850/KH-SGDĐT | Sở Giáo dục và Đào tạo tỉnh Quảng Ninh | 2025 | measure | phối hợp với các ngành liên quan tham mưu cơ chế thu hút đầu tư vào đào tạo
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | 850/KH-SGDĐT | Sở Giáo dục và Đào tạo tỉnh Quảng Ninh | 2025 | measure | quán triệt và thực hiện các chỉ đạo của trung ương và của tỉnh về hội nhập quốc tế
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | 850/KH-SGDĐT | Sở Giáo dục và Đào tạo tỉnh Quảng Ninh | 2025 | measure | đẩy mạnh nghiên cứu khoa học ứng dụng, tiếp cận phát minh và công nghệ tiên tiến phục vụ quản lý, dạy và học
        """,
    ),
    Case(
        "policy-documents",
        {"issuer": "vnu-hanoi"},
        "VNU issued no policy document",
        """
        """,
    ),
    Case(
        "event-participants",
        {},
        "the 2025 conference: Guangxi chaired, five departments took part",
        """
        chair | Department of Education of Guangxi Zhuang Autonomous Region | ∅ | ∅ | Guangxi Zhuang Autonomous Region
        participant | Cao Bang Department of Education and Training | ∅ | ∅ | Cao Bang
        participant | Hai Phong Department of Education and Training | ∅ | ∅ | Hai Phong
        participant | Lang Son Department of Education and Training | ∅ | ∅ | Lang Son
        participant | Quang Ninh Department of Education and Training | ∅ | ∅ | Quang Ninh
        participant | Tuyen Quang Department of Education and Training | ∅ | ∅ | Tuyen Quang
        """,
    ),
    Case(
        "event-participants",
        {"event": "to-lam-xi-jinping-talks-2025-04-14", "lang": "zh"},
        "the talks of 14 April 2025",
        """
        参与方 | To Lam | General Secretary of the Communist Party of Vietnam | 越南共产党 | ∅
        参与方 | 习近平 | General Secretary of the Communist Party of China | 中国共产党 | ∅
        """,
    ),
    Case(
        "event-participants",
        {"event": "vietnam-china-cooperation-documents-2025-04-14"},
        "the two leaders witnessed the presentation",
        """
        witness | To Lam | General Secretary of the Communist Party of Vietnam | ∅ | ∅
        witness | Xi Jinping | General Secretary of the Communist Party of China | ∅ | ∅
        """,
    ),
    Case(
        "institution-activities",
        {},
        "Ha Long University's projects, programmes and activities",
        """
        cooperation activity | Ha Long University students sent to Japanese universities on exchange programmes | sending institution | ∅ | ∅ | ∅
        cooperation activity | Japanese students learning Vietnamese at Ha Long University | host | 2017 | ∅ | ∅
        programme | JICA volunteer programme | host | 2017 | ∅ | ∅
        programme | Japanese Government scholarships | sending institution | ∅ | Government of Japan | ∅
        project | REVFIN project | partner | ∅ | Government of Germany | ∅
        project | VIETMUS project | partner | ∅ | European Union | ∅
        """,
    ),
    Case(
        "institution-activities",
        {"role": "host"},
        "what it hosts, since 2017",
        """
        cooperation activity | Japanese students learning Vietnamese at Ha Long University | host | 2017 | ∅ | ∅
        programme | JICA volunteer programme | host | 2017 | ∅ | ∅
        """,
    ),
    Case(
        "institution-activities",
        {"institution": "quang-ninh-doet", "lang": "vi"},
        "a planned beneficiary of the ASEAN AI-talent plan",
        """
        """,
    ),
    Case(
        "agreement-contents",
        {},
        "the 2024 memorandum",
        """
        type | memorandum of understanding
        status | signed
        signed | 2024-08-27
        party | Tsinghua University
        party | Vietnam National University, Hanoi
        topic | conferences and seminars
        topic | exchange of lecturers and researchers
        topic | publishing and academic information
        topic | research cooperation
        topic | student exchange
        scope | cooperation in research
        scope | exchange of lecturers, researchers and students
        scope | exchange of materials in education, research, publishing and academic information
        scope | joint organisation of academic seminars and conferences
        """,
    ),
    Case(
        "agreement-contents",
        {"agreement": "vietnam-china-university-network-founding"},
        "the founding of the network",
        """
        type | founding of a network
        status | signed
        signed | 2025-04
        party | Tsinghua University
        party | Vietnam National University, Hanoi
        topic | cultural exchange
        topic | human resource development
        topic | knowledge sharing
        topic | research cooperation
        topic | technology transfer
        scope | a platform for Vietnamese and Chinese higher education and science institutions to cooperate in research
        scope | the two universities are the network's co-founders
        establishes | Vietnam–China University Network
        provides for | Tsinghua University, co-founder of the Vietnam–China University Network
        provides for | VNU Hanoi, co-founder of the Vietnam–China University Network
        dedicated to | 75th anniversary of Vietnam–China friendly relations
        dedicated to | Vietnam–China Year of Humanistic Friendship
        """,
    ),
    Case(
        "what-happened-in-month",
        {},
        "April 2025",
        """
        2025-04 | agreement signed | Agreement between VNU Hanoi and Tsinghua University on strengthening cooperation in digital education | cooperation agreement
        2025-04 | agreement signed | Agreement founding the Vietnam–China University Network | founding of a network
        2025-04-14 | event | Presentation of the Vietnam–China cooperation documents (14 April 2025) | ceremony
        2025-04-14 | event | Talks between General Secretary To Lam and General Secretary and President Xi Jinping | meeting
        2025-04-14 | event | Visit of Xi Jinping, General Secretary and President of China (April 2025) | official visit
        2025-04-14 | figure reported | Cooperation documents signed on the occasion of the April 2025 visit | 46
        """,
    ),
    Case(
        "what-happened-in-month",
        {"month": "2025-03"},
        "March 2025",
        """
        2025-03-01 | event | International conference “Vietnam–China Higher Education: Opportunities and Challenges in the 21st Century – the Era of Digital Intelligence” | conference
        2025-03-02 | agreement signed | Student-exchange cooperation agreement between Vietnam National University, Hanoi and Tsinghua University | student-exchange agreement
        """,
    ),
    Case(
        "what-happened-in-month",
        {"month": "2024-08", "lang": "vi"},
        "August 2024",
        """
        2024-08-27 | agreement signed | Biên bản ghi nhớ hợp tác giữa Đại học Quốc gia Hà Nội và Đại học Thanh Hoa (2024) | biên bản ghi nhớ
        """,
    ),
    Case(
        "what-happened-in-month",
        {"month": "2025-01"},
        "nothing is dated January 2025",
        """
        """,
    ),
    Case(
        "institution-profile",
        {},
        "Tsinghua University",
        """
        name | Tsinghua University
        name | Université Tsinghua
        name | Đại học Thanh Hoa
        name | 清华大学
        other name | ĐH Thanh Hoa
        kind | university
        country | China
        unit | Party Committee of Tsinghua University
        unit | Tsinghua University Council
        unit | Vietnam–China Artificial Intelligence Research and Development Laboratory
        ROR | 03cve4549
        Wikidata | Q16955
        """,
    ),
    Case(
        "institution-profile",
        {"institution": "vietnam-china-ai-lab", "lang": "vi"},
        "the laboratory under consideration, a unit of both universities",
        """
        name | Vietnam–China Artificial Intelligence Research and Development Laboratory
        name | Laboratoire de recherche et développement en intelligence artificielle Viêt Nam – Chine
        name | Phòng thí nghiệm nghiên cứu và phát triển trí tuệ nhân tạo Việt Nam - Trung Quốc
        kind | phòng thí nghiệm
        part of | Đại học Quốc gia Hà Nội
        part of | Đại học Thanh Hoa
        status | đang xem xét
        """,
    ),
    Case(
        "article-facts",
        {"article": "vnu-tsinghua-2025", "node": "agreement/vnu-tsinghua-mou-2024"},
        "every statement about the 2024 memorandum",
        """
        Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | source | VNU Hanoi and Tsinghua University: founding the Vietnam–China University Network and strengthening cooperation in digital education | https://w3id.org/coopgraph/id/article/vnu-tsinghua-2025
        Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | type | agreement | https://w3id.org/coopgraph/ontology#Agreement
        Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | label | Biên bản ghi nhớ hợp tác giữa Đại học Quốc gia Hà Nội và Đại học Thanh Hoa (2024) | ∅
        Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | label | Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | ∅
        Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | label | Mémorandum d'entente entre l'Université nationale du Vietnam à Hanoï et l'Université Tsinghua (2024) | ∅
        Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | editorial note | The text dates the memorandum to August 2024; the photo caption gives the day, 27 August 2024. | ∅
        Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | agreement type | memorandum of understanding | https://w3id.org/coopgraph/vocab/agreement-type/memorandum-of-understanding
        Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | date signed | 2024-08-27 | ∅
        Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | party | Tsinghua University | https://w3id.org/coopgraph/id/organization/tsinghua-university
        Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | party | Vietnam National University, Hanoi | https://w3id.org/coopgraph/id/organization/vnu-hanoi
        Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | scope | chia sẻ tài liệu về giáo dục, nghiên cứu và xuất bản, cùng thông tin học thuật | ∅
        Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | scope | cooperation in research | ∅
        Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | scope | exchange of lecturers, researchers and students | ∅
        Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | scope | exchange of materials in education, research, publishing and academic information | ∅
        Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | scope | hợp tác nghiên cứu | ∅
        Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | scope | joint organisation of academic seminars and conferences | ∅
        Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | scope | phối hợp tổ chức hội thảo, hội nghị học thuật | ∅
        Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | scope | trao đổi giảng viên, nghiên cứu viên và sinh viên | ∅
        Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | source quote | Tháng 8 năm 2024, hai đại học đã ký biên bản ghi nhớ hợp tác | ∅
        Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | status | signed | https://w3id.org/coopgraph/vocab/status/signed
        Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | topic | conferences and seminars | https://w3id.org/coopgraph/vocab/topic/academic-events
        Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | topic | publishing and academic information | https://w3id.org/coopgraph/vocab/topic/academic-publishing
        Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | topic | exchange of lecturers and researchers | https://w3id.org/coopgraph/vocab/topic/academic-staff-exchange
        Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | topic | research cooperation | https://w3id.org/coopgraph/vocab/topic/research-cooperation
        Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | topic | student exchange | https://w3id.org/coopgraph/vocab/topic/student-exchange
        """,
    ),
    Case(
        "article-facts",
        {"node": "plan/quang-ninh-850-kh-sgddt", "lang": "vi"},
        "every statement about Plan 850, property names in Vietnamese",
        """
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | số hiệu | 850/KH-SGDĐT | ∅
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | ngày ban hành | 2025 | ∅
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | cơ quan ban hành | Sở Giáo dục và Đào tạo tỉnh Quảng Ninh | https://w3id.org/coopgraph/id/organization/quang-ninh-doet
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | nguồn | Báo Quảng Ninh: hội nhập quốc tế trong giáo dục - đào tạo (bản tiếng Pháp) | https://w3id.org/coopgraph/id/article/bqn-3389250-fr
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | type | kế hoạch | https://w3id.org/coopgraph/ontology#Plan
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | nhãn | Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | ∅
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | nhãn | Plan No. 850/KH-SGDĐT on the international integration of the education sector | ∅
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | nhãn | Plan n° 850/KH-SGDĐT relatif à l'intégration internationale du secteur de l'éducation | ∅
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | ghi chú biên tập | Issued 'this year' according to the source, read as the article's year. The French text attributes the plan to a ministry ('ministère'); the code SGDĐT designates the provincial Department of Education and Training. | ∅
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | quốc gia | Việt Nam | https://w3id.org/coopgraph/vocab/country/vn
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | mục tiêu | make party members, civil servants and employees of the education sector aware of the Party's and the State's aims, views, principles, policies and laws on international integration and friendly relations | ∅
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | mục tiêu | nâng cao nhận thức của đảng viên, công chức, viên chức ngành giáo dục về mục tiêu, quan điểm, chủ trương của Đảng, chính sách và pháp luật của Nhà nước về hội nhập quốc tế và phát triển quan hệ hữu nghị | ∅
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | phạm vi | bồi dưỡng công chức, viên chức về chuyên môn, ngoại ngữ và kỹ năng phục vụ hội nhập quốc tế và cải cách hành chính | ∅
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | phạm vi | disseminate and apply the central and provincial directives on international integration | ∅
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | phạm vi | duy trì và phát triển quan hệ song phương cấp tỉnh với các tỉnh, vùng lãnh thổ khác | ∅
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | phạm vi | maintain and develop bilateral relations at provincial level with other provinces and territories | ∅
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | phạm vi | phối hợp với các ngành liên quan tham mưu cơ chế thu hút đầu tư vào đào tạo | ∅
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | phạm vi | promote applied scientific research and access to new inventions and advanced technology for school management, teaching and learning | ∅
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | phạm vi | quán triệt và thực hiện các chỉ đạo của trung ương và của tỉnh về hội nhập quốc tế | ∅
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | phạm vi | train civil servants and public employees in expertise, foreign languages and skills for international integration and administrative reform | ∅
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | phạm vi | work with the sectors concerned on mechanisms that attract investment in training | ∅
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | phạm vi | đẩy mạnh nghiên cứu khoa học ứng dụng, tiếp cận phát minh và công nghệ tiên tiến phục vụ quản lý, dạy và học | ∅
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | trích dẫn nguồn | il a publié le Plan n° 850/KH-SGDĐT relatif à l'intégration internationale du secteur de l'éducation | ∅
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | địa bàn hướng tới | Quảng Ninh | https://w3id.org/coopgraph/vocab/province/quang-ninh
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | chủ đề | nghiên cứu khoa học ứng dụng | https://w3id.org/coopgraph/vocab/topic/applied-research
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | chủ đề | bồi dưỡng công chức, viên chức | https://w3id.org/coopgraph/vocab/topic/civil-service-training
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | chủ đề | hội nhập quốc tế | https://w3id.org/coopgraph/vocab/topic/international-integration
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | chủ đề | quan hệ giữa các địa phương | https://w3id.org/coopgraph/vocab/topic/interprovincial-relations
        Kế hoạch số 850/KH-SGDĐT về hội nhập quốc tế ngành giáo dục | chủ đề | thu hút đầu tư vào giáo dục | https://w3id.org/coopgraph/vocab/topic/investment-in-education
        """,
    ),
    Case(
        "article-facts",
        {"node": "agreement/vnu-tsinghua-mou-2024"},
        "the memorandum is not from article 000",
        """
        """,
    ),
    Case(
        "article-nodes",
        {"article": "vnu-tsinghua-2025", "kind": "Agreement"},
        "the four agreements of article 004",
        """
        VNU Hanoi and Tsinghua University: founding the Vietnam–China University Network and strengthening cooperation in digital education | agreement | Agreement between VNU Hanoi and Tsinghua University on strengthening cooperation in digital education | https://w3id.org/coopgraph/id/agreement/vnu-tsinghua-digital-education-2025
        VNU Hanoi and Tsinghua University: founding the Vietnam–China University Network and strengthening cooperation in digital education | agreement | Agreement founding the Vietnam–China University Network | https://w3id.org/coopgraph/id/agreement/vietnam-china-university-network-founding
        VNU Hanoi and Tsinghua University: founding the Vietnam–China University Network and strengthening cooperation in digital education | agreement | Memorandum of understanding between Vietnam National University, Hanoi and Tsinghua University (2024) | https://w3id.org/coopgraph/id/agreement/vnu-tsinghua-mou-2024
        VNU Hanoi and Tsinghua University: founding the Vietnam–China University Network and strengthening cooperation in digital education | agreement | Student-exchange cooperation agreement between Vietnam National University, Hanoi and Tsinghua University | https://w3id.org/coopgraph/id/agreement/vnu-tsinghua-student-exchange-2025
        """,
    ),
    Case(
        "find-by-name",
        {},
        "清华 is inside the Chinese names of Tsinghua, its Party Committee and its Council",
        """
        Party Committee of Tsinghua University | 中共清华大学委员会 | https://w3id.org/coopgraph/id/organization/tsinghua-party-committee
        Tsinghua University | 清华大学 | https://w3id.org/coopgraph/id/organization/tsinghua-university
        Tsinghua University Council | 清华大学校务委员会 | https://w3id.org/coopgraph/id/organization/tsinghua-university-council
        """,
    ),
    Case(
        "find-by-name",
        {"name": "lang son", "lang": "vi"},
        "without its tones, Lạng Sơn is found in every language's name of the province and its department",
        """
        Lạng Sơn | Lang Son | https://w3id.org/coopgraph/vocab/province/lang-son
        Lạng Sơn | Lang Son | https://w3id.org/coopgraph/vocab/province/lang-son
        Lạng Sơn | Lạng Sơn | https://w3id.org/coopgraph/vocab/province/lang-son
        Sở Giáo dục và Đào tạo tỉnh Lạng Sơn | Département de l'éducation et de la formation de Lang Son | https://w3id.org/coopgraph/id/organization/lang-son-doet
        Sở Giáo dục và Đào tạo tỉnh Lạng Sơn | Lang Son Department of Education and Training | https://w3id.org/coopgraph/id/organization/lang-son-doet
        Sở Giáo dục và Đào tạo tỉnh Lạng Sơn | Sở Giáo dục và Đào tạo tỉnh Lạng Sơn | https://w3id.org/coopgraph/id/organization/lang-son-doet
        """,
    ),
    Case(
        "find-by-name",
        {"name": "ĐHQGHN và ĐẠI HỌC thanh-hoa"},
        "capitals, đ and punctuation do not count: the Vietnamese names that say ĐHQGHN và Đại học Thanh Hoa",
        """
        Agreement between VNU Hanoi and Tsinghua University on strengthening cooperation in digital education | Văn kiện về tăng cường hợp tác trong lĩnh vực giáo dục kỹ thuật số giữa ĐHQGHN và Đại học Thanh Hoa | https://w3id.org/coopgraph/id/agreement/vnu-tsinghua-digital-education-2025
        Partnership between VNU Hanoi and Tsinghua University | Quan hệ hợp tác giữa ĐHQGHN và Đại học Thanh Hoa | https://w3id.org/coopgraph/id/partnership/vnu-hanoi-tsinghua
        Signing and exchange of the VNU–Tsinghua student-exchange agreement | Lễ ký kết và trao văn bản thỏa thuận trao đổi sinh viên giữa ĐHQGHN và Đại học Thanh Hoa | https://w3id.org/coopgraph/id/signing/vnu-tsinghua-student-exchange-2025
        Signing of the VNU–Tsinghua digital-education document | Ký kết văn kiện hợp tác giáo dục kỹ thuật số giữa ĐHQGHN và Đại học Thanh Hoa | https://w3id.org/coopgraph/id/signing/vnu-tsinghua-digital-education-2025
        Signing of the VNU–Tsinghua memorandum of understanding | Lễ ký biên bản ghi nhớ giữa ĐHQGHN và Đại học Thanh Hoa | https://w3id.org/coopgraph/id/signing/vnu-tsinghua-mou-2024
        VNU Hanoi and Tsinghua University: founding the Vietnam–China University Network and strengthening cooperation in digital education | ĐHQGHN và Đại học Thanh Hoa: sáng lập Mạng lưới Đại học Việt Nam - Trung Quốc và tăng cường hợp tác giáo dục kỹ thuật số | https://w3id.org/coopgraph/id/article/vnu-tsinghua-2025
        """,
    ),
    Case(
        "facts-with-sources",
        {},
        "Ha Long University: its names from the article, its province and country inferred by the project",
        """
        source | Báo Quảng Ninh on international integration in education and training (French version) | https://w3id.org/coopgraph/id/article/bqn-3389250-fr | news article | Báo Quảng Ninh on international integration in education and training (French version) | https://baoquangninh.vn/day-manh-hoi-nhap-quoc-te-trong-giao-duc-dao-tao-3389250.html | Quang Ninh Newspaper | 2025 | ∅ | https://w3id.org/coopgraph/id/article/bqn-3389250-fr | https://w3id.org/coopgraph/source/seed/bqn-3389250-fr/organizations.csv
        type | university | https://w3id.org/coopgraph/ontology#University | news article | Báo Quảng Ninh on international integration in education and training (French version) | https://baoquangninh.vn/day-manh-hoi-nhap-quoc-te-trong-giao-duc-dao-tao-3389250.html | Quang Ninh Newspaper | 2025 | ∅ | https://w3id.org/coopgraph/id/article/bqn-3389250-fr | https://w3id.org/coopgraph/source/seed/bqn-3389250-fr/organizations.csv
        label | Ha Long University | ∅ | news article | Báo Quảng Ninh on international integration in education and training (French version) | https://baoquangninh.vn/day-manh-hoi-nhap-quoc-te-trong-giao-duc-dao-tao-3389250.html | Quang Ninh Newspaper | 2025 | ∅ | https://w3id.org/coopgraph/id/article/bqn-3389250-fr | https://w3id.org/coopgraph/source/seed/bqn-3389250-fr/organizations.csv
        label | Trường Đại học Hạ Long | ∅ | news article | Báo Quảng Ninh on international integration in education and training (French version) | https://baoquangninh.vn/day-manh-hoi-nhap-quoc-te-trong-giao-duc-dao-tao-3389250.html | Quang Ninh Newspaper | 2025 | ∅ | https://w3id.org/coopgraph/id/article/bqn-3389250-fr | https://w3id.org/coopgraph/source/seed/bqn-3389250-fr/organizations.csv
        label | Université d'Ha Long | ∅ | news article | Báo Quảng Ninh on international integration in education and training (French version) | https://baoquangninh.vn/day-manh-hoi-nhap-quoc-te-trong-giao-duc-dao-tao-3389250.html | Quang Ninh Newspaper | 2025 | ∅ | https://w3id.org/coopgraph/id/article/bqn-3389250-fr | https://w3id.org/coopgraph/source/seed/bqn-3389250-fr/organizations.csv
        editorial note | The article calls it a major actor in talent training 'in the province' without naming it; its province and country are the project's reading, kept in the derived graph. | ∅ | news article | Báo Quảng Ninh on international integration in education and training (French version) | https://baoquangninh.vn/day-manh-hoi-nhap-quoc-te-trong-giao-duc-dao-tao-3389250.html | Quang Ninh Newspaper | 2025 | ∅ | https://w3id.org/coopgraph/id/article/bqn-3389250-fr | https://w3id.org/coopgraph/source/seed/bqn-3389250-fr/organizations.csv
        location | Quang Ninh | https://w3id.org/coopgraph/vocab/province/quang-ninh | derivation | Inferences of the coopgraph project | ∅ | ∅ | ∅ | ∅ | https://w3id.org/coopgraph/id/source/coopgraph-derivation | https://w3id.org/coopgraph/source/seed/derived/places.ttl
        country | Vietnam | https://w3id.org/coopgraph/vocab/country/vn | derivation | Inferences of the coopgraph project | ∅ | ∅ | ∅ | ∅ | https://w3id.org/coopgraph/id/source/coopgraph-derivation | https://w3id.org/coopgraph/source/seed/derived/places.ttl
        """,
    ),
    Case(
        "facts-with-sources",
        {"resource": "count/global-mooc-alliance-members", "lang": "vi"},
        "a reported figure with the article's own wording",
        """
        ngày | 2025 | ∅ | bài báo | ĐHQGHN và Đại học Thanh Hoa: sáng lập Mạng lưới Đại học Việt Nam - Trung Quốc và tăng cường hợp tác giáo dục kỹ thuật số | ∅ | ∅ | 2025 | Hiện tại, Liên minh có 23 thành viên đến từ 16 quốc gia | https://w3id.org/coopgraph/id/article/vnu-tsinghua-2025 | https://w3id.org/coopgraph/source/seed/vnu-tsinghua-2025/networks.ttl
        nguồn | ĐHQGHN và Đại học Thanh Hoa: sáng lập Mạng lưới Đại học Việt Nam - Trung Quốc và tăng cường hợp tác giáo dục kỹ thuật số | https://w3id.org/coopgraph/id/article/vnu-tsinghua-2025 | bài báo | ĐHQGHN và Đại học Thanh Hoa: sáng lập Mạng lưới Đại học Việt Nam - Trung Quốc và tăng cường hợp tác giáo dục kỹ thuật số | ∅ | ∅ | 2025 | Hiện tại, Liên minh có 23 thành viên đến từ 16 quốc gia | https://w3id.org/coopgraph/id/article/vnu-tsinghua-2025 | https://w3id.org/coopgraph/source/seed/vnu-tsinghua-2025/networks.ttl
        type | số liệu được công bố | https://w3id.org/coopgraph/ontology#ReportedCount | bài báo | ĐHQGHN và Đại học Thanh Hoa: sáng lập Mạng lưới Đại học Việt Nam - Trung Quốc và tăng cường hợp tác giáo dục kỹ thuật số | ∅ | ∅ | 2025 | Hiện tại, Liên minh có 23 thành viên đến từ 16 quốc gia | https://w3id.org/coopgraph/id/article/vnu-tsinghua-2025 | https://w3id.org/coopgraph/source/seed/vnu-tsinghua-2025/networks.ttl
        nhãn | Members of the Global MOOC and Online Education Alliance | ∅ | bài báo | ĐHQGHN và Đại học Thanh Hoa: sáng lập Mạng lưới Đại học Việt Nam - Trung Quốc và tăng cường hợp tác giáo dục kỹ thuật số | ∅ | ∅ | 2025 | Hiện tại, Liên minh có 23 thành viên đến từ 16 quốc gia | https://w3id.org/coopgraph/id/article/vnu-tsinghua-2025 | https://w3id.org/coopgraph/source/seed/vnu-tsinghua-2025/networks.ttl
        nhãn | Số thành viên của Liên minh MOOC và Giáo dục Trực tuyến toàn cầu | ∅ | bài báo | ĐHQGHN và Đại học Thanh Hoa: sáng lập Mạng lưới Đại học Việt Nam - Trung Quốc và tăng cường hợp tác giáo dục kỹ thuật số | ∅ | ∅ | 2025 | Hiện tại, Liên minh có 23 thành viên đến từ 16 quốc gia | https://w3id.org/coopgraph/id/article/vnu-tsinghua-2025 | https://w3id.org/coopgraph/source/seed/vnu-tsinghua-2025/networks.ttl
        đối tượng của số liệu | Liên minh MOOC và Giáo dục Trực tuyến toàn cầu | https://w3id.org/coopgraph/id/organization/global-mooc-alliance | bài báo | ĐHQGHN và Đại học Thanh Hoa: sáng lập Mạng lưới Đại học Việt Nam - Trung Quốc và tăng cường hợp tác giáo dục kỹ thuật số | ∅ | ∅ | 2025 | Hiện tại, Liên minh có 23 thành viên đến từ 16 quốc gia | https://w3id.org/coopgraph/id/article/vnu-tsinghua-2025 | https://w3id.org/coopgraph/source/seed/vnu-tsinghua-2025/networks.ttl
        giá trị | 23 | ∅ | bài báo | ĐHQGHN và Đại học Thanh Hoa: sáng lập Mạng lưới Đại học Việt Nam - Trung Quốc và tăng cường hợp tác giáo dục kỹ thuật số | ∅ | ∅ | 2025 | Hiện tại, Liên minh có 23 thành viên đến từ 16 quốc gia | https://w3id.org/coopgraph/id/article/vnu-tsinghua-2025 | https://w3id.org/coopgraph/source/seed/vnu-tsinghua-2025/networks.ttl
        đại lượng | số tổ chức thành viên | https://w3id.org/coopgraph/vocab/measure/member-organisations | bài báo | ĐHQGHN và Đại học Thanh Hoa: sáng lập Mạng lưới Đại học Việt Nam - Trung Quốc và tăng cường hợp tác giáo dục kỹ thuật số | ∅ | ∅ | 2025 | Hiện tại, Liên minh có 23 thành viên đến từ 16 quốc gia | https://w3id.org/coopgraph/id/article/vnu-tsinghua-2025 | https://w3id.org/coopgraph/source/seed/vnu-tsinghua-2025/networks.ttl
        trích dẫn nguồn | Hiện tại, Liên minh có 23 thành viên đến từ 16 quốc gia | ∅ | bài báo | ĐHQGHN và Đại học Thanh Hoa: sáng lập Mạng lưới Đại học Việt Nam - Trung Quốc và tăng cường hợp tác giáo dục kỹ thuật số | ∅ | ∅ | 2025 | ∅ | https://w3id.org/coopgraph/id/article/vnu-tsinghua-2025 | https://w3id.org/coopgraph/source/seed/vnu-tsinghua-2025/networks.ttl
        """,
    ),
]

#: Every node each article tells about (article-nodes, no parameter), by most specific class.
ARTICLE_NODES = {
    "bqn-3389250-fr": {
        "agreement": ["agreement/vietnam-guangxi-education-exchange-mou-2025"],
        "conference": ["event/vietnam-guangxi-education-exchange-conference-2025"],
        "cooperation activity": [
            "activity/ai-plus-education-cooperation",
            "activity/ha-long-university-exchange-japan",
            "activity/ha-long-university-japanese-students",
        ],
        "department of education": [
            "organization/cao-bang-doet",
            "organization/guangxi-education-department",
            "organization/hai-phong-doet",
            "organization/lang-son-doet",
            "organization/quang-ninh-doet",
            "organization/tuyen-quang-doet",
        ],
        "development agency": ["organization/jica"],
        "funding": ["funding/revfin-germany", "funding/vietmus-european-union"],
        "government": ["organization/government-of-germany", "organization/government-of-japan"],
        "grant": ["funding/japanese-government-scholarship"],
        "institute": ["organization/kitami-institute-of-technology"],
        "intergovernmental organisation": ["organization/asean", "organization/european-union"],
        "news article": ["article/bqn-3389250", "article/bqn-3389250-fr"],
        "news media organisation": ["organization/bao-quang-ninh"],
        "participation": [
            "participation/asean-ai-talents-asean",
            "participation/asean-ai-talents-guangxi",
            "participation/education-exchange-conference-2025-cao-bang",
            "participation/education-exchange-conference-2025-guangxi-chair",
            "participation/education-exchange-conference-2025-hai-phong",
            "participation/education-exchange-conference-2025-lang-son",
            "participation/education-exchange-conference-2025-quang-ninh",
            "participation/education-exchange-conference-2025-tuyen-quang",
            "participation/exchange-japan-ha-long-university",
            "participation/japanese-government-scholarship-ha-long-university",
            "participation/japanese-students-ha-long-university",
            "participation/jica-volunteers-ha-long-university",
            "participation/jica-volunteers-jica",
            "participation/revfin-ha-long-university",
            "participation/vietmus-ha-long-university",
        ],
        "partnership": [
            "partnership/ha-long-university-asahikawa-university",
            "partnership/ha-long-university-kitami-institute-of-technology",
            "partnership/ha-long-university-osaka-university",
        ],
        "plan": ["plan/quang-ninh-850-kh-sgddt"],
        "programme": [
            "programme/asean-100000-ai-talents",
            "programme/intelligence-school-new-era-talents",
            "programme/japanese-government-scholarship",
            "programme/jica-volunteers",
        ],
        "project": ["project/revfin", "project/vietmus"],
        "reported count": [
            "count/asean-100000-ai-talents-target",
            "count/ha-long-university-eu-germany-projects",
        ],
        "signing act": ["signing/vietnam-guangxi-education-exchange-mou-2025"],
        "university": [
            "organization/asahikawa-university",
            "organization/ha-long-university",
            "organization/osaka-university",
        ],
    },
    "vnu-tsinghua-2025": {
        "academy": ["organization/academy-of-social-sciences"],
        "agreement": [
            "agreement/vietnam-china-university-network-founding",
            "agreement/vnu-tsinghua-digital-education-2025",
            "agreement/vnu-tsinghua-mou-2024",
            "agreement/vnu-tsinghua-student-exchange-2025",
        ],
        "alliance": ["organization/global-mooc-alliance"],
        "ceremony": ["event/vietnam-china-cooperation-documents-2025-04-14"],
        "conference": ["event/vietnam-china-higher-education-conference-2025"],
        "governing body": [
            "organization/cpc-central-committee",
            "organization/tsinghua-party-committee",
            "organization/tsinghua-university-council",
            "organization/vnu-party-committee",
        ],
        "government": ["organization/government-of-vietnam"],
        "government body": ["organization/state-of-china"],
        "laboratory": ["organization/vietnam-china-ai-lab"],
        "meeting": ["event/to-lam-xi-jinping-talks-2025-04-14"],
        "membership": [
            "membership/qiu-yong-academy-of-social-sciences",
            "membership/qiu-yong-cpc-central-committee",
            "membership/tsinghua-global-mooc-alliance-founder",
            "membership/tsinghua-global-mooc-alliance-secretariat",
            "membership/tsinghua-vietnam-china-university-network-co-founder",
            "membership/vnu-hanoi-global-mooc-alliance-member",
            "membership/vnu-hanoi-vietnam-china-university-network-co-founder",
        ],
        "news article": ["article/vnu-tsinghua-2025"],
        "observance": [
            "event/vietnam-china-diplomatic-relations-75th-anniversary",
            "event/vietnam-china-humanistic-exchange-year-2025",
        ],
        "official visit": ["event/xi-jinping-visit-2025-04"],
        "participation": [
            "participation/digital-transformation-vnu-hanoi",
            "participation/documents-2025-04-14-to-lam",
            "participation/documents-2025-04-14-xi-jinping",
            "participation/emba-tsinghua",
            "participation/emba-vnu-hanoi",
            "participation/higher-education-conference-2025-tsinghua",
            "participation/higher-education-conference-2025-vnu-hanoi",
            "participation/talks-2025-04-14-to-lam",
            "participation/talks-2025-04-14-xi-jinping",
            "participation/xi-jinping-visit-2025-04-xi-jinping",
        ],
        "partnership": ["partnership/vnu-hanoi-tsinghua"],
        "person": [
            "person/le-quan",
            "person/pham-minh-chinh",
            "person/qiu-yong",
            "person/to-lam",
            "person/xi-jinping",
        ],
        "political party": [
            "organization/communist-party-of-china",
            "organization/communist-party-of-vietnam",
        ],
        "post": [
            "post/china-state-president",
            "post/cpc-general-secretary",
            "post/cpv-general-secretary",
            "post/tsinghua-council-chair",
            "post/tsinghua-party-secretary",
            "post/vietnam-prime-minister",
            "post/vnu-party-secretary",
            "post/vnu-president",
        ],
        "programme": ["programme/vnu-digital-transformation", "programme/vnu-tsinghua-emba"],
        "reported count": [
            "count/global-mooc-alliance-countries",
            "count/global-mooc-alliance-members",
            "count/xi-jinping-visit-2025-04-signed-documents",
        ],
        "signatory": [
            "participation/vnu-tsinghua-mou-2024-signatory-le-quan",
            "participation/vnu-tsinghua-mou-2024-signatory-qiu-yong",
            "participation/vnu-tsinghua-student-exchange-2025-signatory-le-quan",
            "participation/vnu-tsinghua-student-exchange-2025-signatory-qiu-yong",
        ],
        "signing act": [
            "signing/vietnam-china-university-network-founding",
            "signing/vnu-tsinghua-digital-education-2025",
            "signing/vnu-tsinghua-mou-2024",
            "signing/vnu-tsinghua-student-exchange-2025",
        ],
        "university": ["organization/tsinghua-university", "organization/vnu-hanoi"],
        "university network": ["organization/vietnam-china-university-network"],
        "witness": ["participation/vnu-tsinghua-student-exchange-2025-witness-pham-minh-chinh"],
    },
}


def test_every_query_has_cases_with_default_and_other_values() -> None:
    assert len(SAVED) >= 15
    assert sorted(SAVED) == sorted(p.stem for p in QUERIES.glob("*.rq"))
    for name, saved in SAVED.items():
        cases = [c for c in CASES if c.name == name]
        assert any(not c.params for c in cases) or name in ("article-facts", "article-nodes"), name
        if saved.parameters:
            assert any(c.params for c in cases), f"{name}: no case with a non-default value"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_answer(server: Server, case: Case) -> None:
    saved = SAVED[case.name]
    got = ask(server, case.name, case.params)
    selected = re.search(r"\bSELECT\s+(?:DISTINCT\s+)?(.*?)\s+WHERE", saved.query, re.S).group(1)
    # an expression's column is named by its AS: "(COUNT(DISTINCT ?org) AS ?institutions)"
    selected = re.sub(r"\((?:[^()]|\([^()]*\))*?\s+AS\s+(\?\w+)\s*\)", r"\1", selected)
    assert got.variables == [v.lstrip("?") for v in selected.split()]
    assert got.rows(answer_columns(case.name, got.variables)) == case.rows, case.why
    # each parameter's column holds the value bound, as a typed term
    for p in saved.parameters:
        value = bound_value(saved, p.name, case.params)
        if value is not None:
            assert {b[p.name]["value"] for b in got.bindings} <= {value}, p.name


def test_article_nodes_are_every_node_of_each_article(server: Server) -> None:
    got = ask(server, "article-nodes")
    seen: dict[str, dict[str, list[str]]] = {}
    for b in got.bindings:
        article = b["article"]["value"].removeprefix(ID + "article/")
        node = b["iri"]["value"].removeprefix(ID)
        seen.setdefault(article, {}).setdefault(b["nodeType"]["value"], []).append(node)
    assert {a: {k: sorted(v) for k, v in kinds.items()} for a, kinds in seen.items()} == ARTICLE_NODES
    assert len(got.bindings) == 124
    assert len({b["iri"]["value"] for b in got.bindings}) == 124, "one row per node"
    # a participation has no label of its own: it is named after its agent and what it takes part in
    rows = {b["iri"]["value"].removeprefix(ID): b["node"]["value"] for b in got.bindings}
    assert rows["participation/vnu-tsinghua-student-exchange-2025-witness-pham-minh-chinh"] == (
        "Pham Minh Chinh — Signing and exchange of the VNU–Tsinghua student-exchange agreement"
    )
    assert rows["organization/bao-quang-ninh"] == "Quang Ninh Newspaper"
    per_article = ask(server, "article-nodes", {"article": "vnu-tsinghua-2025", "lang": "vi"})
    assert {b["iri"]["value"].removeprefix(ID) for b in per_article.bindings} == {
        n for nodes in ARTICLE_NODES["vnu-tsinghua-2025"].values() for n in nodes
    }
    participations = ask(server, "article-nodes", {"kind": "Participation"})
    assert len(participations.bindings) == 15 + 10 + 4 + 1, "kind includes the subclasses Signatory, Witness"


#: The statements of each article's graphs (data/sources.ttl names the files of each).
STATEMENTS_000, STATEMENTS_004 = 459, 602


def test_article_facts_are_every_statement_about_the_article_nodes(server: Server) -> None:
    for article, statements in (("bqn-3389250-fr", STATEMENTS_000), ("vnu-tsinghua-2025", STATEMENTS_004)):
        got = ask(server, "article-facts", {"article": article})
        assert len(got.bindings) == statements
        nodes = {b["node"]["value"].removeprefix(ID) for b in got.bindings}
        described = {n for kinds in ARTICLE_NODES[article].values() for n in kinds}
        # besides the article's nodes, only the OWL-Time period of a membership it dates
        assert nodes - described <= {
            "membership/tsinghua-global-mooc-alliance-founder-period",
            "membership/tsinghua-global-mooc-alliance-founder-beginning",
        }
        assert described <= nodes
        facts = set(got.rows(["subject", "property", "value"]))
        if article == "bqn-3389250-fr":
            assert (
                "Plan No. 850/KH-SGDĐT on the international integration of the education sector",
                "identifier",
                "850/KH-SGDĐT",
            ) in facts
            assert ("VIETMUS project", "acronym", "VIETMUS") in facts
            # the article does not name the province: the project's inference, not the article's fact
            assert ("Ha Long University", "location", "Quang Ninh") not in facts
            assert ("Kitami Institute of Technology", "location", "Hokkaido") in facts
        else:
            assert ("Members of the Global MOOC and Online Education Alliance", "count value", "23") in facts
            # names and identifiers from Wikidata and ROR are not the article's
            assert ("Qiu Yong", "label", "Khưu Dũng") in facts
            assert ("Qiu Yong", "label", "邱勇") not in facts
            assert ("Tsinghua University", "ROR identifier", "03cve4549") not in facts
            assert ("Partnership between VNU Hanoi and Tsinghua University", "start date", "2006") in facts


def test_dates_keep_their_precision_and_values_their_types(server: Server) -> None:
    got = ask(server, "agreements-in-period")
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert {(b["signed"]["value"], b["signed"]["datatype"]) for b in got.bindings} == {
        ("2024-08-27", xsd + "date"),
        ("2025-03-02", xsd + "date"),
        ("2025-04", xsd + "gYearMonth"),
        ("2025", xsd + "gYear"),
    }
    assert {b["parties"]["datatype"] for b in got.bindings} == {xsd + "integer"}
    assert {b["start"]["datatype"] for b in got.bindings} == {xsd + "date"}
    names = ask(server, "institution-profile", {"lang": "fr"})
    assert {
        (b["value"]["value"], b["value"].get("xml:lang"))
        for b in names.bindings
        if b["aspect"]["value"] == "name"
    } == {
        ("Tsinghua University", "en"),
        ("Université Tsinghua", "fr"),
        ("Đại học Thanh Hoa", "vi"),
        ("清华大学", "zh"),
    }


def test_an_unknown_language_falls_back_to_english(server: Server) -> None:
    for name in ("partners-by-country", "policy-documents", "agreement-contents"):
        english = ask(server, name)
        other = ask(server, name, {"lang": "xx"})
        columns = answer_columns(name, english.variables)
        assert other.rows(columns) == english.rows(columns), name
        assert {b["lang"]["value"] for b in other.bindings} == {"xx"}


def test_funders_min_amount_compares_stated_amounts(tmp_path: Path, seeded_store: Path) -> None:
    """The seed data states no amount: on a copy, give VIETMUS's funding one and ask again."""
    import shutil

    store = tmp_path / "store"
    shutil.copytree(seeded_store, store, symlinks=True)
    server = start_server(store)
    try:
        amount = f"""@prefix cg: <https://w3id.org/coopgraph/ontology#> .
@prefix schema: <http://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{ID}funding/vietmus-european-union> cg:amount <{ID}amount/vietmus-european-union> .
<{ID}amount/vietmus-european-union> a schema:MonetaryAmount ;
    schema:value "750000.50"^^xsd:decimal ; schema:currency "EUR" .
"""
        r = requests.put(
            server.url + "/graphs",
            params={"graph": "https://w3id.org/coopgraph/graph/data/test/amounts"},
            data=amount.encode(),
            headers={**server.auth, "Content-Type": "text/turtle"},
        )
        assert r.status_code == 201, r.text
        columns = ["funderName", "activity", "amount", "currency"]
        assert ask(server, "funders").rows(columns) == [
            ("European Union", "VIETMUS project", "750000.5", "EUR"),
            ("Government of Germany", "REVFIN project", "", ""),
            ("Government of Japan", "Japanese Government scholarships", "", ""),
        ]
        # the OpenAPI document says "number": a number written with an exponent is its decimal value
        for minimum, rows in (("750000.5", 1), ("750000.51", 0), ("1e3", 1), ("7.500005E5", 1), ("-1", 1)):
            assert len(ask(server, "funders", {"min_amount": minimum}).bindings) == rows, minimum
        echoed = ask(server, "funders", {"min_amount": "7.5E5"}).bindings[0]["min_amount"]
        assert echoed == {"type": "literal", "value": "750000", "datatype": XSD + "decimal"}
        for minimum in ("1e3.5", "1e999", "0x10", "1,000"):  # not a decimal; out of any decimal's range
            bad = requests.get(server.url + "/queries/funders", params={"min_amount": minimum})
            assert bad.status_code == 400 and bad.text.startswith("min_amount: "), (minimum, bad.text)
    finally:
        server.stop()


def test_every_example_in_the_headers_answers(server: Server) -> None:
    for name, saved in SAVED.items():
        assert saved.example and saved.example.startswith(f"/queries/{name}?"), name
        r = requests.get(server.url + saved.example, headers={"Accept": JSON})
        assert r.status_code == 200, f"{saved.example}: {r.text}"
        assert r.json()["results"]["bindings"], f"{saved.example} answers no rows"


def test_every_header_is_complete() -> None:
    for name, saved in SAVED.items():
        assert saved.title and saved.description and saved.tags, name
        assert "ORDER BY" in saved.query, f"{name}: rows in a stated order"
        for p in saved.parameters:
            assert p.description, f"{name}: {p.name}"
            if p.type == "iri":
                assert p.base, f"{name}: {p.name} takes local names"
        langs = [p for p in saved.parameters if p.name == "lang"]
        assert langs and langs[0].type == "string" and langs[0].default == "en", name


HEADER = """#+ title: A test query
#+ params:
#+   {name}:
#+     type: string
#+     description: A parameter.
SELECT ?s ?{name} WHERE {{ ?s ?p ?{name} }} ORDER BY ?s
"""


@pytest.mark.parametrize(
    ("name", "says"),
    [(name, "reserved") for name in ("format", "request", "query", "update")]
    + [
        (name, "Python keyword")
        for name in ("from", "in", "class", "is", "not", "lambda", "async", "await", "with")
    ],
)
def test_a_reserved_or_keyword_parameter_name_is_refused(tmp_path: Path, name: str, says: str) -> None:
    path = tmp_path / "refused.rq"
    path.write_text(HEADER.format(name=name), encoding="utf-8")
    with pytest.raises(SavedQueryError) as refused:
        parse(path)
    message = str(refused.value)
    assert message.startswith(f"{path}: ") and f"'{name}'" in message and says in message


@pytest.mark.parametrize(
    ("header", "says"),
    [
        ("#+ params:\n#+   yes:\n#+     type: string\n", "True"),  # YAML 1.1 reads yes as a boolean
        ("#+ params:\n#+   2025:\n#+     type: gYear\n", "2025"),
        ("#+ params:\n#+   Lang:\n#+     type: string\n", "'Lang'"),
        ("#+ params:\n#+   lang: string\n", "lang"),
        ("#+ params: [lang]\n", "params"),
    ],
)
def test_an_ill_formed_parameter_is_refused_with_its_file(tmp_path: Path, header: str, says: str) -> None:
    path = tmp_path / "bad.rq"
    path.write_text(f"#+ title: A test query\n{header}SELECT ?s WHERE {{ ?s ?p ?o }}\n", encoding="utf-8")
    with pytest.raises(SavedQueryError) as refused:
        parse(path)
    assert str(refused.value).startswith(f"{path}: ") and says in str(refused.value)


def test_the_names_every_saved_query_may_use() -> None:
    import keyword

    names = {p.name for saved in SAVED.values() for p in saved.parameters}
    assert not names & RESERVED and not {n for n in names if keyword.iskeyword(n)}
    # the names the routes read for themselves are the reserved ones
    assert {"format"} <= RESERVED


def test_numbers_are_bound_in_xsd_form() -> None:
    integer = Parameter("n", "integer")
    decimal = Parameter("x", "decimal")
    for parameter, given, bound in (
        (integer, "1e3", "1000"),
        (integer, "5.0", "5"),
        (integer, "-7", "-7"),
        (integer, "+007", "+007"),  # an XSD form already: kept as given
        (decimal, "1e5", "100000"),
        (decimal, "2.5E-3", "0.0025"),
        (decimal, "-1.25e+2", "-125"),
        (decimal, "100000.50", "100000.50"),
        (decimal, ".5", ".5"),
    ):
        term = parameter.bind(given)
        assert (term.value, term.datatype.value) == (bound, XSD + parameter.type), given
    for parameter, given in ((integer, "1e99"), (decimal, "1e-99"), (decimal, "1e65")):
        with pytest.raises(BadParameter, match="out of range"):
            parameter.bind(given)
    with pytest.raises(BadParameter, match=r"^n: '1.5e0' is not a valid integer"):
        integer.bind("1.5e0")


# ------------------------------------------------------------------------- catalogue, OpenAPI, texts
def test_catalogue_lists_every_query_with_its_parameters(server: Server) -> None:
    for params, headers in (({}, {}), ({"format": "json"}, {"Accept": "text/html"})):
        r = requests.get(server.url + "/queries", params=params, headers=headers)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
        listed = {q["name"]: q for q in r.json()["queries"]}
        assert sorted(listed) == sorted(SAVED)
        for name, saved in SAVED.items():
            entry = listed[name]
            assert entry["title"] == saved.title and entry["description"] == saved.description
            assert entry["tags"] == list(saved.tags) and entry["example"] == saved.example
            assert entry["query"] == saved.query
            assert [
                (p["name"], p["type"], p["default"], p["base"], p["values"]) for p in entry["parameters"]
            ] == [(p.name, p.type, p.default, p.base, list(p.values) or None) for p in saved.parameters]


def test_catalogue_for_the_query_page_binds_each_querys_defaults(server: Server) -> None:
    """What the query page offers as examples: each text runs on /sparql as /queries/{name} does."""
    r = requests.get(server.url + "/queries", params={"format": "json", "bind": "defaults"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    listed = {q["name"]: q for q in r.json()["queries"]}
    assert sorted(listed) == sorted(SAVED)
    for name, saved in SAVED.items():
        text = listed[name]["query"]
        defaults = [p for p in saved.parameters if p.default is not None]
        if not defaults:
            assert text == saved.query, name
            continue
        variables = " ".join(f"?{p.name}" for p in defaults)
        terms = " ".join(str(p.bind(p.default)) for p in defaults)
        lines = text.split("\n")
        at = next(i for i, line in enumerate(lines) if line.startswith("  # The parameters' defaults"))
        assert lines[at - 1].endswith(" WHERE {"), name
        assert lines[at + 1] == f"  VALUES ({variables}) {{ ({terms}) }}", name
        assert "\n".join(lines[:at] + lines[at + 2 :]) == saved.query, "two lines added, nothing else"
        answer = requests.post(server.url + "/sparql", data={"query": text}, headers={"Accept": JSON})
        assert answer.status_code == 200, (name, answer.text[:300])
        got = Answer(answer.json()["head"]["vars"], answer.json()["results"]["bindings"])
        expected = ask(server, name)
        assert got.variables == expected.variables, name
        assert got.rows() == expected.rows(), name
        assert expected.bindings, f"{name} answers no rows with its defaults"


@pytest.mark.parametrize(
    ("params", "named"),
    [({"bind": "values"}, "bind"), ({"format": "csv"}, "format"), ({"format": "json", "bind": ""}, "bind")],
)
def test_catalogue_refuses_what_it_does_not_offer(server: Server, params: dict[str, str], named: str) -> None:
    r = requests.get(server.url + "/queries", params=params)
    assert r.status_code == 400 and r.text.startswith(f"{named}: "), r.text


def test_catalogue_and_results_as_html_for_browsers(server: Server) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    r = requests.get(server.url + "/queries", headers=browser)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    for name, saved in SAVED.items():
        assert f'href="/queries/{name}"' in r.text
        assert html.escape(saved.title) in r.text
    r = requests.get(
        server.url + "/queries/partners-by-country",
        params={"institution": "ha-long-university"},
        headers=browser,
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "7 row(s)" in r.text and "Kitami Institute of Technology" in r.text
    assert 'name="institution" value="ha-long-university"' in r.text


def test_query_text_is_served_with_its_header(server: Server) -> None:
    for name in SAVED:
        r = requests.get(f"{server.url}/queries/{name}.rq")
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/sparql-query")
        assert r.text == (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
        assert r.text.startswith("#+ title: ")
    assert requests.get(server.url + "/queries/no-such-query.rq").status_code == 404
    assert requests.get(server.url + "/queries/no-such-query").status_code == 404


OPENAPI_TYPES = {
    "iri": ("string", "uri-reference"),
    "string": ("string", None),
    "integer": ("integer", None),
    "decimal": ("number", None),
    "boolean": ("boolean", None),
    "date": ("string", "date"),
    "gYear": ("string", None),
    "gYearMonth": ("string", None),
}


JSON_VALUE = {
    **{kind: str for kind in OPENAPI_TYPES},
    "integer": int,
    "decimal": float,
    "boolean": lambda v: {"true": True, "1": True, "false": False, "0": False}[v],
}


@pytest.fixture(scope="module")
def openapi(server: Server) -> dict[str, Any]:
    r = requests.get(server.url + "/openapi.json")
    assert r.status_code == 200
    return r.json()


def test_openapi_types_every_parameter(openapi: dict[str, Any]) -> None:
    for name, saved in SAVED.items():
        operation = openapi["paths"][f"/queries/{name}"]["get"]
        assert operation["summary"] == saved.title
        assert "saved queries" in operation["tags"]
        documented = {p["name"]: p for p in operation["parameters"]}
        assert set(documented) == {p.name for p in saved.parameters} | {"format"}
        assert documented["format"]["schema"]["enum"] == ["json", "xml", "csv", "tsv", "xlsx", "labelled-csv"]
        for p in saved.parameters:
            schema = documented[p.name]["schema"]
            kind, fmt = OPENAPI_TYPES[p.type]
            assert schema["type"] == kind, (name, p.name)
            assert schema.get("format") == fmt, (name, p.name)
            assert documented[p.name]["in"] == "query" and not documented[p.name]["required"]
            assert p.description in documented[p.name]["description"]
            # the default as the typed JSON value the schema describes ("true" is the boolean true)
            assert schema.get("default") == (None if p.default is None else JSON_VALUE[p.type](p.default))
            if p.values:
                assert schema["enum"] == list(p.values)
            if p.base:
                assert p.base in documented[p.name]["description"]
            if p.type == "gYear":
                assert re.match(schema["pattern"], "2025") and not re.match(schema["pattern"], "25")
            if p.type == "gYearMonth":
                assert re.match(schema["pattern"], "2025-04") and not re.match(schema["pattern"], "2025-13")


def test_openapi_schemas_of_typed_parameters_are_satisfiable(openapi: dict[str, Any]) -> None:
    for name, saved in SAVED.items():
        documented = {p["name"]: p for p in openapi["paths"][f"/queries/{name}"]["get"]["parameters"]}
        for p in saved.parameters:
            schema = documented[p.name]["schema"]
            alternatives = {s.get("type") for s in schema.get("anyOf", [])}
            assert not alternatives or schema["type"] in alternatives, (name, p.name, schema)


def test_openapi_document_is_valid(openapi: dict[str, Any]) -> None:
    from openapi_spec_validator import validate

    validate(openapi)  # raises, naming the place, on anything OpenAPI 3.1 does not allow
    for name, saved in SAVED.items():
        documented = openapi["paths"][f"/queries/{name}"]["get"]["parameters"]
        for p in documented:
            # hand-written, not derived by FastAPI from a signature: no anyOf, no 422 page
            assert set(p) == {"name", "in", "required", "description", "schema"}, (name, p)
            assert "anyOf" not in p["schema"], (name, p)
        assert "422" not in openapi["paths"][f"/queries/{name}"]["get"]["responses"], name
        required = {p["name"] for p in documented if p["required"]}
        assert required == {p.name for p in saved.parameters if p.required and p.default is None}, name


#: Values as a URL carries them, by parameter type: (accepted, refused). What the OpenAPI schema of a
#: parameter allows, the server must take; what it refuses here, the server refuses too.
WIRE_VALUES = {
    "integer": (
        ["5", "-3", "0", "123456789012345678901234567890", "1e3", "5.0"],
        ["12.5", "abc", "1.5e0", "true"],
    ),
    "decimal": (
        ["100000", "100000.50", "-0.5", "0", "1e5", "2.5E-3", "-1.25e+2"],
        ["1.2.3", "abc", "0x10", "1,000", "NaN", "Infinity", "true"],
    ),
    "boolean": (["true", "false"], ["maybe", "True", "yes", "2"]),
    "date": (
        ["2025-03-31", "2024-02-29", "0900-01-01"],
        ["2024-13-45", "31/12/2025", "2023-02-29", "2025-04"],
    ),
    "gYear": (["2025", "-0044", "2025Z", "2025+09:00", "12025"], ["25", "20x5", "02025", "2025-04", "٢٠٢٥"]),
    "gYearMonth": (["2025-04", "2025-12Z", "-0044-03"], ["2025-13", "2025-04-14", "2025-4", "April 2025"]),
    "string": (["vi", "", "x> } UNION { ?s ?p ?o } #"], []),
    "iri": (["ha-long-university", "https://w3id.org/coopgraph/id/organization/ha-long-university"], []),
}


def json_instance(kind: str, wire: str) -> Any:
    """What a client meant by a value in the URL: a number or boolean for those types, else the text."""
    if kind in ("integer", "decimal", "boolean"):

        def not_json(constant: str) -> None:
            raise ValueError(constant)  # NaN, Infinity: Python's extensions, not JSON

        try:
            return json.loads(wire, parse_constant=not_json)
        except ValueError:
            return wire
    return wire


def test_openapi_schemas_agree_with_the_binding(openapi: dict[str, Any]) -> None:
    from jsonschema import Draft202012Validator, FormatChecker

    from coopgraph.saved_queries import BadParameter

    def accepts(parameter: Any, value: str) -> bool:
        try:
            parameter.bind(value)
        except BadParameter:
            return False
        return True

    seen = set()
    for name, saved in SAVED.items():
        documented = {p["name"]: p for p in openapi["paths"][f"/queries/{name}"]["get"]["parameters"]}
        for p in saved.parameters:
            schema = Draft202012Validator(documented[p.name]["schema"], format_checker=FormatChecker())
            Draft202012Validator.check_schema(documented[p.name]["schema"])
            if p.default is not None:
                assert schema.is_valid(JSON_VALUE[p.type](p.default)), (name, p.name)
            if p.values:
                continue
            seen.add(p.type)
            good, bad = WIRE_VALUES[p.type]
            for value in good:
                assert schema.is_valid(json_instance(p.type, value)), (name, p.name, value)
                assert accepts(p, value), (name, p.name, value)
            for value in bad:
                assert not schema.is_valid(json_instance(p.type, value)), (name, p.name, value)
                assert not accepts(p, value), (name, p.name, value)
    assert seen == set(WIRE_VALUES), "every type is tried"


# ---------------------------------------------------------------------------------------------- formats
def tsv_value(cell: str) -> str:
    """The lexical form of a term written in SPARQL TSV (N-Triples syntax)."""
    if not cell:
        return ""
    if cell.startswith("<") and cell.endswith(">"):
        return cell[1:-1]
    if cell.startswith("_:"):
        return cell[2:]
    if cell.startswith('"'):
        match = re.match(r'"((?:[^"\\]|\\.)*)"', cell)
        assert match, cell
        escapes = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
        return re.sub(
            r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)",
            lambda m: chr(int(m.group(1)[1:], 16)) if m.group(1)[0] in "uU" else escapes[m.group(1)],
            match.group(1),
        )
    return cell  # a bare number or boolean


def parse_results(media: str, text: str) -> tuple[list[str], list[tuple[str, ...]]]:
    if media == JSON:
        body = json.loads(text)
        variables = body["head"]["vars"]
        return variables, Answer(variables, body["results"]["bindings"]).rows()
    if media == "text/csv":
        table = list(csv.reader(io.StringIO(text)))
        return table[0], [tuple(row) for row in table[1:]]
    if media == "text/tab-separated-values":
        lines = text.rstrip("\n").split("\n")
        variables = [v.lstrip("?") for v in lines[0].split("\t")]
        return variables, [tuple(tsv_value(c) for c in line.split("\t")) for line in lines[1:]]
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(text)
    variables = [v.get("name") for v in root.find("r:head", ns).findall("r:variable", ns)]
    rows = []
    for result in root.find("r:results", ns).findall("r:result", ns):
        cells = {b.get("name"): b[0].text or "" for b in result.findall("r:binding", ns)}
        rows.append(tuple(cells.get(v, "") for v in variables))
    return variables, rows


FORMATS = {
    "json": JSON,
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "xml": "application/sparql-results+xml",
}
FORMAT_CASES = [c for c in CASES if c.params and c.rows]


@pytest.mark.parametrize("case", FORMAT_CASES, ids=[c.id for c in FORMAT_CASES])
def test_every_format_by_content_negotiation_gives_the_same_rows(server: Server, case: Case) -> None:
    expected = ask(server, case.name, case.params)
    for media in FORMATS.values():
        r = requests.get(f"{server.url}/queries/{case.name}", params=case.params, headers={"Accept": media})
        assert r.status_code == 200 and r.headers["content-type"].startswith(media), (media, r.text[:200])
        assert parse_results(media, r.text) == (expected.variables, expected.rows()), media


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_format_parameter_gives_the_same_rows(server: Server, fmt: str) -> None:
    for case in FORMAT_CASES[:3]:
        expected = ask(server, case.name, case.params)
        r = requests.get(f"{server.url}/queries/{case.name}", params={**case.params, "format": fmt})
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith(FORMATS[fmt])
        assert parse_results(FORMATS[fmt], r.text) == (expected.variables, expected.rows())


#: ?format= as a media type (or an alias of one), and how the answer's type must begin.
FORMAT_MEDIA = [
    ("application/sparql-results+json", JSON),
    ("application/json", JSON),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("application/xml", "application/sparql-results+xml"),
    ("text/xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("CSV", "text/csv"),
    ("text/csv; charset=utf-8", "text/csv"),
]


@pytest.mark.parametrize(("fmt", "media"), FORMAT_MEDIA, ids=[f for f, _ in FORMAT_MEDIA])
def test_format_parameter_takes_media_types(server: Server, fmt: str, media: str) -> None:
    case = FORMAT_CASES[0]
    expected = ask(server, case.name, case.params)
    r = requests.get(f"{server.url}/queries/{case.name}", params={**case.params, "format": fmt})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    assert parse_results(media, r.text) == (expected.variables, expected.rows())


def test_format_parameter_wins_over_the_accept_header(server: Server) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    url = f"{server.url}/queries/partners-by-country"
    r = requests.get(url, params={"format": "csv"}, headers=browser)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    r = requests.get(url, params={"format": "tsv"}, headers={"Accept": "application/sparql-results+xml"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/tab-separated-values")
    # a "+" left unencoded in the URL arrives as a space
    r = requests.get(url + "?format=application/sparql-results+json")
    assert r.status_code == 200 and r.headers["content-type"].startswith(JSON)
    # an empty format is no format: the Accept header decides (a browser gets the page)
    r = requests.get(url, params={"format": ""}, headers=browser)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")


def test_the_html_page_links_to_each_format(server: Server) -> None:
    browser = {"Accept": "text/html"}
    params = {"institution": "ha-long-university", "country": "jp"}
    r = requests.get(f"{server.url}/queries/partners-by-country", params=params, headers=browser)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    expected = ask(server, "partners-by-country", params)
    links = re.findall(r'<a href="(\?[^"]*)">(JSON|XML|CSV|TSV)</a>', r.text)
    assert [label for _, label in links] == ["JSON", "XML", "CSV", "TSV"]
    for href, label in links:
        got = requests.get(f"{server.url}/queries/partners-by-country" + html.unescape(href), headers=browser)
        media = FORMATS[label.lower()]
        assert got.status_code == 200 and got.headers["content-type"].startswith(media), (href, got.text)
        assert parse_results(media, got.text) == (expected.variables, expected.rows())


@pytest.mark.parametrize("fmt", ["yaml", "turtle", "html", "text/turtle", "json,csv", "*/*"])
def test_an_unknown_format_is_a_400_naming_the_formats(server: Server, fmt: str) -> None:
    r = requests.get(f"{server.url}/queries/partners-by-country", params={"format": fmt})
    assert r.status_code == 400
    assert r.text.startswith("format: "), r.text
    for accepted in ("json", "xml", "csv", "tsv", "text/csv", "application/sparql-results+json"):
        assert accepted in r.text


def test_a_parameter_given_twice_is_a_400(server: Server) -> None:
    url = f"{server.url}/queries/partners-by-country"
    r = requests.get(url + "?lang=en&lang=vi", headers={"Accept": JSON})
    assert r.status_code == 400 and r.text.startswith("lang: ") and "more than once" in r.text
    r = requests.get(url + "?format=csv&format=json")
    assert r.status_code == 400 and r.text.startswith("format: ")


# ------------------------------------------------------------------------------------------ bad values
BAD_VALUES = [
    ("network-sizes", "min_members", "abc"),
    ("reported-counts", "min_value", "12.5"),
    ("reported-counts", "min_value", " 12"),
    ("agreements-in-period", "start", "2024-13-45"),
    ("agreements-in-period", "end", "31/12/2025"),
    ("agreements-in-period", "type", "treaty"),
    ("partners-by-country", "institution", "not an iri"),
    ("partners-by-country", "country", "<http://example.org/jp>"),
    ("funders", "min_amount", "1.2.3"),
    ("network-members", "include_planned", "maybe"),
    ("events-and-signings", "year", "20x5"),
    ("events-and-signings", "kind", "Event"),
    ("institution-timeline", "since", "April 2025"),
    ("what-happened-in-month", "month", "2025-13"),
    ("what-happened-in-month", "month", "2025-04-14"),
    ("cooperation-by-status", "status", "rejected"),
]


@pytest.mark.parametrize(
    ("name", "param", "value"), BAD_VALUES, ids=[f"{n}:{p}={v}" for n, p, v in BAD_VALUES]
)
def test_a_bad_value_is_a_400_naming_the_parameter(server: Server, name: str, param: str, value: str) -> None:
    r = requests.get(f"{server.url}/queries/{name}", params={param: value}, headers={"Accept": JSON})
    assert r.status_code == 400
    assert r.text.startswith(f"{param}: "), r.text


def test_an_unknown_parameter_is_a_400(server: Server) -> None:
    r = requests.get(
        f"{server.url}/queries/reported-counts", params={"min_vlaue": "20"}, headers={"Accept": JSON}
    )
    assert r.status_code == 400
    assert "min_vlaue" in r.text and "min_value" in r.text, "names the unknown one and the known ones"
    r = requests.get(f"{server.url}/queries/reported-counts", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 400 and "query" in r.text


# --------------------------------------------------------------------------------------- command line
#: For each query, its first case with a value given (each run is a process of its own, ~1.5 s).
CLI_CASES = [next(c for c in CASES if c.name == name and c.params) for name in SAVED]


@pytest.fixture(scope="module")
def cli_outputs(seeded_store: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every case run by ``coopgraph query NAME --param k=v``, several processes at a time."""

    def run(case: Case) -> subprocess.CompletedProcess[str]:
        params = [arg for k, v in case.params.items() for arg in ("--param", f"{k}={v}")]
        return subprocess.run(
            [*COOPGRAPH, "query", case.name, *params, "--store", str(seeded_store)],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip([c.id for c in CLI_CASES], pool.map(run, CLI_CASES), strict=True))


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.id for c in CLI_CASES])
def test_command_line_prints_the_same_table(server: Server, cli_outputs: dict[str, Any], case: Case) -> None:
    result = cli_outputs[case.id]
    assert result.returncode == 0, result.stderr
    http = ask(server, case.name, case.params)
    expected = render.table(http.variables, [[term(b.get(v)) for v in http.variables] for b in http.bindings])
    assert result.stdout.rstrip("\n") == expected
    assert result.stdout.rstrip("\n").endswith(f"({len(case.rows)} row{'s' if len(case.rows) != 1 else ''})")


def test_command_line_lists_the_saved_queries_and_refuses_bad_values(seeded_store: Path) -> None:
    listed = subprocess.run([*COOPGRAPH, "query", "--list"], cwd=PROJECT, capture_output=True, text=True)
    assert listed.returncode == 0
    for name, saved in SAVED.items():
        line = next(line for line in listed.stdout.splitlines() if line.startswith(name + " "))
        assert saved.title in line
        for p in saved.parameters:
            assert f"--param {p.name}=" in listed.stdout
    bad = subprocess.run(
        [*COOPGRAPH, "query", "network-sizes", "--param", "min_members=abc", "--store", str(seeded_store)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "min_members" in bad.stderr


# ------------------------------------------------------------------------------------------- injection
#: What an attacker sends through a parameter (the server receives each exactly, decoded once).
ATTACKS = [
    "x> } UNION { ?s ?p ?o } #",
    '"} ; DROP ALL ; {"',
    'x" . ?s ?p ?o . FILTER("a"="a',
    "x\\u003e } UNION { GRAPH ?g { ?s ?p ?o } } #",
    "en\n} UNION { GRAPH ?g { ?s ?p ?o } }\n# ",
    'en"@en } UNION { ?s ?p ?o } #',
    "1 } UNION { ?s ?p ?o",
    '2025-01-01" ) } UNION { ?s ?p ?o } #',
    "true || true",
    "' OR '1'='1",
    "?s",
    "$o",
    "SELECT * WHERE { ?s ?p ?o }",
    "DROP ALL",
    "CLEAR DEFAULT ; INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "LOAD <http://127.0.0.1:1/> INTO GRAPH <urn:x>",
    "SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o }",
    "http://example.org/a> <http://example.org/b",
    "http://example.org/a b",
    "<http://www.w3.org/ns/shacl#NodeShape>",
    "http://www.w3.org/ns/shacl#NodeShape",
    "https://w3id.org/coopgraph/graph/shapes/coopgraph-mandatory.ttl",
    "https://w3id.org/coopgraph/ontology#Agreement",
    quote("x> } UNION { ?s ?p ?o } #", safe=""),  # percent-encoded: sent twice-encoded, seen once-encoded
    quote(quote("x> } UNION { ?s ?p ?o } #", safe=""), safe=""),  # double-encoded
    "A" * 10_240,
    ("x> } UNION { ?s ?p ?o } # " * 400)[:10_240],
    "é\u0000\u202e" + "漢" * 100,
]
PARAMETERS = [(name, p.name) for name, saved in SAVED.items() for p in saved.parameters]
#: String parameters that are text to look for rather than a setting: a value changes the rows.
SEARCH_TEXT = {("find-by-name", "name")}


def snapshot(server: Server) -> tuple[list[str], Any]:
    store = LocalStore(server.store, create=False)
    try:
        out = io.BytesIO()
        store.dump(out, RdfFormat.N_QUADS)
        return sorted(out.getvalue().decode().splitlines()), store.generation
    finally:
        store.close()


@pytest.fixture(scope="module")
def english(server: Server) -> dict[str, Answer]:
    """Each query's answer with its defaults: what a language tag that matches no label gives."""
    return {name: ask(server, name) for name in SAVED}


@pytest.mark.parametrize(("name", "param"), PARAMETERS, ids=[f"{n}:{p}" for n, p in PARAMETERS])
def test_injection_through_every_parameter(
    server: Server, english: dict[str, Answer], name: str, param: str
) -> None:
    saved = SAVED[name]
    parameter = next(p for p in saved.parameters if p.name == param)
    baseline = english[name]
    columns = answer_columns(name, baseline.variables)
    session = requests.Session()
    for attack in ATTACKS:
        r = session.get(f"{server.url}/queries/{name}", params={param: attack}, headers={"Accept": JSON})
        assert r.status_code in (200, 400, 404), (attack[:80], r.status_code, r.text[:300])
        if r.status_code == 400:
            assert r.text.startswith(f"{param}: "), r.text[:200]
            continue
        if r.status_code == 404:  # an IRI the store says nothing about: named, never an empty table
            assert parameter.type == "iri" and r.text.startswith(f"{param}: no resource <"), r.text[:200]
            continue
        got = r.json()
        answer = Answer(got["head"]["vars"], got["results"]["bindings"])
        assert answer.variables == baseline.variables, "never other columns"
        if (name, param) in SEARCH_TEXT:
            # text to look for, bound as one literal: the rows are names that contain it, or none
            wanted = compact_key(search_key(attack))
            matched = {b["matched"]["value"] for b in answer.bindings}
            assert all(wanted in compact_key(search_key(m)) for m in matched), attack[:80]
            assert {b[param]["value"] for b in answer.bindings} <= {attack}
        elif parameter.type == "string":
            # an inert literal: the rows of a language with no label (English), the value echoed as sent
            assert answer.rows(columns) == baseline.rows(columns), attack[:80]
            assert [b[param] for b in answer.bindings] == [{"type": "literal", "value": attack}] * len(
                answer.bindings
            )
        elif parameter.type == "iri" and not parameter.values:
            # one IRI, bound as such: no row when it names nothing the query is about, else (a class
            # IRI for a parameter that may be left out) rows the query gives without the parameter
            iri = attack if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", attack) else parameter.base + attack
            assert {json.dumps(b[param]) for b in answer.bindings} <= {
                json.dumps({"type": "uri", "value": iri})
            }
            if parameter.default is not None or not answer.bindings:
                assert answer.bindings == [], (attack[:80], answer.bindings[:3])
            else:
                assert set(answer.rows(columns)) <= set(baseline.rows(columns)), attack[:80]
        else:
            pytest.fail(f"{param} ({parameter.type}) took {attack[:80]!r}")
        cells = {c for row in answer.rows(columns) for c in row}
        assert not {c for c in cells if "shacl" in c or "/graph/" in c}, (
            "nothing from the shapes or the catalogue"
        )


def test_attacks_leave_the_store_unchanged(server: Server) -> None:
    """Every attack through every parameter of every saved query, sent here: the store is as it was."""
    before, generation = snapshot(server)
    session = requests.Session()
    for name, param in PARAMETERS:
        for attack in ATTACKS:
            r = session.get(f"{server.url}/queries/{name}", params={param: attack}, headers={"Accept": JSON})
            assert r.status_code in (200, 400, 404), (name, param, attack[:80], r.status_code)
    after, generation_after = snapshot(server)
    assert generation_after == generation
    assert after == before
