"""A package's public names imported on first use (PEP 562), so that DAG files stay cheap.

Importing one submodule (``client.errors``) imports its package's ``__init__`` first; with
eager re-exports that pulled in the whole client (both HTTP clients, OAuth, pagination).
A package lists where each public name lives and gets its ``__getattr__`` from here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

__all__ = ["exports_on_first_use"]


def exports_on_first_use(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """Return a module ``__getattr__`` that imports a public name's module when it is first used.

    The value is then stored in the package's namespace, so later lookups are plain attribute
    reads.

    :param package: the package's ``__name__``.
    :param homes: public name -> the module that defines it.
    """

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(home), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
