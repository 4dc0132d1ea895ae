"""The operators package: lazy re-exports, pinned public names, no heavy import."""

from __future__ import annotations

import subprocess
import sys

import pytest

from airflow_provider_close import operators


def test_public_names_are_pinned_and_resolve():
    assert sorted(operators.__all__) == sorted(operators._MODULES)
    for name in operators.__all__:
        assert getattr(operators, name).__name__ == name


def test_unknown_name_raises_attribute_error():
    with pytest.raises(AttributeError, match="NoSuchOperator"):
        operators.NoSuchOperator  # noqa: B018


def test_importing_the_package_imports_no_operator_module():
    code = (
        "import sys, airflow_provider_close.operators; "
        "print(any(m.startswith('airflow_provider_close.operators.') for m in sys.modules), "
        "'airflow_provider_close.hooks.close' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
