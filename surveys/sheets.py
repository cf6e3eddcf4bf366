"""The files an import reads: CSV as spreadsheets save it, and XLSX workbooks.

A CSV file's encoding (UTF-8 with or without byte-order mark, Windows-1252) and separator
(comma, semicolon, tab) are recognised, never guessed: the table says what it read
(:attr:`Table.source`), and a file that cannot be read with confidence is refused with a
message saying how to save it (:data:`HOW_TO_SAVE`). An XLSX workbook is read from its first
sheet; its cells are turned into the text a CSV file would hold (an Excel date into ISO
8601), so that every import checks one kind of row.

Header names are matched without regard to case or surrounding spaces; errors name the
column as the header writes it. The file itself (a pipe copied, its rows counted ahead) is
``surveys.sheet_files``'s.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

from .csvformat import ErrorList
from .i18n import Message, _l
from .sheet_files import CHUNK, ZIP_MAGIC, readable_twice

HOW_TO_SAVE = _l(
    "enregistrez-le depuis Excel par Fichier > Enregistrer sous… > « CSV UTF-8 (délimité par "
    "des virgules) », ou depuis LibreOffice par Enregistrer sous… > « Texte CSV » avec le jeu "
    "de caractères « Unicode (UTF-8) », ou au format Classeur Excel (.xlsx)"
)
SEPARATORS = {",": _l("virgule"), ";": _l("point-virgule"), "\t": _l("tabulation")}
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the .xls of Excel 97-2003

# Characters of a French text saved by Windows: letters, and the punctuation Word and Excel
# put in (apostrophes, quotes, dashes, the euro). Anything else read as Windows-1252 means
# that the file is in another encoding.
_WINDOWS_PUNCTUATION = set("€…‘’“”•–—«»°²³§µ·¿¡ªº½¼¾©®™\xa0")
# UTF-8 read as Windows-1252 shows as « Ã© »: a file mixing both encodings.
_MOJIBAKE = re.compile("[ÂÃ][" + bytes(range(0x80, 0xC0)).decode("cp1252", "ignore") + "]")


def canonical(name: str) -> str:
    """Return the column name the rules use for a header cell (``Site `` is ``site``)."""
    return name.strip().lower()


class Table:
    """Rows of a file: ``header`` (canonical names, None when unreadable), :meth:`lists`.

    ``source`` says how the file was read; the ``errors`` list learns the header's own
    spelling of each column. Line numbers are those the user sees (1 is the header)."""

    source: Message | None = None

    def __init__(self, errors: ErrorList) -> None:
        self.errors = errors
        self.header: list[str] | None = None

    def _set_header(self, cells: list[str]) -> None:
        while cells and not cells[-1].strip():
            cells = cells[:-1]
        self.header = [canonical(cell) for cell in cells]
        self.errors.columns = {canonical(cell): cell.strip() for cell in cells}
        self.errors.source = self.source

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Yield (line number, row as a dict keyed by header) for every data row."""
        header = self.header
        for line, values in self.lists():
            yield line, dict(zip(header, values, strict=True))

    def lists(self) -> Iterator[tuple[int, list[str]]]:
        """Yield (line number, cells in the order of the header) for every data row."""
        raise NotImplementedError

    def _fit(self, line: int, values: list[str], pad: bool) -> list[str] | None:
        """Return ``values`` as wide as the header, or None for an empty row and, after
        recording why, for a row holding filled cells beyond the header (or, unless
        ``pad``, fewer cells than the header: a CSV row cut short)."""
        width = len(self.header)
        if not any(v.strip() for v in values):
            return None
        if any(v.strip() for v in values[width:]) or (len(values) < width and not pad):
            self.errors.add(
                line,
                None,
                _l(
                    "{cells} cellules alors que l'en-tête a {width} colonnes",
                    cells=len(values),
                    width=width,
                ),
            )
            return None
        return values[:width] + [""] * (width - len(values))


def open_table(path: str | Path, errors: ErrorList) -> Table:
    """Return the table of a CSV or XLSX file (recognised by its content, not its name)."""
    path = readable_twice(path)
    with open(path, "rb") as handle:
        start = handle.read(100)
    head = start[:4]
    if head == ZIP_MAGIC and b"opendocument" in start:  # its first member names its type
        errors.add(
            1,
            None,
            _l(
                "ce classeur est au format OpenDocument (.ods), qu'Avis ne lit pas : {how}",
                how=HOW_TO_SAVE,
            ),
        )
        return Table(errors)
    if head == ZIP_MAGIC:
        return XlsxTable(path, errors)
    if head == OLE_MAGIC:
        table = Table(errors)
        errors.add(
            1,
            None,
            _l(
                "ce classeur est au format Excel 97-2003 (.xls), qu'Avis ne lit pas : {how}",
                how=HOW_TO_SAVE,
            ),
        )
        return table
    return CsvTable(path, errors)


class CsvTable(Table):
    """A CSV file read as a stream, in the encoding and with the separator it was saved in.

    Line numbers count physical lines, so a quoted comment spanning lines is reported at
    the line where its row starts."""

    def __init__(self, path: str | Path, errors: ErrorList) -> None:
        super().__init__(errors)
        self.path = path
        encoding = self._encoding()
        if encoding is None:
            return
        self.encoding, encoding_name = encoding
        with open(path, encoding=self.encoding, newline="") as handle:
            first = handle.readline()
        if not first.strip():
            errors.add(1, None, _l("le fichier est vide (une ligne d'en-tête est attendue)"))
            return
        unquoted = re.sub(r'"[^"]*"', "", first)
        found = [sep for sep in SEPARATORS if sep in unquoted]
        if len(found) != 1:
            names = [SEPARATORS[sep] for sep in found]
            if found:
                reason = _l(
                    "la ligne d'en-tête sépare ses colonnes de plusieurs façons ({found}) ; {how}",
                    found=names,
                    how=HOW_TO_SAVE,
                )
            else:
                reason = _l(
                    "la ligne d'en-tête n'a ni virgule, ni point-virgule, ni tabulation "
                    "entre ses colonnes ; {how}",
                    how=HOW_TO_SAVE,
                )
            errors.add(1, None, reason)
            return
        self.delimiter = found[0]
        self.source = _l(
            "séparateur {separator}, encodage {encoding}",
            separator=SEPARATORS[self.delimiter],
            encoding=encoding_name,
        )
        with open(path, encoding=self.encoding, newline="") as handle:
            header = next(csv.reader(handle, delimiter=self.delimiter), [])
        self._set_header(header)

    def _encoding(self) -> tuple[str, Message | str] | None:
        """Return the codec and the name of the file's encoding, or None after an error."""
        with open(self.path, "rb") as handle:
            start = handle.read(4096)
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\0" in start:
            self.errors.add(
                1,
                None,
                _l(
                    "le fichier n'est pas un texte CSV que lit Avis (UTF-16 ou binaire) : {how}",
                    how=HOW_TO_SAVE,
                ),
            )
            return None
        bad_line = self._first_line_not_utf8()
        if start.startswith(codecs.BOM_UTF8):
            if bad_line is None:
                return "utf-8-sig", _l("UTF-8 avec BOM")
            self.errors.add(
                bad_line,
                None,
                _l(
                    "le fichier commence comme un fichier UTF-8 (BOM) mais ne l'est pas à cette "
                    "ligne : {how}",
                    how=HOW_TO_SAVE,
                ),
            )
            return None
        if bad_line is None:
            return "utf-8", "UTF-8"
        return self._windows_1252()

    def _first_line_not_utf8(self) -> int | None:
        """Return the line of the first byte that is not UTF-8, or None: the whole file is."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        lines = 1
        with open(self.path, "rb") as handle:
            for block in iter(lambda: handle.read(CHUNK), b""):
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as error:
                    return lines + block.count(b"\n", 0, error.start)
                lines += block.count(b"\n")
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                return lines
        return None

    def _windows_1252(self) -> tuple[str, str] | None:
        """Return Windows-1252 when every line reads as a French text in it, else None."""
        with open(self.path, "rb") as handle:
            for line, raw in enumerate(handle, start=1):
                if raw.isascii():
                    continue
                try:
                    text = raw.decode("cp1252")
                except UnicodeDecodeError:
                    text = None
                odd = (
                    text is None
                    or _MOJIBAKE.search(text)
                    or any(
                        not (c.isascii() or c.isalpha() or c in _WINDOWS_PUNCTUATION) for c in text
                    )
                )
                if odd:
                    self.errors.add(
                        line,
                        None,
                        _l(
                            "le fichier n'est ni en UTF-8 ni en Windows-1252 : {how}",
                            how=HOW_TO_SAVE,
                        ),
                    )
                    return None
        return "cp1252", "Windows-1252"

    def lists(self) -> Iterator[tuple[int, list[str]]]:
        if self.header is None:
            return
        with open(self.path, encoding=self.encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=self.delimiter)
            line = 1
            try:
                if next(reader, None) is None:
                    return
                line = reader.line_num + 1
                width = len(self.header)
                for values in reader:
                    if len(values) != width or not any(values):
                        values = self._fit(line, values, pad=False)
                    if values is not None:
                        yield line, values
                    line = reader.line_num + 1
            except csv.Error as error:
                self.errors.add(line, None, _l("CSV illisible ({error})", error=str(error)))
            except UnicodeDecodeError:  # the file changed since its encoding was read
                self.errors.add(line, None, _l("le fichier a changé pendant l'import"))


class XlsxTable(Table):
    """The first sheet of an XLSX workbook, read row by row."""

    def __init__(self, path: str | Path, errors: ErrorList) -> None:
        super().__init__(errors)
        from openpyxl import load_workbook  # only when a workbook is imported

        try:
            self.book = load_workbook(path, read_only=True, data_only=True)
            self.sheet = self.book.worksheets[0]
        except Exception as error:  # noqa: BLE001 - any unreadable archive is the same refusal
            name = type(error).__name__
            errors.add(
                1,
                None,
                _l(
                    "le classeur ne peut pas être lu ({error}) : {how}", error=name, how=HOW_TO_SAVE
                ),
            )
            return
        self.source = _l("classeur XLSX, feuille « {sheet} »", sheet=self.sheet.title)
        first = next(self.sheet.iter_rows(max_row=1, values_only=True), None)
        if first is None or not any(cell_text(v).strip() for v in first):
            errors.add(1, None, _l("la feuille est vide (une ligne d'en-tête est attendue)"))
            self.book.close()
            return
        self._set_header([cell_text(v) for v in first])

    def lists(self) -> Iterator[tuple[int, list[str]]]:
        if self.header is None:
            return
        width = len(self.header)
        try:
            for line, cells in enumerate(self.sheet.iter_rows(min_row=2, values_only=True), 2):
                values = [cell_text(v) for v in cells]
                if len(values) != width or not any(values):
                    values = self._fit(line, values, pad=True)
                if values is not None:
                    yield line, values
        finally:
            self.book.close()


def cell_text(value: object) -> str:
    """Return a workbook cell as the text a CSV file would hold: an Excel date and time in
    ISO 8601 (to the second; a date alone when it has no time), 5.0 as ``5``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        # Excel keeps times as fractions of a day: 10:15 may come back as 10:14:59.999999.
        value = (value + timedelta(microseconds=500_000)).replace(microsecond=0)
        if value.time() == time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
