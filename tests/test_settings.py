"""terminology.settings: each setting from the Flask config, else the environment, else its default; a value
that cannot be read named in one line; and the README's table of settings, which must list each."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from terminology.settings import InvalidSetting, Settings, setting_key

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_config_wins_over_the_environment_which_wins_over_the_default():
    environ = {"TERMINOLOGY_MAX_BODY_BYTES": "2000", "TERMINOLOGY_URL_PREFIX": "/r4"}
    settings = Settings.read({"TERMINOLOGY_MAX_BODY_BYTES": 1000}, environ)
    assert (settings.max_body_bytes, settings.url_prefix, settings.cache_dir) == (1000, "/r4", None)
    assert Settings.read({}, {}) == Settings()


def test_the_environment_is_text_read_as_each_settings_type():
    settings = Settings.read({}, {"TERMINOLOGY_ICD10CM_FILES": "a.xml:b.xml.gz", "TERMINOLOGY_CACHE_DIR": "/tmp/c", "TERMINOLOGY_MAX_BODY_BYTES": "12"})
    assert settings.icd10cm_files == ("a.xml", "b.xml.gz") and settings.cache_dir == Path("/tmp/c") and settings.max_body_bytes == 12
    assert Settings.read({"TERMINOLOGY_RESOURCE_PATHS": ["x.json", Path("y")]}, {}).resource_paths == ("x.json", "y")


@pytest.mark.parametrize("value", ["many", "-5", "1.5e"])
def test_a_number_that_cannot_be_read_names_the_setting(value):
    with pytest.raises(InvalidSetting, match=f"^TERMINOLOGY_MAX_BODY_BYTES is '?{re.escape(value)}'?: it takes a number"):
        Settings.read({}, {"TERMINOLOGY_MAX_BODY_BYTES": value})


def test_the_readme_lists_every_setting():
    listed = set(re.findall(r"^\| `(TERMINOLOGY_[A-Z0-9_]+)` \|", README.read_text(encoding="utf-8"), re.MULTILINE))
    assert listed == {setting_key(item.name) for item in fields(Settings)}


def test_a_bound_is_named_with_its_value_and_setting():
    settings = Settings.read({}, {"TERMINOLOGY_MAX_PARAMETERS": "1000", "TERMINOLOGY_MAX_EXPANSION_SECONDS": "2.5"})
    assert str(settings.bound("max_parameters")) == "1,000 (TERMINOLOGY_MAX_PARAMETERS)"
    assert str(settings.bound("max_expansion_seconds")) == "2.5 (TERMINOLOGY_MAX_EXPANSION_SECONDS)"


def test_a_nesting_depth_past_what_can_be_written_back_is_refused_at_start():
    assert Settings.read({}, {"TERMINOLOGY_MAX_NESTING_DEPTH": "200"}).max_nesting_depth == 200
    with pytest.raises(InvalidSetting, match="^TERMINOLOGY_MAX_NESTING_DEPTH is 201: it takes a number up to 200$"):
        Settings.read({}, {"TERMINOLOGY_MAX_NESTING_DEPTH": "201"})
