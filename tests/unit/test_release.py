"""The version an administrator installs: ``setup.cfg``, the newest changelog entry of the
README and the release tag (``git tag -a vX.Y.Z``, deploy/README.md §1.3) name the same one."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _changelog_versions() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    changelog = readme.split("\n## Changelog\n", 1)[1]
    return re.findall(r"^### (\d+\.\d+\.\d+)\b", changelog, flags=re.M)


def test_setup_cfg_version_is_the_newest_changelog_heading():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    version = config["metadata"]["version"]
    versions = _changelog_versions()
    assert versions, "README.md has no '### X.Y.Z' heading under '## Changelog'"
    assert versions[0] == version


def test_changelog_headings_go_from_newest_to_oldest_without_repeats():
    versions = [tuple(map(int, v.split("."))) for v in _changelog_versions()]
    assert versions == sorted(set(versions), reverse=True)
