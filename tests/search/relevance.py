"""The relevance set of the ICD-10-CM typeahead (``relevance_set.json`` beside this file): each query
sent through the real ``ValueSet/$expand`` over the embedded release, and judged against what a coder
expects on its first page.

    scripts/relevance            # every query: met or not, and the share met
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

__all__ = ["PAGE", "Judgement", "expand_path", "judge", "relevance_set"]

SET_FILE = Path(__file__).with_name("relevance_set.json")
PAGE = 10  # what a code picker shows
ALL_CODES = "http://hl7.org/fhir/sid/icd-10-cm?fhir_vs"


@dataclass(frozen=True)
class Judgement:
    query: str
    page: list[str]
    missing_first: list[str]  # of the codes the page must start with, in order: those not where they must be
    missing: list[str]  # of the codes the page must show: those it does not

    @property
    def met(self) -> bool:
        return not self.missing_first and not self.missing


def relevance_set() -> list[dict[str, Any]]:
    return json.loads(SET_FILE.read_text())["queries"]


def expand_path(query: str) -> str:
    return "/fhir/ValueSet/$expand?" + urlencode({"url": ALL_CODES, "filter": query, "count": PAGE})


def judge(entry: dict[str, Any], expansion: dict[str, Any]) -> Judgement:
    """How the first page of ``expansion`` (a ValueSet) meets ``entry`` of the relevance set."""
    page = [item["code"] for item in expansion["expansion"].get("contains", [])]
    first = entry.get("first", [])
    missing_first = [code for position, code in enumerate(first) if page[position : position + 1] != [code]]
    missing = [code for code in entry.get("expected", []) if code not in page]
    return Judgement(entry["query"], page, missing_first, missing)


def main() -> int:
    from terminology.content import build_registry
    from terminology.web.app import create_app

    client = create_app(registry=build_registry()).test_client()
    judgements = []
    for entry in relevance_set():
        answer = client.get(expand_path(entry["query"]))
        judgement = judge(entry, answer.get_json())
        judgements.append(judgement)
        if judgement.met:
            print(f"met      {judgement.query!r}")
        else:
            print(f"NOT MET  {judgement.query!r}: wanted first {judgement.missing_first}, on the page {judgement.missing}; page {judgement.page}")
    met = sum(judgement.met for judgement in judgements)
    print(f"\n{met} of {len(judgements)} queries met ({met / len(judgements):.0%})")
    return 0 if met == len(judgements) else 1


if __name__ == "__main__":
    sys.exit(main())
