"""Exit codes of the command line, and the exception that carries one out of a command."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from coopgraph.settings import Settings, load_settings

if TYPE_CHECKING:
    from coopgraph.store import Store

OK = 0
INTERNAL = 1
USAGE = 2
BAD_INPUT = 3
REJECTED = 4
STORE = 5
QUERY = 6
DISK_FULL = 7
#: ``coopgraph serve``: the address (host and port) is already in use, by another server most likely.
ADDRESS_IN_USE = 8


class Failure(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def settings(args: argparse.Namespace) -> Settings:
    try:
        return load_settings(
            getattr(args, "config", None),
            store=getattr(args, "store", None),
            host=getattr(args, "host", None),
            port=getattr(args, "port", None),
            workers=getattr(args, "workers", None),
            query_timeout=getattr(args, "query_timeout", None),
            strict_dataset=getattr(args, "strict_dataset", None),
        )
    except (OSError, ValueError) as e:
        raise Failure(USAGE, f"error: settings: {e}") from None


def open_store(args: argparse.Namespace, create: bool = False) -> Store:
    from coopgraph.store import StoreMissing
    from coopgraph.store import open_store as open_backend

    chosen = settings(args)
    store_dir: Path = chosen.store
    try:
        store = open_backend(chosen, create=create)
        store.view()  # hold the published generation now: a damaged store is reported as such
    except StoreMissing as e:
        raise Failure(STORE, f"error: {e}") from None
    except OSError as e:  # Oxigraph cannot open the generation, or the directory cannot be written
        raise Failure(STORE, f"error: {store_dir}: the store cannot be opened: {e}") from None
    return store
