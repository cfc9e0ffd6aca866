"""terminology.operations.messages: every message carries an id tx.fhir.org uses (those its
conformance suite expects), and says what tx.fhir.org says."""

from __future__ import annotations

import inspect
import re
from functools import cache
from pathlib import Path

import pytest

from fixture_resources import ANIMALS, value_set_definition
from terminology.errors import NotFound
from terminology.model import Coding, Issue
from terminology.operations import messages
from terminology.providers.base import CodeSystemInfo
from terminology.registry import Registry
from terminology.valuesets.resolution import UnknownCodeSystem, VersionNotAllowed

SUITE = Path(__file__).parents[3] / "shared" / "txtests" / "suite"
VS = value_set_definition("animals-enum")
INFO = CodeSystemInfo(id="animals", url=ANIMALS, version="1.0.0", name="animals", title="Animals")
CODING = Coding(ANIMALS, "1.0.0", "cat", "Cat")

# One call of each constructor (the constructors' own ids, or the id they choose for what they are given).
CALLS = {
    "abstract_not_allowed": lambda: messages.abstract_not_allowed(ANIMALS, "pet", None, ""),
    "case_difference": lambda: messages.case_difference("CAT", "cat", ANIMALS, ""),
    "deprecated_concept": lambda: messages.deprecated_concept("cat", ""),
    "deprecated_in_value_set": lambda: messages.deprecated_in_value_set(VS, CODING, "deprecated", ""),
    "display_valid_in_default_language": lambda: messages.display_valid_in_default_language(ANIMALS, "cat", "Cat", "de", ""),
    "display_withdrawn": lambda: messages.display_withdrawn("Kitty", "cat", "withdrawn", '"Cat"', ""),
    "display_wrong": lambda: messages.display_wrong(ANIMALS, "cat", "Dog", "'Cat'", "Cat", "--", False, False, ""),
    "display_wrong_spacing": lambda: messages.display_wrong(ANIMALS, "cat", "C at", "'Cat'", "Cat", "--", True, False, ""),
    "display_wrong_none_for_language": lambda: messages.display_wrong(ANIMALS, "cat", "Dog", None, "Cat", "de", False, False, ""),
    "inactive_concept": lambda: messages.inactive_concept("cat", None, ""),
    "inactive_excluded": lambda: messages.inactive_excluded("cat", ""),
    "include_system_unknown": lambda: messages.include_system_unknown(UnknownCodeSystem("gone", ANIMALS, None), ""),
    "no_system": lambda: messages.no_system("Coding."),
    "no_valid_coding": lambda: messages.no_valid_coding(VS),
    "not_in_value_set": lambda: messages.not_in_value_set(VS, CODING, ""),
    "relative_system": lambda: messages.relative_system(""),
    "status_reference": lambda: messages.status_reference("draft", "ValueSet", VS.canonical),
    "supplement_as_system": lambda: messages.supplement_as_system(ANIMALS + "-de|1", ""),
    "system_not_inferred": lambda: messages.system_not_inferred(VS, "cat", "", []),
    "system_not_inferred_of_several": lambda: messages.system_not_inferred(VS, "cat", "", [ANIMALS, ANIMALS + "2"]),
    "unknown_code": lambda: messages.unknown_code(INFO, "griffin", "", None),
    "unknown_code_in_fragment": lambda: messages.unknown_code_in_fragment(INFO, "griffin", ""),
    "unknown_system": lambda: messages.unknown_system(Registry(), ANIMALS, None, ""),
    "unknown_system_version_none": lambda: messages.unknown_system(Registry(), ANIMALS, "2.0", ""),
    "value_set_as_system": lambda: messages.value_set_as_system(VS.url, ""),
    "value_set_unresolved": lambda: messages.value_set_unresolved(NotFound("gone")),
    "version_changed": lambda: messages.version_changed(ANIMALS, "2.0", "1.0", "3.0", ""),
    "version_mismatch": lambda: messages.version_mismatch(ANIMALS, "1.0", "2.0", ""),
    "version_not_allowed": lambda: messages.version_not_allowed(VersionNotAllowed("no"), ""),
    "versionless_mismatch": lambda: messages.versionless_mismatch(ANIMALS, "1.0", "2.0", ""),
}
OUR_OWN = {"abstract_warning", "history"}  # this server's own messages: tx.fhir.org has none to match


@cache
def suite_message_ids() -> frozenset[str]:
    """Every operationoutcome-message-id in the conformance suite's expected answers."""
    found: set[str] = set()
    for path in SUITE.rglob("*.json"):
        text = path.read_text(encoding="utf-8", errors="replace")
        found.update(re.findall(r'operationoutcome-message-id"\s*,\s*"valueString"\s*:\s*"([A-Za-z0-9_]+)"', text))
    return frozenset(found)


def test_every_constructor_is_called_here():
    constructors = {name for name, value in inspect.getmembers(messages, inspect.isfunction) if value.__module__ == messages.__name__}
    called = {name for name in CALLS if hasattr(messages, name)}
    assert constructors - {"value_set_name"} - OUR_OWN == called


@pytest.mark.skipif(not SUITE.exists(), reason=f"the conformance suite is not at {SUITE}")
@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_message_id_is_one_tx_fhir_org_uses(name):
    issue = CALLS[name]()
    assert isinstance(issue, Issue)
    assert issue.message_id in suite_message_ids()


def test_the_id_follows_what_is_unknown():
    registry = Registry()
    assert messages.unknown_system(registry, ANIMALS, None, "").message_id == "UNKNOWN_CODESYSTEM"
    assert messages.unknown_system(registry, ANIMALS, "2.0", "").message_id == "UNKNOWN_CODESYSTEM_VERSION_NONE"


def test_our_own_message_has_no_id():
    assert messages.abstract_warning("use a 7th character", "").message_id is None


def test_a_coding_not_in_the_value_set_is_named_as_sent():
    issue = messages.not_in_value_set(VS, CODING, "Coding.")
    assert issue.text == f"The provided code '{ANIMALS}|1.0.0#cat ('Cat')' was not found in the value set '{VS.canonical}'"
    assert (issue.severity, issue.code, issue.tx_code, issue.expression) == ("error", "code-invalid", "not-in-vs", ("Coding.code",))
