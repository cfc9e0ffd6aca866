"""terminology.providers.icd10cm: the provider itself, over the embedded release, against the oracle.

Each sampled check runs over every 97th code of the release (about a thousand: every kind of
concept) and the edge cases, asked of the oracle (``tests/icd10cm_oracle.py``).
"""

from __future__ import annotations

import collections
import re

import pytest

from icd10cm_oracle import (
    ICD10CM,
    billable_below,
    block_of,
    chapter_of,
    children_of,
    codes,
    display,
    is_billable,
    is_block,
    note_chain,
    notes,
    oracle,
    parent_of,
    sample,
)
from terminology.context import RequestContext
from terminology.errors import InvalidRequest
from terminology.loaders.icd10cm_xml import NOTE_KINDS
from terminology.model import Coding, Designation
from terminology.providers.icd10cm import LEVEL_NOTES_KEPT, Icd10cmProvider
from terminology.providers.icd10cm_changes import HISTORY_PROPERTIES

CONTEXT = RequestContext()
SYNONYM = Coding("http://snomed.info/sct", None, "900000000000013009", "Synonym")
NOTE_KIND_SET = frozenset(NOTE_KINDS)
# The edge cases: a header needing a 7th character, a super-block, a one-category section (B10, Z66),
# a category made with a 7th character (T07), the S06 exception, a written 8-character code, chapter 22.
EDGES = ("M48.48", "M48.48XA", "M48.4", "M45-M49", "M40-M54", "C00-C96", "B10", "B10.01", "Z66", "T07", "T07.XXXA", "S06.1X7A", "C44.1021", "U07.1", "U09.9")
SAMPLE = tuple(dict.fromkeys((*sample(), *EDGES)))


def _concept(provider, code):
    concept = provider.locate(code)
    assert concept is not None, code
    return concept


def _codes(provider, concepts):
    return [provider.code(concept) for concept in concepts]


def test_the_sample_holds_every_kind_of_concept_from_every_chapter():
    kinds = collections.Counter(
        "extended" if oracle.is_extended_subcategory(c) else "block" if is_block(c) else "category" if oracle.is_category(c) else "sub"
        for c in SAMPLE
    )
    assert set(kinds) == {"extended", "block", "category", "sub"}
    assert {chapter_of(c) for c in SAMPLE} == {str(n) for n in range(1, 23)}
    assert len(SAMPLE) > 1000


# --- the code system ------------------------------------------------------------------------


def test_info(icd10cm):
    assert icd10cm.info.url == ICD10CM
    assert icd10cm.info.version == "2026"
    assert icd10cm.info.case_sensitive is True
    assert icd10cm.info.content == "complete"
    assert icd10cm.info.language == "en"


def test_count_is_every_code_of_the_release(icd10cm):
    assert icd10cm.count() == len(codes()) == 98444


# --- locate, code, probable_code ------------------------------------------------------------


def test_locate_finds_every_sampled_code_exactly(icd10cm):
    for code in SAMPLE:
        assert icd10cm.code(_concept(icd10cm, code)) == code


@pytest.mark.parametrize("code", ["M48.48XA", "M48.48", "M45-M49", "B10", "C00-C96"])
def test_locate_is_exact(icd10cm, code):
    assert icd10cm.locate(code) is not None
    for written in (code.lower(), code.replace(".", ""), f" {code}", f"{code} ", code + "X"):
        if written != code:
            assert icd10cm.locate(written) is None, written


@pytest.mark.parametrize("code", ["", "M48.48XQ", "M48.4.8", "13", "ICD10CM", "m48"])
def test_locate_an_unknown_code(icd10cm, code):
    assert icd10cm.locate(code) is None


def test_probable_code_of_every_sampled_code_written_without_dot_in_lower_case(icd10cm):
    dotted = [code for code in SAMPLE if "." in code]
    assert len(dotted) > 800
    for code in dotted:
        compact = code.replace(".", "")
        assert icd10cm.probable_code(compact) == code
        assert icd10cm.probable_code(compact.lower()) == code
        assert icd10cm.probable_code(code.lower()) == code
        assert icd10cm.probable_code(code) is None  # the code is right as written


def test_probable_code_fills_in_the_placeholder_x(icd10cm):
    # (a 7th character that is a digit, H40.51X3, is not guessed: H40513 could be a 6-character code)
    padded = [c for c in SAMPLE if oracle.is_extended_subcategory(c) and c[-2] == "X" and c[-1].isalpha()]
    assert len(padded) > 50
    for code in padded:
        without = code[:-1].rstrip("X").replace(".", "") + code[-1]  # S02.0XXA written S020A
        assert icd10cm.probable_code(without) == code, without
        assert icd10cm.probable_code(without.lower()) == code, without


@pytest.mark.parametrize(
    ("written", "meant"),
    [("m4848xa", "M48.48XA"), ("M4848XA", "M48.48XA"), ("m48.48a", "M48.48XA"), ("m45-m49", "M45-M49"), (" m48.48 ", "M48.48"), ("b10", "B10")],
)
def test_probable_code(icd10cm, written, meant):
    assert icd10cm.probable_code(written) == meant


@pytest.mark.parametrize("written", ["M48.48XQ", "M4848XQ", "", "x", "M48.48XA", "M45-M49"])
def test_no_probable_code(icd10cm, written):
    assert icd10cm.probable_code(written) is None


# --- what a concept says of itself ----------------------------------------------------------


def test_display_of_every_sampled_code(icd10cm):
    wrong = {c: (icd10cm.display(_concept(icd10cm, c), CONTEXT), display(c)) for c in SAMPLE}
    assert {c: pair for c, pair in wrong.items() if pair[0] != pair[1]} == {}


def test_designations_are_the_codes_own_inclusion_terms(icd10cm):
    with_terms = 0
    for code in SAMPLE:
        expected = [Designation(term, "en", SYNONYM) for term in notes("inclusionTerm", code)]
        assert list(icd10cm.designations(_concept(icd10cm, code), CONTEXT)) == expected, code
        with_terms += bool(expected)
    assert with_terms > 50
    assert "Stress fracture of vertebra" in [d.value for d in icd10cm.designations(_concept(icd10cm, "M48.4"), CONTEXT)]
    assert icd10cm.designations(_concept(icd10cm, "M48.48XA"), CONTEXT) == ()  # it inherits none


def test_abstract_is_not_billable(icd10cm):
    for code in SAMPLE:
        concept = _concept(icd10cm, code)
        assert icd10cm.is_abstract(concept) is not is_billable(code), code
        assert icd10cm.is_inactive(concept) is False
    assert sum(is_billable(c) for c in SAMPLE) > 500
    assert sum(not is_billable(c) for c in SAMPLE) > 200


def _reason(code: str) -> str:
    what = "a block of categories" if is_block(code) else "a header code"
    below = billable_below(code)
    listed = ", ".join(below[:8]) + (f" and {len(below) - 8} more" if len(below) > 8 else "")
    need = "it needs a 7th character" if oracle.is_extended_subcategory(children_of(code)[0]) else "a more specific code is needed"
    return f"{code} is {what} and not billable: {need}. Billable codes below it: {listed}"


def test_abstract_reason_names_the_billable_codes_below(icd10cm):
    headers = [c for c in SAMPLE if not is_billable(c) and children_of(c) and not (oracle.is_category(c) and oracle.is_extended_subcategory(children_of(c)[0]))]
    assert len(headers) > 200 and any(is_block(c) for c in headers)
    wrong = {c: (icd10cm.abstract_reason(_concept(icd10cm, c)), _reason(c)) for c in headers}
    assert {c: pair for c, pair in wrong.items() if pair[0] != pair[1]} == {}


@pytest.mark.parametrize("code", ["M48.48", "M48.4", "M48", "M45-M49", "C00-C96", "B10", "S06.1X7"])
def test_abstract_reason_of_edge_cases(icd10cm, code):
    assert icd10cm.abstract_reason(_concept(icd10cm, code)) == _reason(code)


def test_abstract_reason_of_m48_48_names_its_four_codes(icd10cm):
    assert icd10cm.abstract_reason(_concept(icd10cm, "M48.48")) == (
        "M48.48 is a header code and not billable: it needs a 7th character. "
        "Billable codes below it: " + ", ".join(oracle.get_children("M48.48"))
    )


@pytest.mark.parametrize("code", ["T07", "T66", "W19"])
def test_abstract_reason_of_a_category_that_needs_a_7th_character(icd10cm, code):
    assert oracle.is_extended_subcategory(children_of(code)[0])
    assert "it needs a 7th character" in icd10cm.abstract_reason(_concept(icd10cm, code))


# --- properties -----------------------------------------------------------------------------


def _values(properties, name):
    return [p.value for p in properties if p.code == name]


def test_structural_properties_of_every_sampled_code(icd10cm):
    wrong = {}
    for code in SAMPLE:
        props = list(icd10cm.properties(_concept(icd10cm, code), None))
        parent, block, chapter = parent_of(code), block_of(code), chapter_of(code)
        got = (
            _values(props, "parent"),
            _values(props, "child"),
            _values(props, "billable"),
            _values(props, "notSelectable"),
            _values(props, "chapter"),
            _values(props, "block"),
        )
        expected = (
            [parent] if parent else [],
            children_of(code),
            [is_billable(code)],
            [not is_billable(code)],
            [chapter],
            [block] if block else [],
        )
        if got != expected:
            wrong[code] = (got, expected)
        described = {p.code: p.description for p in props if p.code in ("parent", "chapter", "block")}
        assert described.get("chapter") == oracle.get_description(chapter), code
        if parent:
            assert described["parent"] == display(parent), code
        if block:
            assert described["block"] == display(block), code
        assert [p.description for p in props if p.code == "child"] == [display(c) for c in children_of(code)], code
    assert wrong == {}


def test_notes_of_every_sampled_code_with_their_source_and_level(icd10cm):
    wrong = {}
    inherited = 0
    for code in SAMPLE:
        props = list(icd10cm.properties(_concept(icd10cm, code), None))
        got = [
            (p.code, p.value, *[sub.value for sub in p.subproperties])
            for p in props
            if p.code in NOTE_KIND_SET
        ]
        expected = list(note_chain(code))
        if got != expected:
            wrong[code] = (got, expected)
        inherited += any(source != code for _, _, source, _ in expected)
        assert all([sub.code for sub in p.subproperties] == ["source", "level"] for p in props if p.code in NOTE_KIND_SET)
    assert wrong == {}
    assert inherited > 900


def test_the_notes_kept_are_bounded_and_right_past_the_bound(icd10cm):
    """A provider keeps the notes of at most LEVEL_NOTES_KEPT levels, however many codes are asked about;
    the notes of a code whose levels were dropped are made again, the same."""
    provider = Icd10cmProvider(icd10cm.release)
    with_notes = [entry for entry in icd10cm.release.entries.values() if entry.notes]
    assert len(with_notes) > 2 * LEVEL_NOTES_KEPT

    def note_values(entry):
        return [(p.code, p.value, *[sub.value for sub in p.subproperties]) for p in provider.properties(entry, NOTE_KIND_SET)]

    first = {entry.code: note_values(entry) for entry in with_notes[:50]}
    for entry in with_notes:
        note_values(entry)
        assert len(provider._level_notes) <= LEVEL_NOTES_KEPT
    assert {entry.code: note_values(entry) for entry in with_notes[:50]} == first
    assert first == {code: list(note_chain(code)) for code in first}


def test_own_notes_only_when_not_inherited(icd10cm):
    for code in SAMPLE[::5]:
        got = [(p.code, p.value) for p in icd10cm.properties(_concept(icd10cm, code), None, inherited=False) if p.code in NOTE_KIND_SET]
        assert got == [(kind, text) for kind in NOTE_KINDS for text in notes(kind, code)], code


def test_m48_48xa_inherits_the_excludes1_of_m48_4(icd10cm):
    excludes1 = list(icd10cm.properties(_concept(icd10cm, "M48.48XA"), {"excludes1"}))
    from_m48_4 = [p.value for p in excludes1 if [s.value for s in p.subproperties] == ["M48.4", "subcategory"]]
    assert from_m48_4 == notes("excludes1", "M48.4") != []
    assert {p.code for p in excludes1} == {"excludes1"}


def test_every_property_is_defined(icd10cm):
    definitions = {d.code: d.type for d in icd10cm.property_definitions()}
    history = {d.code for d in HISTORY_PROPERTIES}  # (the session's provider knows the code history)
    metadata = {d.code for source in icd10cm.metadata for d in source.property_definitions()}  # (and MS-DRG's, ...)
    assert set(definitions) == {"parent", "child", "notSelectable", "billable", "chapter", "block", *NOTE_KINDS, *history, *metadata}
    for code in SAMPLE[::10]:
        for prop in icd10cm.properties(_concept(icd10cm, code), None):
            assert definitions[prop.code] == prop.type, (code, prop)


@pytest.mark.parametrize(
    "wanted",
    [{"parent"}, {"child", "billable"}, {"excludes1"}, {"sevenChrDef", "chapter"}, {"block"}, set(), {"no-such-property"}],
)
def test_only_the_properties_asked_for(icd10cm, wanted):
    concept = _concept(icd10cm, "M48.48XA")
    everything = list(icd10cm.properties(concept, None))
    asked = list(icd10cm.properties(concept, wanted))
    assert asked == [p for p in everything if p.code in wanted]
    assert {p.code for p in everything} >= {"parent", "billable", "chapter", "block", "excludes1", "sevenChrDef"}


def test_a_top_level_block_has_no_parent_and_no_block(icd10cm):
    roots = [c for c in codes() if is_block(c) and parent_of(c) is None]
    assert "C00-C96" in roots and "A00-A09" in roots
    for code in roots:
        props = list(icd10cm.properties(_concept(icd10cm, code), {"parent", "block"}))
        assert props == []


# --- hierarchy ------------------------------------------------------------------------------


def test_children_and_parents_of_every_sampled_code(icd10cm):
    for code in SAMPLE:
        concept = _concept(icd10cm, code)
        assert _codes(icd10cm, icd10cm.children(concept)) == children_of(code), code
        parent = parent_of(code)
        assert _codes(icd10cm, icd10cm.parents(concept)) == ([parent] if parent else []), code


def test_descendants(icd10cm):
    assert _codes(icd10cm, icd10cm.descendants(_concept(icd10cm, "M48.4"))) == oracle.get_descendants("M48.4")
    assert _codes(icd10cm, icd10cm.descendants(_concept(icd10cm, "M48.48XA"))) == []


def test_roots_are_the_top_level_blocks_in_order(icd10cm):
    roots = [c for c in codes() if oracle.is_block(c) and parent_of(c) is None]
    assert _codes(icd10cm, icd10cm.roots()) == roots


def test_all_concepts_is_every_code_once_parents_first(icd10cm):
    order = _codes(icd10cm, icd10cm.all_concepts())
    assert len(order) == len(set(order)) == len(codes())
    assert set(order) == set(codes())
    position = {code: index for index, code in enumerate(order)}
    for code in SAMPLE:
        parent = parent_of(code)
        assert parent is None or position[parent] < position[code], code
    # The order of the tabular list, sections nested by range.
    assert order == list(codes())


def test_subsumption_of_every_sampled_code_and_its_ancestors(icd10cm):
    checked = 0
    for code, other in zip(SAMPLE, SAMPLE[1:]):
        concept = _concept(icd10cm, code)
        assert icd10cm.subsumes(concept, concept)
        above = parent_of(code)
        while above is not None:
            ancestor = _concept(icd10cm, above)
            assert icd10cm.subsumes(ancestor, concept), (above, code)
            assert not icd10cm.subsumes(concept, ancestor), (code, above)
            above = parent_of(above)
            checked += 1
        unrelated = _concept(icd10cm, other)
        assert icd10cm.subsumes(unrelated, concept) is (other in _above(code)), (other, code)
    assert checked > 3000


def _above(code: str) -> set[str]:
    """Every concept above ``code``, by the oracle."""
    found = set()
    while (code := parent_of(code)) is not None:
        found.add(code)
    return found


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("M45-M49", "M48.48XA", True),
        ("M40-M54", "M48.48XA", True),  # a super-block holds its sections' codes
        ("C00-C96", "C00.0", True),
        ("M48.48XA", "M48.48XD", False),
        ("M48.4", "M48.5", False),
        ("M48.48XA", "M48.48", False),
        ("B10", "B10.01", True),
    ],
)
def test_subsumes_edge_cases(icd10cm, a, b, expected):
    assert icd10cm.subsumes(_concept(icd10cm, a), _concept(icd10cm, b)) is expected


# --- filters --------------------------------------------------------------------------------


def _selected(provider, prop, op, value):
    return _codes(provider, provider.filter(prop, op, value).concepts())


def test_is_a_and_descendent_of(icd10cm):
    below = oracle.get_descendants("M48.4")
    assert _selected(icd10cm, "concept", "is-a", "M48.4") == ["M48.4", *below]
    assert _selected(icd10cm, "code", "descendent-of", "M48.4") == below
    is_a = icd10cm.filter("concept", "is-a", "M48.4")
    descendent = icd10cm.filter("concept", "descendent-of", "M48.4")
    for code in ["M48.4", "M48.48XA", "M48.3", "M48", "M45-M49"]:
        concept = _concept(icd10cm, code)
        assert is_a.matches(concept) is (code == "M48.4" or code in below), code
        assert descendent.matches(concept) is (code in below), code


def test_is_not_a_generalizes_child_of_descendent_leaf(icd10cm):
    assert _selected(icd10cm, "concept", "generalizes", "M48.48XA") == [
        c for c in codes() if c == "M48.48XA" or c in _above("M48.48XA")
    ]
    assert _selected(icd10cm, "concept", "child-of", "M48.48") == oracle.get_children("M48.48")
    assert _selected(icd10cm, "concept", "descendent-leaf", "M48.4") == [c for c in oracle.get_descendants("M48.4") if oracle.is_leaf(c)]
    not_a = icd10cm.filter("concept", "is-not-a", "M48.4")
    assert not not_a.matches(_concept(icd10cm, "M48.48XA")) and not_a.matches(_concept(icd10cm, "M48.3"))


def test_hierarchy_filters_on_an_unknown_code(icd10cm):
    assert _selected(icd10cm, "concept", "is-a", "M48.48XQ") == []
    assert icd10cm.filter("concept", "is-not-a", "M48.48XQ").matches(_concept(icd10cm, "M48.48XA"))


@pytest.mark.parametrize(("prop", "value"), [("billable", "true"), ("billable", "false"), ("notSelectable", "true"), ("notSelectable", "false")])
def test_billable_and_not_selectable(icd10cm, prop, value):
    wanted_billable = (prop == "billable") == (value == "true")
    selected = _selected(icd10cm, prop, "=", value)
    assert selected == [c for c in codes() if is_billable(c) is wanted_billable]
    where = icd10cm.filter(prop, "=", value)
    for code in SAMPLE:
        assert where.matches(_concept(icd10cm, code)) is (is_billable(code) is wanted_billable), code


@pytest.mark.parametrize("value", ["yes", "TRUE", "1", ""])
def test_billable_takes_true_or_false(icd10cm, value):
    with pytest.raises(InvalidRequest, match=re.escape(f"'billable = {value}' needs true or false")):
        icd10cm.filter("billable", "=", value)


@pytest.mark.parametrize(
    ("prop", "value"),
    [("chapter", "1"), ("chapter", "13"), ("chapter", "22"), ("block", "M45-M49"), ("block", "C00-C14"), ("block", "C00-C96"), ("block", "A00-A09")],
)
def test_chapter_and_block(icd10cm, prop, value):
    """A block's concepts are those whose innermost block it is (C00-C96: the blocks it holds)."""
    of = chapter_of if prop == "chapter" else block_of
    expected = [c for c in codes() if of(c) == value]
    assert expected
    assert _selected(icd10cm, prop, "=", value) == expected
    where = icd10cm.filter(prop, "=", value)
    for code in SAMPLE:
        assert where.matches(_concept(icd10cm, code)) is (of(code) == value), code


def test_an_unknown_chapter_selects_nothing(icd10cm):
    assert _selected(icd10cm, "chapter", "=", "23") == []
    assert _selected(icd10cm, "chapter", "=", "M45-M49") == []


def test_an_unknown_block_selects_nothing(icd10cm):
    assert _selected(icd10cm, "block", "=", "X00-X99") == []
    assert _selected(icd10cm, "block", "=", "M48.4") == []  # a code, not a block


def test_regex_on_the_code(icd10cm):
    assert _selected(icd10cm, "code", "regex", r"M48\.48X[AD]") == ["M48.48XA", "M48.48XD"]
    assert _selected(icd10cm, "code", "regex", r"M48\.48") == ["M48.48"]  # the whole code must match
    expected = [c for c in codes() if re.fullmatch(r"[A-Z]\d\d\.\d\dX[GS]", c)]
    assert expected and _selected(icd10cm, "code", "regex", r"[A-Z]\d\d\.\d\dX[GS]") == expected


def test_regex_on_the_display(icd10cm):
    pattern = r".*[Ff]atigue fracture.*sacr.*"
    expected = [c for c in codes() if re.fullmatch(pattern, display(c))]
    assert len(expected) >= 5
    assert _selected(icd10cm, "display", "regex", pattern) == expected


def test_in_and_parent(icd10cm):
    assert _selected(icd10cm, "code", "in", "M48.48XA, M48.48XD,M48.48XQ") == ["M48.48XA", "M48.48XD"]
    assert _selected(icd10cm, "parent", "=", "M48.48") == oracle.get_children("M48.48")


@pytest.mark.parametrize(
    ("prop", "op", "value", "message"),
    [
        ("concept", "sounds-like", "M48", "The filter operator 'sounds-like' is not known"),
        ("colour", "=", "red", "The property 'colour' is not defined by the code system http://hl7.org/fhir/sid/icd-10-cm"),
        ("billable", "is-a", "true", "applies to the hierarchy ('concept'), not to the property 'billable'"),
        ("code", "regex", "(M48", "The regular expression '(M48' is not valid"),
        ("excludes1", "exists", "maybe", "The 'exists' filter on 'excludes1' takes true or false, not 'maybe'"),
    ],
)
def test_an_unsupported_filter_is_an_invalid_request(icd10cm, prop, op, value, message):
    with pytest.raises(InvalidRequest, match=re.escape(message)):
        icd10cm.filter(prop, op, value)
