"""``at-version=N`` on ``/sparql``: query the dataset as it stood right after version N of the store's
history (the query worker rebuilds it from the deltas: :mod:`server.workers.past`).

It is not ``version``: the SPARQL 1.2 Protocol drafts give that parameter to the protocol's own version
(``1.1``, ``1.2``), and the endpoint answers it so."""

from __future__ import annotations

from server.http.protocol import ProtocolError, single

PARAMETER = "at-version"


def at_version(params: dict[str, list[str]]) -> int | None:
    """The version asked for, or None (400 when it is not a version number)."""
    text = single(params.get(PARAMETER), PARAMETER)
    if text is None:
        return None
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise ProtocolError(400, f"{PARAMETER} is a version number (see /history), not {text!r}")
    return int(text)
