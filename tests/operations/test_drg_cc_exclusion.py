"""terminology.operations.drg_cc_exclusion over the server's registry: the answer and its message in each
case, against the drg package's Table 6K read independently (``tests/msdrg_oracle.py``) on a sample; the
release a version or a date chooses; the codes it refuses."""

from __future__ import annotations

import random
from datetime import date

import pytest

from msdrg_oracle import collection_members, severities, table_6k
from release_in_effect import NOT_IN_EFFECT, today_warning_expected
from terminology.errors import InvalidRequest, NotFound
from terminology.operations.drg_cc_exclusion import CcExclusionRequest, cc_exclusion


def _ask(registry, principal, secondary, **fields):
    return cc_exclusion(registry, CcExclusionRequest(principal, secondary, **fields))


def test_answers_agree_with_table_6k_on_a_sample(registry):
    oracle, listed = table_6k(), severities()
    draw = random.Random(6)
    codes = sorted(listed)
    for _ in range(2_000):
        secondary = draw.choice(codes)
        number = oracle.collection_of[secondary]
        principal = draw.choice(collection_members()[number]) if number is not None and draw.random() < 0.5 else draw.choice(codes)
        result = _ask(registry, principal, secondary, version="2026")
        assert result.excluded == oracle.excludes(principal, secondary), (principal, secondary)
        assert (result.secondary.severity, result.secondary.collection) == (listed[secondary], number)


def test_an_excluded_cc(registry):
    result = _ask(registry, "A00.0", "A00.1", version="2026")
    assert (result.excluded, result.secondary.severity, result.secondary.collection, result.ms_drg_version, result.version) == (
        True, "cc", "0002", "43.0", "2026",
    )  # fmt: skip
    assert result.message == (
        "A00.1 is a CC in MS-DRG v43.0, but not under the principal diagnosis A00.0: A00.0 is in its PDX collection 0002 "
        "(3 principal diagnoses), so A00.1 counts as a non-CC"
    )
    assert result.issues == ()


def test_an_mcc_that_counts_only_if_the_patient_is_discharged_alive(registry):
    result = _ask(registry, "A00.0", "R57.0", version="2026")
    assert (result.excluded, result.secondary.alive_only) == (False, True)
    assert result.message == (
        "R57.0 is an MCC in MS-DRG v43.0, and counts as an MCC under the principal diagnosis A00.0, which is not in its "
        "PDX collection 1561, if the patient is discharged alive (Table 6K Part 2)"
    )


def test_an_mcc_that_some_ms_drgs_do_not_count(registry):
    result = _ask(registry, "A00.0", "J96.01", version="2026")
    assert not result.excluded
    assert result.message.endswith(
        "; it does not count in MS-DRGs 928-929 (Full Thickness Burn with Skin Graft or Inhalation Injury) (Table 6K Part 3)"
    )
    assert _ask(registry, "J96.01", "J96.01", version="2026").excluded  # (a CC is most often in its own collection)


def test_a_cc_no_principal_excludes(registry):
    result = _ask(registry, "D89.833", "D89.833", version="2026")
    assert (result.excluded, result.secondary.collection) == (False, None)
    assert "no principal diagnosis excludes it: it counts as a CC under D89.833" in result.message


def test_a_code_that_is_neither_cc_nor_mcc(registry):
    result = _ask(registry, "A00.0", "Z00.00", version="2026")
    assert (result.excluded, result.secondary) == (False, None)
    assert result.message == "Z00.00 is neither a CC nor an MCC in MS-DRG v43.0: no principal diagnosis makes it count as one"


def test_without_version_or_date_the_newest_release_answers(registry):
    result = _ask(registry, "A00.0", "A00.1")
    assert result.version == "2026"
    assert [issue.message_id for issue in result.issues] == ([NOT_IN_EFFECT] if today_warning_expected() else [])


def test_a_date_in_effect_of_fy2026_chooses_it_and_a_later_one_says_it_is_not_in_effect(registry):
    assert _ask(registry, "A00.0", "A00.1", date=date(2026, 6, 1)).issues == ()
    later = _ask(registry, "A00.0", "A00.1", date=date(2027, 1, 15))
    assert later.excluded and later.version == "2026"
    [warning] = later.issues
    assert warning.message_id == NOT_IN_EFFECT and "2027-01-15" in warning.text


@pytest.mark.parametrize(("fields", "expression"), [({"version": "2025"}, "version"), ({"date": date(2025, 6, 1)}, "date"), ({"version": "2021"}, "version")])
def test_a_release_of_another_fiscal_year_has_no_ms_drg_version(registry, fields, expression):
    with pytest.raises(NotFound) as raised:
        _ask(registry, "A00.0", "A00.1", **fields)
    assert raised.value.expression == expression
    assert raised.value.message.startswith("No MS-DRG version is loaded for ICD-10-CM version 20")
    assert "this server has MS-DRG v43.0 with ICD-10-CM version 2026, in effect 2026-04-01 to 2026-09-30" in raised.value.message


def test_a_day_no_release_covers_says_which_answers_it(registry):
    with pytest.raises(NotFound, match=r"version 2025, which answers this request \(No loaded release .* is in effect on 2025-11-01"):
        _ask(registry, "A00.0", "A00.1", date=date(2025, 11, 1))


def test_an_unknown_version(registry):
    with pytest.raises(NotFound, match="2019"):
        _ask(registry, "A00.0", "A00.1", version="2019")


@pytest.mark.parametrize(("principal", "secondary", "name", "said"), [
    ("A000", "A00.1", "principal", "Unable to find code 'A000' in http://hl7.org/fhir/sid/icd-10-cm version 2026; did you mean 'A00.0'?"),
    ("A00.0", "T40.7X1A", "secondary", "it was deleted on 2021-10-01 (FY2022): use T40.711A or T40.721A"),
])  # fmt: skip
def test_an_unknown_code_is_named(registry, principal, secondary, name, said):
    with pytest.raises(NotFound) as raised:
        _ask(registry, principal, secondary, version="2026")
    assert raised.value.expression == name and said in raised.value.message


@pytest.mark.parametrize(("principal", "secondary", "name"), [("A00", "A00.1", "principal"), ("A00.0", "S06.1X3", "secondary")])
def test_a_header_is_refused(registry, principal, secondary, name):
    with pytest.raises(InvalidRequest) as raised:
        _ask(registry, principal, secondary, version="2026")
    assert raised.value.expression == name
    assert raised.value.message.startswith(f"The {name} diagnosis must be a billable code, as MS-DRG groups them: ")
    assert "is a header code and not billable" in raised.value.message
