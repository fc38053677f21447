"""``/feeds/agreements.atom``: an Atom feed (RFC 4287) of the agreements and events the newest versions
of the store added, changed or removed, for people with a feed reader.

An entry is one resource in one version: its title says what happened in the reader's language
(``?lang=`` or ``Accept-Language``: en, vi, fr) with the resource's label in that language (else English,
else any); it links to the resource's page and to its memento at that version (:mod:`memento_routes`).
What a resource is, and its label, are read from the store now, and for a resource removed since from
the statements the version removed. The feed reads the newest :data:`SCANNED` versions' deltas; it is
tagged by the published generation and its newest version, so a reader that polls gets 304 until
something changes.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from coopgraph import iris
from coopgraph.store.history import History, Version
from server.http import changed_resources
from server.http.memento_links import timemap_url
from server.http.ontology_page import request_language
from server.http.state import State

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml"
#: The newest versions read, and the entries the feed holds at most.
SCANNED, ENTRIES = 200, 100
#: The kinds of resource the feed follows (:data:`coopgraph.search.KINDS`).
FOLLOWED = ("agreement", "event")

#: Titles, by language, by (kind, what happened).
TITLES = {
    "en": {
        ("agreement", "new"): "New agreement: {}",
        ("agreement", "changed"): "Agreement changed: {}",
        ("agreement", "removed"): "Agreement removed: {}",
        ("event", "new"): "New event: {}",
        ("event", "changed"): "Event changed: {}",
        ("event", "removed"): "Event removed: {}",
    },
    "vi": {
        ("agreement", "new"): "Thỏa thuận mới: {}",
        ("agreement", "changed"): "Thỏa thuận được cập nhật: {}",
        ("agreement", "removed"): "Thỏa thuận bị xóa: {}",
        ("event", "new"): "Sự kiện mới: {}",
        ("event", "changed"): "Sự kiện được cập nhật: {}",
        ("event", "removed"): "Sự kiện bị xóa: {}",
    },
    "fr": {
        ("agreement", "new"): "Nouvel accord : {}",
        ("agreement", "changed"): "Accord modifié : {}",
        ("agreement", "removed"): "Accord supprimé : {}",
        ("event", "new"): "Nouvel événement : {}",
        ("event", "changed"): "Événement modifié : {}",
        ("event", "removed"): "Événement supprimé : {}",
    },
}
FEED_TITLES = {
    "en": "coopgraph: new and changed agreements and events",
    "vi": "coopgraph: thỏa thuận và sự kiện mới, được cập nhật",
    "fr": "coopgraph : accords et événements nouveaux ou modifiés",
}
SUMMARIES = {
    "en": "Version {number} ({kind}): {added} statement(s) added, {removed} removed.",
    "vi": "Phiên bản {number} ({kind}): thêm {added} mệnh đề, xóa {removed}.",
    "fr": "Version {number} ({kind}) : {added} énoncé(s) ajouté(s), {removed} supprimé(s).",
}


def _label(labels: dict[str, str], lang: str, iri: str) -> str:
    for tag in (lang, "en", ""):
        if tag in labels:
            return labels[tag]
    return next(iter(labels.values()), iri.rsplit("/", 1)[-1])


async def agreements_feed(request: Request) -> Response:
    state: State = request.app.state.coop
    lang = request_language(request)
    log = History(state.settings.store)
    published = log.published()
    latest = log.latest(published)
    tag = f'"{published}-{latest.number if latest else 0}-{lang}"'
    headers = {"ETag": tag, "Vary": "Accept-Language", "Cache-Control": "no-cache", "Content-Language": lang}
    if tag in {t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    newest = list(reversed(log.versions(published)[-SCANNED:]))
    scanned = await run_in_threadpool(changed_resources.scan, log, newest)
    kinds = await changed_resources.kinds_of(state, scanned, FOLLOWED)
    if isinstance(kinds, Response):
        return kinds
    changes = [c for c in scanned.changes if c.iri in kinds][:ENTRIES]
    labels: dict[str, dict[str, str]] = {iri: dict(v) for iri, v in scanned.removed_labels.items()}
    if changes:
        rows = await changed_resources.select(state, changed_resources.labels_query({c.iri for c in changes}))
        if isinstance(rows, Response):
            return rows
        now: dict[str, dict[str, str]] = {}
        for row in rows:
            now.setdefault(row["r"]["value"], {}).setdefault(
                row["label"].get("xml:lang", ""), row["label"]["value"]
            )
        labels.update(now)
    base = state.base_url(request)
    body = render(changes, kinds, labels, lang, base, latest)
    return Response(body, media_type=MEDIA_TYPE, headers=headers)


def _time(version: Version) -> str:
    return version.when.isoformat(timespec="seconds").replace("+00:00", "Z")


def render(
    changes: list[changed_resources.Change],
    kinds: dict[str, str],
    labels: dict[str, dict[str, str]],
    lang: str,
    base: str,
    latest: Version | None,
) -> bytes:
    """The feed document."""
    ET.register_namespace("", ATOM)

    def add(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{name}", attrs)
        element.text = text
        return element

    own = f"{base}/feeds/agreements.atom"
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": lang})
    add(feed, "id", own)
    add(feed, "title", FEED_TITLES[lang])
    add(feed, "updated", _time(latest) if latest else "1970-01-01T00:00:00Z")
    add(feed, "link", rel="self", type=MEDIA_TYPE, href=f"{own}?lang={lang}")
    add(feed, "link", rel="alternate", type="text/html", href=f"{base}/history")
    add(add(feed, "author"), "name", "coopgraph")
    for change in changes:
        kind = kinds[change.iri]
        path = change.iri[len(iris.BASE) :]
        memento = f"{base}/memento/{change.version.number}/{path}"
        entry = add(feed, "entry")
        add(entry, "id", memento)
        add(
            entry,
            "title",
            TITLES[lang][(kind, change.what)].format(_label(labels.get(change.iri, {}), lang, change.iri)),
        )
        add(entry, "updated", _time(change.version))
        add(entry, "link", rel="alternate", type="text/html", href=f"{base}/{path}")
        if change.what != "removed":  # a removed resource has no description at that version
            add(entry, "link", rel="related", href=memento)
        add(entry, "link", rel="version-history", href=timemap_url(base, change.iri))
        add(add(entry, "author"), "name", change.version.who)
        v = change.version
        summary = SUMMARIES[lang].format(
            number=v.number, kind=v.kind, added=change.added, removed=change.removed
        )
        add(entry, "summary", summary + (f" “{v.message}”" if v.message else ""))
        add(entry, "category", term=kind)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
