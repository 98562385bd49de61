"""Turn uploaded bytes into rows: encoding, delimiter and header checks that concern the whole file."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings

MAX_ROWS = 100_000  # the check runs in the upload request: ~10-25 s per 100k rows
DELIMITERS = ",;\t|"

EMPTY_FILE = "The file is empty."
TOO_BIG = "The file is larger than {megabytes} MB; split it into smaller files."
TOO_MANY_ROWS = f"The file has more than {MAX_ROWS:,} rows; split it into smaller files."
NOT_TEXT = "This does not look like a CSV text file (it contains binary data)."
NO_HEADER = "The first row must name the columns."
FALLBACK_NOTICE = "The file is not UTF-8; it was read as {encoding}. Check accented letters in the preview."
MALFORMED = "Row {row}: the CSV is malformed ({error})."


def max_file_bytes() -> int:
    """The one upload limit: settings.MAX_UPLOAD_BYTES, which the request-size middleware enforces too."""
    return settings.MAX_UPLOAD_BYTES


def max_file_megabytes() -> int:
    return max_file_bytes() // (1024 * 1024)


class FileProblem(ValueError):
    """The file as a whole cannot be imported; the message says how to fix it."""


@dataclass(frozen=True)
class Columns:
    """Which columns a kind of import needs and accepts."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def accepted(self) -> tuple[str, ...]:
        return self.required + self.optional


@dataclass
class ParsedFile:
    """Decoded text plus what was learnt about it; `rows()` streams the records."""

    text: str
    encoding: str
    delimiter: str
    header: list[str]
    notices: list[str] = field(default_factory=list)

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(row number, {column: value}) for each non-blank record; row 1 is the header."""
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter, strict=True)
        try:
            next(reader)
            for index, record in enumerate(reader, start=2):
                if not any(cell.strip() for cell in record):
                    continue
                if index - 1 > MAX_ROWS:
                    raise FileProblem(TOO_MANY_ROWS)
                values = {name: (record[i] if i < len(record) else "") for i, name in enumerate(self.header)}
                if len(record) > len(self.header) and any(cell.strip() for cell in record[len(self.header) :]):
                    values[EXTRA_CELLS] = "yes"
                yield index, values
        except csv.Error as exc:
            raise FileProblem(MALFORMED.format(row=reader.line_num, error=exc)) from exc


EXTRA_CELLS = "__extra__"


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def decode(content: bytes) -> tuple[str, str, list[str]]:
    """UTF-8 (with or without a BOM) first; otherwise Windows-1252, the usual spreadsheet export."""
    if not content.strip():
        raise FileProblem(EMPTY_FILE)
    if b"\x00" in content[:8192]:
        raise FileProblem(NOT_TEXT)
    if content.startswith(codecs.BOM_UTF8):
        return content[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig", []
    try:
        return content.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    try:
        text, encoding = content.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined; latin-1 maps every byte
        text, encoding = content.decode("latin-1"), "latin-1"
    return text, encoding, [FALLBACK_NOTICE.format(encoding=encoding)]


def sniff_delimiter(text: str) -> str:
    """Comma unless the header clearly uses ; tab or | (European spreadsheets export with ;)."""
    first_line = text.lstrip().split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first_line, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def normalise(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def parse(content: bytes, columns: Columns) -> ParsedFile:
    """Decode, find the delimiter, check the header; raises FileProblem with every header problem at once."""
    if len(content) > max_file_bytes():
        raise FileProblem(TOO_BIG.format(megabytes=max_file_megabytes()))
    text, encoding, notices = decode(content)
    delimiter = sniff_delimiter(text)
    try:
        header_row = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except (StopIteration, csv.Error) as exc:
        raise FileProblem(NO_HEADER) from exc
    header = [normalise(name) for name in header_row]
    while header and not header[-1]:  # spreadsheets often leave a trailing delimiter
        header.pop()
    problems = header_problems(header, columns)
    if problems:
        raise FileProblem(" ".join(problems))
    return ParsedFile(text=text, encoding=encoding, delimiter=delimiter, header=header, notices=notices)


def header_problems(header: list[str], columns: Columns) -> list[str]:
    if not any(header):
        return [NO_HEADER]
    problems = []
    seen: set[str] = set()
    duplicates = [name for name in header if name and (name in seen or seen.add(name))]
    if duplicates:
        problems.append(f"Column {', '.join(sorted(set(duplicates)))} appears more than once.")
    missing = [name for name in columns.required if name not in header]
    if missing:
        problems.append(f"Missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}.")
    unknown = [name or "(blank)" for name in header if name not in columns.accepted]
    if unknown:
        problems.append(f"Unknown column{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}.")
    if problems:
        problems.append(
            f"Expected the columns {', '.join(columns.required)}"
            + (f" and optionally {', '.join(columns.optional)}." if columns.optional else ".")
        )
    return problems
