from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ANALYSIS = Path(__file__).parents[2] / "analysis"


def test_english_catalog_translates_every_message_of_the_reports():
    found = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ANALYSIS),
            [("**.py", "python"), ("templates/**.html", "jinja2.ext:babel_extract")],
            {"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        )
    }
    with open(ANALYSIS / "translations/en/LC_MESSAGES/messages.po", "rb") as handle:
        catalog = read_po(handle)
    missing = sorted(m for m in found if not (catalog.get(m) and catalog.get(m).string))
    assert missing == []
