"""The C allocator of the front process, told to give large blocks back to the system at once.

glibc serves blocks above a threshold (128 kB) with their own memory map, returned when freed, but it
raises that threshold each time such a block is freed: after a few large request bodies (a 30 MB query),
later ones come from the heap and stay in the process long after the request. Fixing the threshold keeps
the front's memory near its resting size (figures in bench/RESULTS.md, "Hostile load").
"""

from __future__ import annotations

import ctypes
import ctypes.util

#: mallopt's parameter number for the memory-map threshold (glibc's malloc.h).
M_MMAP_THRESHOLD = -3
#: glibc's own initial threshold.
THRESHOLD = 128 * 1024


def return_large_blocks() -> bool:
    """Fix the memory-map threshold; False where the C library is not glibc (nothing to do)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, THRESHOLD))
