"""terminology's own namespace: the public API re-exported, and importing a module of it stays cheap."""

from __future__ import annotations

import subprocess
import sys

import pytest

import terminology
from terminology import errors
from terminology.library import LocalTerminology
from terminology.web.app import create_app
from terminology.web.extension import Terminology


def test_the_public_api_is_the_packages_own() -> None:
    assert terminology.Terminology is Terminology
    assert terminology.create_app is create_app
    assert terminology.LocalTerminology is LocalTerminology
    for name in errors.__all__:
        assert getattr(terminology, name) is getattr(errors, name)
    assert set(terminology.__all__) == {"Terminology", "create_app", "LocalTerminology", "__version__", *errors.__all__}
    assert set(terminology.__all__) <= set(dir(terminology))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        terminology.Nothing  # noqa: B018


def test_importing_the_model_loads_neither_flask_nor_the_server() -> None:
    code = "import sys, terminology.model; print(sorted(m for m in ('flask', 'terminology.web', 'terminology.library', 'lxml') if m in sys.modules))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def test_the_clients_typed_answers_load_no_requests_and_the_client_comes_when_asked_for() -> None:
    code = (
        "import sys, terminology.client.results, terminology.client as client; loaded = 'requests' in sys.modules; "
        "from terminology.client.client import TerminologyClient; print(loaded, client.TerminologyClient is TerminologyClient)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False True"
