"""The file behind an import: a pipe (``/dev/stdin``, a FIFO) copied so that it can be read
more than once, and the rows of a CSV file or an XLSX workbook counted ahead, cheaply, for
a progress bar."""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path
from xml.etree import ElementTree  # noqa: S405 - only the file's own sizes are read

ZIP_MAGIC = b"PK\x03\x04"
CHUNK = 1 << 20


def count_rows(path: str | Path) -> int:
    """Return about how many rows a file holds (0 when it cannot tell): its lines for CSV,
    the size the first sheet declares for XLSX. For a progress bar, read before importing."""
    try:
        if not Path(path).is_file():
            return 0
        with open(path, "rb") as handle:
            if handle.read(4) != ZIP_MAGIC:
                handle.seek(0)
                return sum(block.count(b"\n") for block in iter(lambda: handle.read(CHUNK), b""))
        return _declared_rows(path)
    except (OSError, zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        return 0


def _declared_rows(path: str | Path) -> int:
    """Return the last row of the first sheet's ``<dimension ref="A1:J2000">``, or 0."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    relation = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as archive:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314
        first = book.find(f"{main}sheets/{main}sheet")
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
        target = next(r.get("Target") for r in rels if r.get("Id") == first.get(relation))
        name = target.lstrip("/") if target.startswith("/") else "xl/" + target
        with archive.open(name) as sheet:
            start = sheet.read(4096).decode("utf-8", "replace")
    match = re.search(r'<(?:\w+:)?dimension ref="[A-Z]+\d+:?[A-Z]*(\d*)"', start)
    return int(match.group(1)) if match and match.group(1) else 0


def readable_twice(path: str | Path) -> str | Path:
    """Return ``path``, or for a pipe (``/dev/stdin``, a FIFO) a temporary copy of what it
    holds: a file is read more than once (its encoding, its header, its rows)."""
    try:
        regular = stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return path  # open() will say what is wrong
    if regular:
        return path
    with (
        open(path, "rb") as source,
        tempfile.NamedTemporaryFile(prefix="avis-import.", suffix=".data", delete=False) as copy,
    ):
        shutil.copyfileobj(source, copy)
    _copies.append(copy.name)
    return copy.name


_copies: list[str] = []


@atexit.register
def _remove_copies() -> None:
    for name in _copies:
        with contextlib.suppress(OSError):
            os.unlink(name)
