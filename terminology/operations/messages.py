"""tx.fhir.org's messages, each with its id: the issues ``$validate-code`` answers with.

The texts are tx.fhir.org's word for word (clients and the HL7 conformance suite compare them), and
each issue carries tx.fhir.org's message id (``operationoutcome-message-id``). ``path`` is the FHIRPath
prefix of the input an issue is about (``""``, ``Coding.``, ``CodeableConcept.coding[0].``).
"""

from __future__ import annotations

from ..definitions import ValueSetDefinition
from ..errors import NotFound
from ..model import Coding, Issue
from ..providers.base import CodeSystemInfo, HistoryNote
from ..valuesets.resolution import Resolver, UnknownCodeSystem, VersionNotAllowed, unknown_system_message

__all__ = [
    "ABSTRACT_NOT_ALLOWED",
    "DEFAULT_LANGUAGE_DISPLAY",
    "DEPRECATED_IN_VALUE_SET",
    "NOT_IN_VALUE_SET",
    "UNKNOWN_IN_FRAGMENT",
    "UNRESOLVED_VALUE_SET",
    "VERSIONLESS_MISMATCH",
    "WITHDRAWN_DISPLAY",
    "abstract_not_allowed",
    "abstract_warning",
    "case_difference",
    "deprecated_concept",
    "deprecated_in_value_set",
    "display_valid_in_default_language",
    "display_withdrawn",
    "display_wrong",
    "history",
    "inactive_concept",
    "inactive_excluded",
    "include_system_unknown",
    "no_system",
    "no_valid_coding",
    "not_in_value_set",
    "relative_system",
    "status_reference",
    "supplement_as_system",
    "system_not_inferred",
    "unknown_code",
    "unknown_code_in_fragment",
    "unknown_system",
    "value_set_as_system",
    "value_set_name",
    "value_set_unresolved",
    "version_changed",
    "version_mismatch",
    "version_not_allowed",
    "versionless_mismatch",
]

# The ids the verdicts and the answer tell apart.
ABSTRACT_NOT_ALLOWED = "ABSTRACT_CODE_NOT_ALLOWED"
DEFAULT_LANGUAGE_DISPLAY = "NO_VALID_DISPLAY_FOUND_NONE_FOR_LANG_OK"
DEPRECATED_IN_VALUE_SET = "CONCEPT_DEPRECATED_IN_VALUESET"
NOT_IN_VALUE_SET = "None_of_the_provided_codes_are_in_the_value_set_one"
UNKNOWN_IN_FRAGMENT = "UNKNOWN_CODE_IN_FRAGMENT"
UNRESOLVED_VALUE_SET = "Unable_to_resolve_value_Set_"
VERSIONLESS_MISMATCH = "VALUESET_VALUE_MISMATCH_DEFAULT"
WITHDRAWN_DISPLAY = "INACTIVE_DISPLAY_FOUND"


def value_set_name(value_set: ValueSetDefinition) -> str:
    """How messages name a value set: ``url|version``; one sent without a url as tx.fhir.org names it."""
    return value_set.canonical if value_set.url else "(unidentified)"


# --- the system ---------------------------------------------------------------------------------


def unknown_system(resolver: Resolver, system: str, version: str | None, path: str) -> Issue:
    """The code system (or the version of it) is not known here; the text names the versions that are."""
    text = unknown_system_message(resolver, system, version, "the code cannot be validated")
    if version is None:
        message_id = "UNKNOWN_CODESYSTEM"
    else:
        message_id = "UNKNOWN_CODESYSTEM_VERSION" if resolver.versions(system) else "UNKNOWN_CODESYSTEM_VERSION_NONE"
    return Issue("error", "not-found", text, "not-found", (f"{path}system",), message_id)


def include_system_unknown(error: UnknownCodeSystem, path: str) -> Issue:
    """A code system the value set includes is not known here."""
    return Issue("error", "not-found", error.message, "not-found", (f"{path}system",), "UNKNOWN_CODESYSTEM")


def relative_system(path: str) -> Issue:
    """A local name (``Location1``) used as a system: never a code system's url."""
    text = f"{path or 'Coding.'}system must be an absolute reference, not a local reference"
    return Issue("error", "invalid", text, "invalid-data", (f"{path}system",), "Terminology_TX_System_Relative")


def supplement_as_system(supplement: str, path: str) -> Issue:
    """A supplement (``supplement``: its canonical) used as a system: it holds no codes of its own."""
    text = f"CodeSystem {supplement} is a supplement, so can't be used as a value in {path}system"
    return Issue("error", "invalid", text, "invalid-data", (f"{path}system",), "CODESYSTEM_CS_NO_SUPPLEMENT")


def value_set_as_system(system: str, path: str) -> Issue:
    """A value set's url used as a system: a common slip, worth its own message."""
    text = f"The Coding references a value set, not a code system ('{system}')"
    return Issue("error", "invalid", text, "invalid-data", (f"{path}system",), "Terminology_TX_System_ValueSet2")


def no_system(path: str) -> Issue:
    """A Coding without a system, against a value set."""
    text = "Coding has no system. A code with no system has no defined meaning, and it cannot be validated. A system should be provided"
    return Issue("warning", "invalid", text, "invalid-data", (path.rstrip("."),), "Coding_has_no_system__cannot_validate")


def system_not_inferred(value_set: ValueSetDefinition, code: str | None, path: str, candidates: list[str]) -> Issue:
    """A code sent without its system that no (or more than one) code system of the value set holds."""
    text = f"The System URI could not be determined for the code '{code}' in the ValueSet '{value_set_name(value_set)}'"
    if len(candidates) > 1:
        text += f": value set expansion has multiple matches: [{', '.join(candidates)}]"
        return Issue("error", "not-found", text, "cannot-infer", (f"{path}code",), "Unable_to_resolve_system__value_set_has_multiple_matches")
    return Issue("error", "not-found", text, "cannot-infer", (f"{path}code",), "UNABLE_TO_INFER_CODESYSTEM")


# --- the version --------------------------------------------------------------------------------


def version_mismatch(system: str, pinned: str, stated: str, path: str) -> Issue:
    """The coding states another version than the one the value set's include names."""
    text = f"The code system '{system}' version '{pinned}' in the ValueSet include is different to the one in the value ('{stated}')"
    return Issue("error", "invalid", text, "vs-invalid", (f"{path}version",), "VALUESET_VALUE_MISMATCH")


def version_changed(system: str, used: str, pinned: str, stated: str, path: str) -> Issue:
    """The coding states another version than the one a version parameter makes the include use."""
    text = (
        f"The code system '{system}' version '{used}' resulting from the version '{pinned}' in the ValueSet include "
        f"is different to the one in the value ('{stated}')"
    )
    return Issue("error", "invalid", text, "vs-invalid", (f"{path}version",), "VALUESET_VALUE_MISMATCH_CHANGED")


def versionless_mismatch(system: str, used: str | None, stated: str, path: str) -> Issue:
    """The coding states a version that is not known, where the value set names none: the latest is used."""
    text = (
        f"The code system '{system}' version '{used}' for the versionless include in the ValueSet include "
        f"is different to the one in the value ('{stated}')"
    )
    return Issue("warning", "invalid", text, "vs-invalid", (f"{path}version",), VERSIONLESS_MISMATCH)


def version_not_allowed(error: VersionNotAllowed, path: str) -> Issue:
    """``check-system-version`` rules out the version that would be used."""
    return Issue("error", "exception", error.message, "version-error", (f"{path}version",), "VALUESET_VERSION_CHECK")


# --- the concept --------------------------------------------------------------------------------


def unknown_code(info: CodeSystemInfo, code: str | None, path: str, probable: str | None) -> Issue:
    """``probable``: the code the client most likely meant, if any."""
    text = f"Unknown code '{code}' in the CodeSystem '{info.url}' version '{info.version}'"
    if probable is not None:
        text += f"; did you mean '{probable}'?"
    return Issue("error", "code-invalid", text, "invalid-code", (f"{path}code",), "Unknown_Code_in_Version")


def history(note: HistoryNote, path: str) -> Issue:
    """What a code system's history says of a code (this server's own message: tx.fhir.org keeps no history)."""
    return Issue(
        note.severity, "business-rule", note.text, expression=(f"{path}code",), message_id=note.message_id, replaced_by=note.replaced_by
    )


def unknown_code_in_fragment(info: CodeSystemInfo, code: str | None, path: str) -> Issue:
    """A code a fragment lacks: it may be in another part of the code system."""
    text = (
        f"Unknown Code '{code}' in the CodeSystem '{info.url}' version '{info.version}' - note that the code "
        "system is labeled as a fragment, so the code may be valid in some other fragment"
    )
    return Issue("warning", "code-invalid", text, "invalid-code", (f"{path}code",), UNKNOWN_IN_FRAGMENT)


def case_difference(code: str, normalized: str, code_system: str, path: str) -> Issue:
    """Found ignoring case, in a code system (``code_system``: its canonical) that ignores case."""
    text = (
        f"The code '{code}' differs from the correct code '{normalized}' by case. Although the code system "
        f"'{code_system}' is case insensitive, implementers are strongly encouraged to use the correct case anyway"
    )
    return Issue("information", "business-rule", text, "code-rule", (f"{path}code",), "CODE_CASE_DIFFERENCE")


def abstract_not_allowed(system: str, code: str, reason: str | None, path: str) -> Issue:
    """``reason``: what the code system says to use instead, if anything."""
    text = f"Code '{system}#{code}' is abstract, and not allowed in this context" + (f": {reason}" if reason else "")
    return Issue("error", "business-rule", text, "code-rule", (f"{path}code",), ABSTRACT_NOT_ALLOWED)


def abstract_warning(reason: str, path: str) -> Issue:
    """An abstract code, allowed, of which its code system says what to use instead. This server's own
    message (tx.fhir.org has none): it carries no message id."""
    return Issue("warning", "business-rule", reason, "code-rule", (f"{path}code",))


def deprecated_concept(code: str, path: str) -> Issue:
    """Still valid, but on its way out."""
    text = f"The concept '{code}' is deprecated and its use should be reviewed"
    return Issue("warning", "business-rule", text, "code-comment", (f"{path}code",), "DEPRECATED_CONCEPT_FOUND")


def inactive_concept(code: str, status: str | None, path: str) -> Issue:
    """``status``: the concept's status, where it says more than inactive (retired ...)."""
    shown = "inactive" if status in (None, "inactive") else f"{status} and inactive"
    text = f"The concept '{code}' has a status of {shown} and its use should be reviewed"
    return Issue("warning", "business-rule", text, "code-comment", (path.rstrip(".") or "code",), "INACTIVE_CONCEPT_FOUND")


# --- the display --------------------------------------------------------------------------------


def display_valid_in_default_language(system: str, code: str, display: str, languages: str, path: str) -> Issue:
    """No display in the client's languages, and the one sent is right in the code system's own."""
    text = (
        f"There are no valid display names found for the code {system}#{code} for language(s) "
        f"'{languages}'. The display is '{display}' which is a valid display for the default language"
    )
    return Issue("information", "invalid", text, "invalid-display", (f"{path}display",), DEFAULT_LANGUAGE_DISPLAY)


def display_withdrawn(display: str, code: str, status: str, choices: str, path: str) -> Issue:
    """A display that was right once (its designation's ``status``: deprecated, withdrawn); ``choices``:
    the displays in use, quoted."""
    text = (
        f"'{display}' is no longer considered a correct display for code '{code}' (status = {status}). "
        f"The correct display is one of {choices}."
    )
    return Issue("warning", "invalid", text, "display-comment", (f"{path}display",), WITHDRAWN_DISPLAY)


def display_wrong(
    system: str, code: str, display: str, choices: str | None, default: str, languages: str, spacing_only: bool, lenient: bool, path: str
) -> Issue:
    """A display that is not the concept's. ``choices``: the right ones in the client's languages
    (None: there are none, and ``default`` is named); ``spacing_only``: it is wrong only in its
    spacing; ``lenient``: said as a warning."""
    text = f"{'Wrong whitespace in' if spacing_only else 'Wrong'} Display Name '{display}' for {system}#{code}. "
    if choices is not None:
        text += f"Valid display is {choices} (for the language(s) '{languages}')"
        message_id = "Display_Name_WS_for__should_be_one_of__instead_of" if spacing_only else "Display_Name_for__should_be_one_of__instead_of"
    else:
        text += f"There are no valid display names found for language(s) '{languages}'. Default display is '{default}'"
        message_id = "NO_VALID_DISPLAY_FOUND_NONE_FOR_LANG_ERR"
    return Issue("warning" if lenient else "error", "invalid", text, "invalid-display", (f"{path}display",), message_id)


# --- the value set ------------------------------------------------------------------------------


def not_in_value_set(value_set: ValueSetDefinition, coding: Coding, path: str) -> Issue:
    """The coding (as the client stated it) is not in the value set."""
    version = f"|{coding.version}" if coding.version else ""
    shown = f"{coding.system or ''}{version}#{coding.code}" + (f" ('{coding.display}')" if coding.display else "")
    text = f"The provided code '{shown}' was not found in the value set '{value_set_name(value_set)}'"
    return Issue("error", "code-invalid", text, "not-in-vs", (f"{path}code",), NOT_IN_VALUE_SET)


def no_valid_coding(value_set: ValueSetDefinition) -> Issue:
    """No coding of a CodeableConcept is in the value set."""
    text = f"No valid coding was found for the value set '{value_set_name(value_set)}'"
    return Issue("error", "code-invalid", text, "not-in-vs", (), "TX_GENERAL_CC_ERROR_MESSAGE")


def inactive_excluded(code: str | None, path: str) -> Issue:
    """An inactive code, in a value set that takes active codes only."""
    text = f"The concept '{code}' is valid but is not active"
    return Issue("error", "business-rule", text, "code-rule", (f"{path}code",), "STATUS_CODE_WARNING_CODE")


def deprecated_in_value_set(value_set: ValueSetDefinition, coding: Coding, status: str, path: str) -> Issue:
    """The value set marks the code's place in it (``status``: deprecated ...)."""
    text = (
        f"The presence of the concept '{coding.code}' in the system '{coding.system}' in the value set "
        f"{value_set_name(value_set)} is marked with a status of {status} and its use should be reviewed"
    )
    return Issue("warning", "business-rule", text, "code-comment", (f"{path}code",), DEPRECATED_IN_VALUE_SET)


def value_set_unresolved(error: NotFound) -> Issue:
    """The value set, or one it imports, cannot be found."""
    return Issue("error", "not-found", error.message, "not-found", (), UNRESOLVED_VALUE_SET)


def status_reference(status: str, kind: str, canonical: str) -> Issue:
    """A code system or value set (``kind``) used is ``status`` (deprecated, withdrawn, draft, experimental)."""
    return Issue("information", "business-rule", f"Reference to {status} {kind} {canonical}", "status-check", (), f"MSG_{status.upper()}")
