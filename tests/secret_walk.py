"""Every text reachable from an object by attribute traversal, and the secret forms to look for.

Error reporters (Sentry and the like) serialise an exception's attributes, its ``args``,
``__cause__`` and ``__context__``; :func:`reachable_texts` walks the same graph (not the
traceback's frames, whose locals hold the client and its auth by design).
"""

from __future__ import annotations

import base64
import types
from collections import deque
from collections.abc import Iterator
from typing import Any

__all__ = ["assert_no_secret", "reachable_texts", "secret_forms"]

_SKIP = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType)
_MAX_NODES = 50_000


def secret_forms(secret: str) -> list[str]:
    """The secret, its Basic encodings (with/without colon and padding) and header values."""
    encoded = [base64.b64encode(text.encode()).decode() for text in (f"{secret}:", secret)]
    return [secret, *encoded, *(e.rstrip("=") for e in encoded)]


def _children(obj: Any) -> Iterator[Any]:
    if isinstance(obj, dict):
        yield from obj.keys()
        yield from obj.values()
        return
    if isinstance(obj, list | tuple | set | frozenset | deque):
        yield from obj
        return
    if isinstance(obj, BaseException):
        yield obj.args
        yield obj.__cause__
        yield obj.__context__
        yield getattr(obj, "__notes__", None)
    yield from getattr(obj, "__dict__", {}).values()
    for cls in type(obj).__mro__:
        for name in getattr(cls, "__slots__", ()):
            if isinstance(name, str) and hasattr(obj, name):
                yield getattr(obj, name)


def reachable_texts(root: object) -> list[str]:
    """Return every ``str`` (and ``bytes`` as latin-1) reachable from ``root``, plus reprs."""
    texts: list[str] = []
    seen: set[int] = set()
    queue: deque[Any] = deque([root])
    while queue and len(seen) < _MAX_NODES:
        obj = queue.popleft()
        if obj is None or id(obj) in seen or isinstance(obj, (*_SKIP, types.TracebackType)):
            continue
        seen.add(id(obj))
        if isinstance(obj, str):
            texts.append(obj)
        elif isinstance(obj, bytes | bytearray):
            texts.append(bytes(obj).decode("latin-1"))
        elif not isinstance(obj, int | float | complex):
            texts.append(repr(obj))
            queue.extend(_children(obj))
    return texts


def assert_no_secret(texts: list[str], secret: str, *, prefix_chars: int = 10) -> None:
    """Assert no form of ``secret`` (nor a ``prefix_chars`` prefix of one) is in ``texts``."""
    for form in secret_forms(secret):
        for probe in {form, form[:prefix_chars]}:
            leaks = [text for text in texts if probe in text]
            assert not leaks, f"secret form {form[:4]}... leaked: {leaks[0][:120]!r}"
