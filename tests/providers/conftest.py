"""The ICD-10-CM provider as the server builds it, over the embedded release."""

from __future__ import annotations

import pytest

from terminology.providers.icd10cm import ICD10CM_URL, Icd10cmProvider


@pytest.fixture(scope="session")
def icd10cm(registry) -> Icd10cmProvider:
    """The provider the session's registry (``terminology.content.build_registry``) serves by default."""
    provider = registry.code_system(ICD10CM_URL)
    assert isinstance(provider, Icd10cmProvider)
    return provider
