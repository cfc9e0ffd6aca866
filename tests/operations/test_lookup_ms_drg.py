"""terminology.operations.lookup and MS-DRG: every CC and MCC's severity in ``$lookup`` of the FY2026 release,
against the drg package's Tables 6I and 6J read independently (``tests/msdrg_oracle.py``); none in another year."""

from __future__ import annotations

from datetime import date

from msdrg_oracle import severities
from terminology.context import RequestContext
from terminology.operations.lookup import LookupRequest, lookup
from terminology.providers.icd10cm import ICD10CM_URL


def test_every_cc_and_mcc_has_its_severity_in_lookup(registry):
    for code, level in severities().items():
        result = lookup(registry, LookupRequest(ICD10CM_URL, code, properties=("drg-severity",)), RequestContext())
        assert [(p.code, p.value) for p in result.properties] == [("drg-severity", level)], code


def _drg(registry, **fields) -> tuple[str | None, list[tuple[str, object]]]:
    result = lookup(registry, LookupRequest(ICD10CM_URL, "J96.01", **fields), RequestContext())
    return result.version, [(p.code, p.value) for p in result.properties if p.code.startswith("drg-")]


def test_the_release_a_version_or_a_date_chooses_gives_its_fiscal_years_severity(registry):
    in_fy2026 = ("2026", [("drg-severity", "mcc"), ("drg-cc-exclusion-collection", "0998")])
    assert _drg(registry, version="2026") == _drg(registry, date=date(2026, 6, 1)) == in_fy2026
    assert _drg(registry, version="2025") == _drg(registry, date=date(2025, 6, 1)) == ("2025", [])
    assert _drg(registry, version="2021") == ("2021", [])
