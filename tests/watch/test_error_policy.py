"""The polling loops' shared transient-error budget (pure)."""

from __future__ import annotations

from airflow_provider_close.client import CloseNotFoundError, CloseServerError
from airflow_provider_close.watch.error_policy import TransientErrors


def _error(kind: type[CloseServerError | CloseNotFoundError], status: int) -> Exception:
    return kind("GET", "x/", status)


def test_transient_errors_end_the_wait_one_past_the_limit_and_a_success_clears_them() -> None:
    errors = TransientErrors(2)
    assert errors.ending(_error(CloseServerError, 503)) is None
    assert errors.ending(_error(CloseServerError, 503)) is None
    errors.clear()
    assert errors.ending(_error(CloseServerError, 503)) is None
    assert errors.ending(_error(CloseServerError, 503)) is None
    ended = errors.ending(_error(CloseServerError, 503))
    assert ended is not None
    assert ended["error_type"] == "CloseServerError"


def test_a_fatal_error_ends_the_wait_at_once() -> None:
    ended = TransientErrors(5).ending(_error(CloseNotFoundError, 404))
    assert ended is not None
    assert (ended["status"], ended["error_type"]) == ("error", "CloseNotFoundError")
