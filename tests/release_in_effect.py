"""The warning every answer from the default ICD-10-CM release carries while that release is not in effect.

The newest embedded release, the April 1, 2026 update of FY2026, was in effect until 2026-09-30
(resources/icd10cm/PROVENANCE.md). An answer that names neither a version nor a date comes from it, and
after that day says so in a warning. Tests about something else take the warning off an answer with
these functions, which first check that it is there exactly when today's date says it must be.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from terminology.model import ValidationResult

__all__ = ["NEWEST_IN_EFFECT_UNTIL", "NOT_IN_EFFECT", "today_warning_expected", "without_today_warning", "without_today_warning_json"]

NEWEST_IN_EFFECT_UNTIL = date(2026, 9, 30)
NOT_IN_EFFECT = "RELEASE_NOT_IN_EFFECT"
_TODAY = "which is not in effect today"


def today_warning_expected() -> bool:
    return date.today() > NEWEST_IN_EFFECT_UNTIL


def without_today_warning(result: ValidationResult) -> ValidationResult:
    """``result`` without the warning (which must be there exactly when it is expected)."""
    found = [issue for issue in result.issues if issue.message_id == NOT_IN_EFFECT]
    assert len(found) == int(today_warning_expected()), result.issues
    if not found:
        return result
    [warning] = found
    assert _TODAY in warning.text and "version 2026 (the 2026-04-01 update of FY2026)" in warning.text, warning.text
    return replace(result, issues=tuple(i for i in result.issues if i is not warning), message=_without(result.message, warning.text))


def without_today_warning_json(parameters: dict[str, Any]) -> dict[str, Any]:
    """A ``$validate-code``, ``$lookup`` or ``$subsumes`` Parameters resource without the warning, where it
    has it (over HTTP, tests of other things pass it over; tests/web/test_releases_in_time.py checks it):
    its issue in ``issues`` (and ``issues`` itself, where it was the only one) and its text in ``message``."""
    if parameters.get("resourceType") != "Parameters":
        return parameters
    found = []
    kept = []
    for parameter in parameters.get("parameter", []):
        if parameter["name"] == "issues":
            outcome = parameter["resource"]
            mine = [i for i in outcome["issue"] if _message_id(i) == NOT_IN_EFFECT]
            found += mine
            others = [i for i in outcome["issue"] if i not in mine]
            if others:
                kept.append({**parameter, "resource": {**outcome, "issue": others}})
            continue
        kept.append(parameter)
    assert len(found) <= int(today_warning_expected()), parameters
    if found:
        text = found[0]["details"]["text"]
        assert _TODAY in text, text
        message = next((p for p in kept if p["name"] == "message"), None)
        if message is not None:
            left = _without(message["valueString"], text)
            kept = [p for p in kept if p is not message] if left is None else [
                {**p, "valueString": left} if p is message else p for p in kept
            ]
    return {**parameters, "parameter": kept}


def _message_id(issue: dict[str, Any]) -> str | None:
    for extension in issue.get("extension", []):
        if extension["url"].endswith("operationoutcome-message-id"):
            return extension["valueString"]
    return None


def _without(message: str | None, text: str) -> str | None:
    """A message (texts joined by '; ') without ``text``."""
    assert message is not None and text in message, (message, text)
    left = message.replace("; " + text, "") if "; " + text in message else message.replace(text + "; ", "").replace(text, "")
    return left or None
