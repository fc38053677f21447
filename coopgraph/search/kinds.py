"""The kinds of resource a search can be narrowed to, and which classes (or roles) make a resource one."""

from __future__ import annotations

from dataclasses import dataclass

from coopgraph import iris

_CG, _SCHEMA = iris.ONTOLOGY, iris.PREFIXES["schema"]
_ORG, _FOAF = iris.PREFIXES["org"], iris.PREFIXES["foaf"]


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    description: str
    #: Instances of these classes (or of their subclasses, as the ontology says) are of this kind.
    classes: tuple[str, ...] = ()


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "institution",
            "Institution",
            "An organisation: university, ministry, department, agency, network, party, unit",
            (_ORG + "Organization",),
        ),
        Kind("person", "Person", "A person", (_SCHEMA + "Person", _FOAF + "Person")),
        Kind("agreement", "Agreement", "An agreement, memorandum or contract", (_CG + "Agreement",)),
        Kind(
            "funder",
            "Funder",
            "An organisation that funds a project or programme (cg:funder, cg:fundedBy)",
        ),
        Kind(
            "programme",
            "Programme",
            "A programme, project or other cooperation activity",
            (_CG + "CooperationActivity",),
        ),
        Kind("event", "Event", "A conference, visit, meeting, ceremony or observance", (_SCHEMA + "Event",)),
        Kind(
            "place",
            "Place",
            "A country, province or other place",
            (_SCHEMA + "Place", _SCHEMA + "AdministrativeArea", _SCHEMA + "Country", _CG + "Province"),
        ),
    )
}

#: Properties whose subjects are funders (the role is not a class).
FUNDER_PROPERTIES = (_CG + "funder", _CG + "fundedBy")


def check_kinds(names: list[str]) -> list[str]:
    """The kinds named, each checked; ValueError names the unknown one and the known ones."""
    for name in names:
        if name not in KINDS:
            raise ValueError(f"unknown type {name!r}; expected one of {', '.join(KINDS)}")
    return names
