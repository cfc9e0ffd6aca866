"""Which release of a code system released in time (ICD-10-CM) answers a request, for the day it asks about.

A request names a version, or a day (``date``; a value set's ``compose.lockedDate``), or neither. A
named version answers; a day chooses the release in effect on it; neither leaves the default, the
newest release. Where the release that answers is not in effect on the day asked about (or on today's
date, where none is), the answer says so in a warning, and still comes from that release: the nearest.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

from ..fiscal_years import EffectivePeriod, release_label
from ..model import Issue
from ..providers.base import CodeSystemProvider
from ..registry import Registry
from ..valuesets.resolution import VersionRules

__all__ = ["NOT_IN_EFFECT", "ReleaseChoice", "choose_release", "not_in_effect", "rules_on", "today", "used_release_warning"]

NOT_IN_EFFECT = "RELEASE_NOT_IN_EFFECT"


@dataclass(frozen=True, slots=True)
class ReleaseChoice:
    """``version``: the version to answer from (None: the default); ``warning``: that it is not in effect
    on the day asked about."""

    version: str | None
    warning: Issue | None = None


def today() -> date:
    """The server's date: the day a request that names none is about."""
    return date.today()


def choose_release(registry: Registry, system: str, version: str | None, day: date | None) -> ReleaseChoice:
    """The release of ``system`` to answer from, for a request naming ``version`` and ``day`` (either may be
    None). A code system whose versions are not tied to dates answers as it would without a day."""
    if version is not None:
        named = registry.code_system(system, version) if day is not None else None
        return ReleaseChoice(version, not_in_effect(named, day) if named is not None else None)
    if day is not None:
        found = registry.in_effect(system, day)
        if found is None:
            return ReleaseChoice(None)
        provider, covered = found
        return ReleaseChoice(provider.info.version, None if covered else not_in_effect(provider, day))
    default = registry.code_system(system)
    return ReleaseChoice(None, not_in_effect(default, today(), asked=False) if default is not None else None)


def used_release_warning(registry: Registry, provider: CodeSystemProvider, day: date | None, named: bool = False) -> Issue | None:
    """The warning for a release a value set's expansion or check used: where it is not in effect on the day
    asked about; with no day, where it is the default (the request and the value set ``named`` no version)
    and not in effect today."""
    if provider.info.effective is None:
        return None
    if day is not None:
        return not_in_effect(provider, day)
    default = not named and provider is registry.code_system(provider.info.url)
    return not_in_effect(provider, today(), asked=False) if default else None


def not_in_effect(provider: CodeSystemProvider, day: date, asked: bool = True) -> Issue | None:
    """A warning that the release ``provider`` answers from is not in effect on ``day``; None where it is,
    or where its code system's versions are not tied to dates. ``asked``: the request named the day
    (else it is today's date, and the release the default)."""
    period = provider.info.effective
    if period is None or period.covers(day):
        return None
    return _warning(provider.info.url, provider.info.version, period, day, asked)


@lru_cache(maxsize=256)  # (the same few releases and days, asked about by request after request)
def _warning(url: str, version: str | None, period: EffectivePeriod, day: date, asked: bool) -> Issue:
    release = f"version {version} ({release_label(period.start)}), in effect from {period.start.isoformat()} to {period.end.isoformat()}"
    if asked:
        text = f"No loaded release of {url} is in effect on {day.isoformat()}: the answer is from the nearest, {release}"
    else:
        text = f"The answer is from the newest loaded release of {url}, {release}, which is not in effect today ({day.isoformat()})"
        if day > period.end:
            text += ": the release in effect today is not loaded here (add it with 'terminology import')"
    # (no expression: the warning is about the release, which the codings of one request share)
    return Issue("warning", "business-rule", text, message_id=NOT_IN_EFFECT)


def rules_on(registry: Registry, rules: VersionRules, day: date | None) -> VersionRules:
    """``rules`` with, for each code system released in time that no version parameter decides, the release
    in effect on ``day`` (else the nearest) as the version where a value set names none."""
    if day is None:
        return rules
    decided = rules.defaults.keys() | rules.forced.keys() | rules.checked.keys()
    on_day = {}
    for system in registry.dated_systems() - decided:
        found = registry.in_effect(system, day)
        if found is not None:
            on_day[system] = found[0].info.version
    return replace(rules, defaults={**rules.defaults, **on_day}) if on_day else rules
