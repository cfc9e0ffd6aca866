"""``terminology lookup``, ``validate`` and ``expand`` of one code (or value set), against the embedded content:
what a person reads, what ``--json`` gives, and the exit status."""

from __future__ import annotations

import json

import pytest

from terminology.cli import main

BILLABLE = "http://fhir.icd10cm-terminology.org/ValueSet/icd10cm-billable"
IN_FY2026 = "2026-05-01"  # (a day the newest release is in effect: its answers carry no warning that it is not)


@pytest.fixture(autouse=True)
def _compiled(compiled_content):
    return compiled_content


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_a_valid_code_is_told_with_its_release_and_display(capsys):
    assert _run(capsys, "validate", "M48.48XA", "--date", IN_FY2026) == (
        0,
        "M48.48XA: valid in ICD-10-CM 2026\n"
        "  Fatigue fracture of vertebra, sacral and sacrococcygeal region, initial encounter for fracture\n",
        "",
    )


def test_a_code_written_otherwise_is_not_valid_and_the_code_meant_is_told(capsys):
    status, out, _ = _run(capsys, "validate", "m4848xa", "--date", IN_FY2026)
    assert status == 1
    assert out.splitlines()[:3] == [
        "m4848xa: not valid in ICD-10-CM 2026",
        "  did you mean M48.48XA?",
        "  error: Unknown code 'm4848xa' in the CodeSystem 'http://hl7.org/fhir/sid/icd-10-cm' version '2026'; did you mean 'M48.48XA'?",
    ]


def test_the_date_of_service_chooses_the_release(capsys):
    status, out, _ = _run(capsys, "validate", "T40.7X1A", "--date", "2021-06-01")
    assert (status, out.splitlines()[0]) == (0, "T40.7X1A: valid in ICD-10-CM 2021")
    status, out, _ = _run(capsys, "validate", "T40.7X1A", "--version", "2026")
    assert (status, out.splitlines()[0]) == (1, "T40.7X1A: not valid in ICD-10-CM 2026")


def test_json_gives_the_typed_answer(capsys):
    status, out, _ = _run(capsys, "validate", "M4848XA", "--json", "--date", IN_FY2026)
    answer = json.loads(out)
    assert status == 1
    assert (answer["valid"], answer["normalized_code"], answer["version"]) == (False, "M48.48XA", "2026")
    assert [issue["message_id"] for issue in answer["issues"]] == ["Unknown_Code_in_Version"]


def test_a_header_is_not_in_the_value_set_of_billable_codes(capsys):
    status, out, _ = _run(capsys, "validate", "M48.48", "--valueset", BILLABLE, "--date", IN_FY2026)
    assert status == 1
    assert out.startswith("M48.48: not valid in ICD-10-CM 2026\n")
    assert "M48.48 is a header code and not billable" in out


def test_an_unknown_value_set_is_an_input_error_in_one_line(capsys):
    assert _run(capsys, "validate", "A00.0", "--valueset", "http://example.org/ValueSet/none") == (
        2, "", "terminology validate: A definition for the value Set 'http://example.org/ValueSet/none' could not be found\n",
    )  # fmt: skip


def test_a_lookup_tells_the_display_billable_and_the_properties_asked_for(capsys):
    status, out, _ = _run(capsys, "lookup", "M48.48", "--date", IN_FY2026, "--property", "chapter", "--property", "child")
    assert status == 0
    assert out.splitlines() == [
        "M48.48  Fatigue fracture of vertebra, sacral and sacrococcygeal region",
        "  ICD-10-CM 2026, not billable (a header)",
        "  child: M48.48XA",
        "  child: M48.48XD",
        "  child: M48.48XG",
        "  child: M48.48XS",
        "  chapter: 13",
    ]


def test_a_lookup_in_json_with_the_codes_history(capsys):
    status, out, _ = _run(capsys, "lookup", "M54.5", "--json", "--property", "becameHeader", "--property", "replacedBy")
    found = json.loads(out)
    assert status == 0
    assert (found["abstract"], found["history"]["became_header"], found["history"]["replaced_by"]) == (True, "2021-10-01", ["M54.50", "M54.51", "M54.59"])


def test_a_code_not_found_is_status_1_with_the_servers_message(capsys):
    status, out, err = _run(capsys, "lookup", "T40.7X1A")
    assert (status, out) == (1, "")
    assert err.startswith("terminology lookup: Unable to find code 'T40.7X1A' in http://hl7.org/fhir/sid/icd-10-cm version 2026. ")


def test_an_expansion_is_a_code_and_its_display_a_line(capsys):
    status, out, _ = _run(capsys, "expand", "http://hl7.org/fhir/sid/icd-10-cm?fhir_vs", "--filter", "fatigue fract sacr", "--count", "2")
    assert status == 0
    assert out.splitlines() == [
        "M48.48  Fatigue fracture of vertebra, sacral and sacrococcygeal region  (abstract)",
        "M48.48XA  Fatigue fracture of vertebra, sacral and sacrococcygeal region, initial encounter for fracture",
    ]
    status, out, _ = _run(capsys, "expand", BILLABLE, "--filter", "fatigue fract sacr", "--count", "1", "--json")
    assert (status, [concept["code"] for concept in json.loads(out)]) == (0, ["M48.48XA"])


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["validate"], "give a CODE, or --file"),
        (["validate", "A00.0", "--file", "codes.csv"], "give a CODE or --file, not both"),
        (["lookup", "A00.0", "--out", "report.csv"], "only with --file: --out"),
        (["validate", "--file", "codes.csv", "--json"], "--json is for one code"),
        (["validate", "A00.0", "--date", "06/01/2021"], "not a date of the form YYYY-MM-DD: '06/01/2021'"),
        (["expand", "http://example.org/vs", "--count", "many"], "invalid int value: 'many'"),
    ],
)
def test_a_usage_error_is_status_2_with_the_usage(capsys, argv, said):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert said in capsys.readouterr().err
