"""Recognising a full disk among the errors a write can raise.

Python's own writes raise ``OSError`` with ``errno`` ENOSPC (or EDQUOT, over a quota); Oxigraph's
raise ``OSError`` with no errno and RocksDB's text ("IO error: No space left on device ..."), so the
text is read too.
"""

from __future__ import annotations

import errno

_WORDS = ("No space left on device", "Disk quota exceeded")


def is_disk_full(error: BaseException) -> bool:
    """Did ``error`` (or an error it was raised from) come from a disk with no space left?"""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and (
            current.errno in (errno.ENOSPC, errno.EDQUOT) or any(w in str(current) for w in _WORDS)
        ):
            return True
        current = current.__cause__ or current.__context__
    return False
