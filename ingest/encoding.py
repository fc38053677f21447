"""Is a text file valid in its encoding? Checked before a parser reads it, to name the line and the byte."""

from __future__ import annotations

import codecs
from pathlib import Path

from ingest.errors import IngestError, Problem


def check_encoding(data: Path, encoding: str = "UTF-8", python_encoding: str = "utf-8") -> None:
    """Refuse a file (a table, an RDF/XML document) that is not valid text in its encoding, naming the
    line and the byte (from the start of the file) of the first bad byte; read in blocks, so that large
    files cost no memory."""
    try:
        decoder = codecs.getincrementaldecoder(python_encoding)(errors="strict")
    except LookupError:
        raise IngestError(Problem(str(data), f"unknown encoding '{encoding}' in the CSVW dialect")) from None
    offset = newlines = 0  # bytes read before the block, and the line ends among them
    with open(data, "rb") as fh:
        while True:
            block = fh.read(1 << 20)
            pending = len(decoder.getstate()[0])  # bytes of an unfinished character from the last block
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as e:
                at = offset - pending + e.start
                line = newlines + block.count(b"\n", 0, max(at - offset, 0)) + 1
                raise IngestError(
                    Problem(
                        str(data),
                        f"not valid {encoding} text: {e.reason} at byte {at}",
                        line=line,
                        kind="encoding",
                    )
                ) from None
            if not block:
                return
            offset += len(block)
            newlines += block.count(b"\n")
