"""``python -m coopgraph.search build STORE``: build the search index of the store's published state.

The server runs it in a process of its own when a search finds no index for the state it reads.
"""

from __future__ import annotations

import json
import sys

from coopgraph.search.index_file import ensure_index
from coopgraph.store import open_store


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "build":
        print("usage: python -m coopgraph.search build STORE", file=sys.stderr)
        return 2
    store = open_store(argv[1], create=False)
    try:
        path = ensure_index(store.view())
    finally:
        store.close()
    print(json.dumps({"index": str(path)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
