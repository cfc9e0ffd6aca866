"""Whether the display a client sent is right for a concept, and what to tell it when it is not.

A display is right when it is the concept's display or one of its designations (ignoring case) in a
language the client takes; spacing counts. A designation marked out of use is warned of, not wrong.
"""

from __future__ import annotations

from ..context import RequestContext
from ..extensions import withdrawn_status
from ..model import Issue
from ..providers.base import CodeSystemProvider, Concept
from . import messages

__all__ = ["check_display", "display_matches"]


def check_display(
    provider: CodeSystemProvider,
    concept: Concept,
    code: str,
    display: str,
    path: str,
    context: RequestContext,
    lenient: bool = False,
) -> tuple[list[Issue], bool]:
    """The issues with ``display`` for ``code``, and whether it makes the coding invalid (``lenient``:
    a wrong display is only a warning)."""
    system = provider.info.url
    if context.languages and not _has_display_in(provider, concept, context):
        if display_matches(provider, concept, display, RequestContext()):  # right in the only language there is
            return [messages.display_valid_in_default_language(system, code, display, _languages(context), path)], False
    if display_matches(provider, concept, display, context):
        return [], False
    withdrawn = _withdrawn_display(provider, concept, display, context)
    if withdrawn:  # a display that was right once: warned of, not wrong
        shown = ", ".join(f'"{text}"' for text, _ in _display_choices(provider, concept, context))
        return [messages.display_withdrawn(display, code, withdrawn, shown, path)], False
    spacing_only = display_matches(provider, concept, display, context, ignoring_spacing=True)
    choices = _display_choices(provider, concept, context)
    default = provider.display(concept, RequestContext())
    issue = messages.display_wrong(
        system, code, display, _one_of(choices) if choices else None, default, _languages(context), spacing_only, lenient, path
    )
    return [issue], not lenient


def display_matches(
    provider: CodeSystemProvider, concept, display: str, context: RequestContext, ignoring_spacing: bool = False
) -> bool:
    """A display is right when it equals the display or a designation, ignoring case; when the client
    names display languages, only those in one of its languages count. ``ignoring_spacing``: whether
    it would be right but for its spacing (a mistake of its own, named as such)."""
    spaced = (lambda text: " ".join(text.split())) if ignoring_spacing else (lambda text: text)
    wanted = spaced(display).casefold()
    return any(spaced(text).casefold() == wanted for text, _ in _displays(provider, concept, context))


def _withdrawn_display(provider: CodeSystemProvider, concept, display: str, context: RequestContext) -> str | None:
    """The status of the designation ``display`` names, where it is out of use (deprecated, withdrawn)."""
    wanted = display.casefold()
    return next(
        (status for d in provider.designations(concept, context) if d.value.casefold() == wanted and (status := withdrawn_status(d.extensions))),
        None,
    )


def _display_choices(provider: CodeSystemProvider, concept, context: RequestContext) -> list[tuple[str, str | None]]:
    """The displays a client could have sent, with their languages: the concept's display and its
    designations that carry no other use (translations)."""
    return list(dict.fromkeys(_displays(provider, concept, context, translations_only=True)))


def _displays(
    provider: CodeSystemProvider, concept, context: RequestContext, translations_only: bool = False
) -> list[tuple[str, str | None]]:
    """``(text, language)`` of the concept's display and its designations in use (``translations_only``:
    those with no use of their own), in the client's languages if it named any."""
    own_language = provider.info.language
    found = [(provider.display(concept, RequestContext()), own_language)]
    found += [
        (d.value, d.language or own_language)
        for d in provider.designations(concept, context)
        if not (translations_only and d.use is not None) and not withdrawn_status(d.extensions)
    ]
    if context.languages:
        found = [(text, language) for text, language in found if language is None or context.wants(language)]
    return found


def _one_of(choices: list[tuple[str, str | None]]) -> str:
    """``'Code1' (en)``; ``one of 2 choices: 'Code1' (en) or 'Anzeige1' (de)``."""
    shown = [f"'{text}'{_language_suffix(language)}" for text, language in choices]
    if len(shown) == 1:
        return shown[0]
    return f"one of {len(shown)} choices: {', '.join(shown[:-1])} or {shown[-1]}"


def _has_display_in(provider: CodeSystemProvider, concept, context: RequestContext) -> bool:
    """Whether the concept has a display or designation in one of the client's languages (or in a
    language that is not known: a code system that names no language may be in any)."""
    languages = [provider.info.language] + [d.language or provider.info.language for d in provider.designations(concept, context)]
    return any(language is None or context.wants(language) for language in languages)


def _language_suffix(language: str | None) -> str:
    return f" ({language})" if language else ""


def _languages(context: RequestContext) -> str:
    return ",".join(context.languages) if context.languages else "--"
