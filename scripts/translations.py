"""Keep the translation catalogs of each feature in step with the code.

    python scripts/translations.py update [FEATURE...]   extract, then update/create catalogs
    python scripts/translations.py check                  list untranslated or fuzzy messages

French is the reference language: message ids are French, so no French catalog exists.
Each feature has its own folder under kiosk/translations/ (Flask-Babel merges them), so
features are translated independently. Usager-facing features are translated into every
usager language; the back office into English. The messages of the commands and of the
domain's refusals (``imports``) are rendered without Flask: their catalog is
surveys/translations/.
"""

from __future__ import annotations

import fnmatch
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "kiosk" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")
USAGER = ["en", "es", "pt", "ar", "ru", "uk", "tr", "ro", "zh_Hans"]

# feature -> (languages, globs of the source files whose messages it holds)
FEATURES: dict[str, tuple[list[str], list[str]]] = {
    "usager": (
        USAGER,
        [
            "kiosk/templates/base.html",
            "kiosk/templates/errors/*",
            "kiosk/templates/tablet/*",
            "kiosk/templates/public/*",
            "kiosk/tablet/routes.py",
            "kiosk/tablet/forms.py",
            "kiosk/public/routes.py",
            "kiosk/public/forms.py",
        ],
    ),
    "reclamations": (
        USAGER,
        [
            "kiosk/templates/reclamations/*",
            "kiosk/templates/reclamations/**/*",
            "kiosk/public/reclamations.py",
            "kiosk/tablet/reclamations.py",
            "kiosk/reclamation_forms.py",
            "kiosk/mail.py",
        ],
    ),
    "backoffice": (
        ["en"],
        [
            "kiosk/templates/backoffice/*",
            "kiosk/templates/backoffice/**/*",
            "kiosk/templates/auth/*",
            "kiosk/backoffice/*.py",
            "kiosk/auth/*.py",
        ],
    ),
    "imports": (
        ["en"],
        [
            "surveys/*.py",
            "kiosk/cli/*.py",
            "analysis/filters.py",
            "analysis/poster.py",
        ],
    ),
}
# Where a feature's catalogs are, when not under kiosk/translations/.
FOLDERS = {"imports": ROOT / "surveys" / "translations"}


def folder(feature: str) -> Path:
    return FOLDERS.get(feature, TRANSLATIONS / feature)


def sources(feature: str) -> list[str]:
    _languages, globs = FEATURES[feature]
    files = [
        str(path.relative_to(ROOT))
        for path in sorted(
            [*ROOT.glob("kiosk/**/*"), *ROOT.glob("surveys/*.py"), *ROOT.glob("analysis/*.py")]
        )
        if path.is_file() and path.suffix in (".py", ".html", ".txt")
    ]
    return [f for f in files if any(fnmatch.fnmatch(f, g) for g in globs)]


def _extract(feature: str, pot: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "_ln:1,2",
            "--no-location",
            "--sort-output",
            "--omit-header",
            "-o",
            str(pot),
            *sources(feature),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def _read(po: Path):  # noqa: ANN202
    with po.open("rb") as handle:
        return read_po(handle)


def _key(message) -> str:  # noqa: ANN001
    return message.id if isinstance(message.id, str) else message.id[0]


def update(feature: str) -> None:
    languages, _globs = FEATURES[feature]
    target = folder(feature)
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        _extract(feature, pot)
        for language in languages:
            po = target / language / "LC_MESSAGES" / "messages.po"
            action = "update" if po.exists() else "init"
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "babel.messages.frontend",
                    action,
                    "-i",
                    str(pot),
                    "-d",
                    str(target),
                    "-l",
                    language,
                    "--no-wrap",
                    *(["--ignore-obsolete", "--no-fuzzy-matching"] if action == "update" else []),
                ],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
    print(f"{feature}: {len(sources(feature))} source files, catalogs for {', '.join(languages)}")


def unextracted(feature: str) -> dict[str, list[str]]:
    """Return, per language, the messages the sources hold that its catalog lacks (a string
    added to a page without ``update`` would otherwise stay French unnoticed)."""
    languages, _ = FEATURES[feature]
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        _extract(feature, pot)
        wanted = {_key(m) for m in _read(pot) if m.id}
    result = {}
    for language in languages:
        po = folder(feature) / language / "LC_MESSAGES" / "messages.po"
        present = {_key(m) for m in _read(po) if m.id} if po.exists() else set()
        if wanted - present:
            result[language] = sorted(wanted - present)
    return result


def placeholder_mismatches(feature: str) -> list[tuple[str, str]]:
    """Return (language, message) pairs whose translation changed the ``%(name)s`` set."""
    languages, _ = FEATURES[feature]
    found = []
    for language in languages:
        po = folder(feature) / language / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            continue
        for message in _read(po):
            if not message.id or not message.string:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            expected = set(PLACEHOLDER.findall(" ".join(ids)))
            if any(set(PLACEHOLDER.findall(text)) != expected for text in strings if text):
                found.append((language, ids[0]))
    return found


def missing(feature: str) -> dict[str, list[str]]:
    """Return, per language, the message ids of ``feature`` with no usable translation."""
    languages, _ = FEATURES[feature]
    result: dict[str, list[str]] = {}
    for language in languages:
        po = folder(feature) / language / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            result[language] = ["<no catalog>"]
            continue
        gaps = []
        for message in _read(po):
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy or not all(strings):
                gaps.append(message.id if isinstance(message.id, str) else message.id[0])
        if gaps:
            result[language] = gaps
    return result


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("update", "check"):
        print(__doc__)
        return 2
    features = argv[1:] or list(FEATURES)
    if argv[0] == "update":
        for feature in features:
            update(feature)
        return 0
    status = 0
    for feature in features:
        for language, gaps in missing(feature).items():
            status = 1
            print(f"{feature}/{language}: {len(gaps)} untranslated, e.g. {gaps[0]!r}")
        for language, gaps in unextracted(feature).items():
            status = 1
            print(
                f"{feature}/{language}: {len(gaps)} not in the catalog (run update),"
                f" e.g. {gaps[0]!r}"
            )
        for language, message in placeholder_mismatches(feature):
            status = 1
            print(f"{feature}/{language}: placeholders differ in {message!r}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
