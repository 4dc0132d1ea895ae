"""``fails_now``: assert an operator failed at once (no retry) because of a Close error."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

import pytest

from airflow_provider_close._compat import AirflowFailException

E = TypeVar("E", bound=BaseException)


class FailedNow(Generic[E]):
    """Filled in when the block raised: ``value`` is the Close error the fail-now chains."""

    value: E


@contextmanager
def fails_now(error: type[E], match: str | None = None) -> Iterator[FailedNow[E]]:
    """Expect ``AirflowFailException`` chained to an ``error`` (whose message it repeats).

    :param error: the Close error class expected as the ``__cause__``.
    :param match: a regex the Close error's message must contain.
    """
    failed: FailedNow[E] = FailedNow()
    with pytest.raises(AirflowFailException) as raised:
        yield failed
    cause = raised.value.__cause__
    assert isinstance(cause, error), f"{type(cause).__name__}: {cause}"
    assert str(cause) in str(raised.value)
    if match is not None:
        assert re.search(match, str(cause)), str(cause)
    failed.value = cause
