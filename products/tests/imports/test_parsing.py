"""File-level checks: encodings, delimiters, headers; a file that cannot be read never becomes a job."""

from __future__ import annotations

import codecs
import re

import pytest

from products.imports.parsing import (
    EMPTY_FILE,
    FALLBACK_NOTICE,
    NOT_TEXT,
    TOO_MANY_ROWS,
    FileProblem,
    parse,
)
from products.imports.rows import COUNT_COLUMNS, PRODUCT_COLUMNS

from .conftest import csv_bytes


def rows_of(content: bytes, columns=PRODUCT_COLUMNS):
    return list(parse(content, columns).rows())


def test_utf8_with_and_without_bom_read_the_same():
    plain = csv_bytes("sku,name,price", "A-1,Crème brûlée,1.00")
    parsed = parse(codecs.BOM_UTF8 + plain, PRODUCT_COLUMNS)
    assert parsed.encoding == "utf-8-sig" and parsed.notices == []
    assert list(parsed.rows()) == rows_of(plain) == [(2, {"sku": "A-1", "name": "Crème brûlée", "price": "1.00"})]


def test_windows_1252_falls_back_with_a_notice():
    parsed = parse(csv_bytes("sku,name,price", "A-1,Café – grand,1.00", encoding="cp1252"), PRODUCT_COLUMNS)
    assert parsed.encoding == "cp1252"
    assert parsed.notices == [FALLBACK_NOTICE.format(encoding="cp1252")]
    assert next(parsed.rows())[1]["name"] == "Café – grand"


def test_bytes_undefined_in_cp1252_fall_back_to_latin1():
    parsed = parse(b"sku,name,price\nA-1,Odd \x81 byte,1\n", PRODUCT_COLUMNS)
    assert parsed.encoding == "latin-1" and parsed.notices


@pytest.mark.parametrize("delimiter", [";", "\t", "|", ","])
def test_delimiter_is_sniffed_from_the_header(delimiter):
    content = csv_bytes(delimiter.join(["sku", "name", "price"]), delimiter.join(["A-1", "Widget, blue", "1.50"]))
    if delimiter == ",":
        content = csv_bytes("sku,name,price", 'A-1,"Widget, blue",1.50')
    parsed = parse(content, PRODUCT_COLUMNS)
    assert parsed.delimiter == delimiter
    assert next(parsed.rows())[1] == {"sku": "A-1", "name": "Widget, blue", "price": "1.50"}


def test_header_names_are_forgiving_about_case_spaces_and_a_trailing_delimiter():
    parsed = parse(csv_bytes(" SKU ,Name,Price,Reorder Level,", "A-1,W,1,3,"), PRODUCT_COLUMNS)
    assert parsed.header == ["sku", "name", "price", "reorder_level"]


def test_crlf_line_endings_and_quoted_newlines():
    content = csv_bytes("sku,name,price,description", 'A-1,W,1,"two\r\nlines"', "A-2,X,2,", newline="\r\n")
    rows = rows_of(content)
    assert [number for number, _ in rows] == [2, 3]
    assert rows[0][1]["description"] == "two\r\nlines"


def test_blank_rows_are_skipped_but_row_numbers_stay_those_of_the_spreadsheet():
    assert [n for n, _ in rows_of(csv_bytes("sku,name,price", "A-1,W,1", ",,", "", "A-2,X,2"))] == [2, 5]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("sku,name", "Missing column: price."),
        ("sku", "Missing columns: name, price."),
        ("sku,name,price,colour", "Unknown column: colour."),
        ("sku,name,price,sku", "Column sku appears more than once."),
        ("sku,name,price,,colour", "Unknown columns: (blank), colour."),
    ],
)
def test_header_problems_name_the_columns(header, expected):
    with pytest.raises(FileProblem) as caught:
        parse(csv_bytes(header, "A-1,W,1"), PRODUCT_COLUMNS)
    assert expected in str(caught.value)
    assert "Expected the columns sku, name, price and optionally description, reorder_level, quantity." in str(
        caught.value
    )


def test_count_files_have_their_own_columns():
    with pytest.raises(FileProblem, match="Missing column: quantity"):
        parse(csv_bytes("sku,name,price", "A-1,W,1"), COUNT_COLUMNS)


@pytest.mark.parametrize(
    ("content", "message"), [(b"", EMPTY_FILE), (b" \n\n", EMPTY_FILE), (b"PK\x03\x04\x00\x00", NOT_TEXT)]
)
def test_empty_and_binary_files_are_refused(content, message):
    with pytest.raises(FileProblem, match=re.escape(message)):
        parse(content, PRODUCT_COLUMNS)


def test_malformed_quoting_names_the_row():
    with pytest.raises(FileProblem, match=r"Row \d+: the CSV is malformed"):
        rows_of(csv_bytes("sku,name,price", 'A-1,"unterminated,1'))


def test_too_many_rows(monkeypatch):
    monkeypatch.setattr("products.imports.parsing.MAX_ROWS", 3)
    with pytest.raises(FileProblem, match=TOO_MANY_ROWS.split(" rows")[0]):
        rows_of(csv_bytes("sku,name,price", *[f"A-{n},W,1" for n in range(5)]))
