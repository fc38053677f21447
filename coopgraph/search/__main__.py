"""``python -m coopgraph.search build STORE``: build the search index of the store's published state.

The server runs it in a process of its own when a search finds no index for the state it reads.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from coopgraph.search.index_file import ensure_index
from coopgraph.settings import load_settings
from coopgraph.store import open_store


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "build":
        print("usage: python -m coopgraph.search build STORE", file=sys.stderr)
        return 2
    # the store of the settings in the environment (a remote store's, which the server passes on), the
    # directory given as its local root
    store = open_store(load_settings().with_overrides(store=Path(argv[1])), create=False)
    try:
        path = ensure_index(store.view())
    finally:
        store.close()
    print(json.dumps({"index": str(path)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
