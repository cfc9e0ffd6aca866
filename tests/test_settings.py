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
