"""The typeahead's relevance set (``relevance_set.json``): every query through the real ``$expand``
over the embedded release, and what a coder expects on its first page; and the set itself checked
against the release (its codes exist and match their queries), so that an expectation cannot be
met by a code that is not there."""

from __future__ import annotations

import pytest

from .relevance import PAGE, expand_path, judge, relevance_set

QUERIES = relevance_set()


def test_the_set_is_large_enough_and_says_why():
    assert len(QUERIES) >= 50
    assert len({entry["query"] for entry in QUERIES}) == len(QUERIES)
    for entry in QUERIES:
        assert entry["reason"].strip() and (entry.get("first") or entry.get("expected"))
        assert len(entry.get("first", [])) + len(set(entry.get("expected", [])) - set(entry.get("first", []))) <= PAGE


@pytest.mark.parametrize("entry", QUERIES, ids=lambda entry: entry["query"])
def test_every_expected_code_matches_its_query(client, entry):
    codes = [*entry.get("first", []), *entry.get("expected", [])]
    answer = client.get(expand_path(entry["query"]).replace(f"count={PAGE}", "count=10000"))
    assert answer.status_code == 200
    found = {item["code"] for item in answer.get_json()["expansion"].get("contains", [])}
    assert set(codes) <= found


@pytest.mark.parametrize("entry", QUERIES, ids=lambda entry: entry["query"])
def test_the_first_page_is_what_a_coder_expects(client, entry):
    answer = client.get(expand_path(entry["query"]))
    assert answer.status_code == 200
    judgement = judge(entry, answer.get_json())
    assert judgement.missing_first == [], judgement.page
    assert judgement.missing == [], judgement.page
