"""Hypothesis strategies for hostile input: what a confused user, a broken script or an attacker sends."""

from __future__ import annotations

import json
import uuid

from hypothesis import strategies as st

# Fragments that would run or break something if echoed unescaped or glued into SQL.
HTML_FRAGMENTS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</textarea><svg onload=alert(1)>",
    "<a href='javascript:alert(1)'>x</a>",
]
OTHER_FRAGMENTS = [
    "'; DROP TABLE products_product; --",
    "1 OR 1=1",
    "{{ 7|add:7 }}{% debug %}",
    "\u202egnp.exe",  # RTL override
    "👩‍👩‍👧‍👦🚀",
    "a\x00b",
    "\x00",
    "\ud7ff\ue000\uffff",
    " ",
    "١٢٣",  # Arabic-Indic digits
    "１２",  # full-width digits
]

nasty_text = st.one_of(
    st.text(max_size=80),
    st.sampled_from(HTML_FRAGMENTS + OTHER_FRAGMENTS),
    st.just(""),
    st.integers(min_value=199, max_value=10_001).map(lambda n: "x" * n),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20),
)

nasty_number = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.integers(min_value=-5, max_value=50).map(str),
    st.decimals(allow_nan=True, allow_infinity=True, places=None).map(str),
    st.floats().map(str),
    st.sampled_from(["", "0", "-0", "1e309", "1e3", "NaN", "-inf", "0x10", "1,000", "1_000", "12.345", "0.001"]),
    nasty_text,
)

nasty_value = st.one_of(nasty_text, nasty_number)


def form_data(fields: dict[str, st.SearchStrategy]) -> st.SearchStrategy[dict]:
    """A form body: each field present, missing, or sent twice with two different values."""

    def one(strategy):
        return st.one_of(strategy, strategy, st.none(), st.lists(strategy, min_size=2, max_size=2))

    return st.fixed_dictionaries({name: one(strategy) for name, strategy in fields.items()}).map(
        lambda data: {k: v for k, v in data.items() if v is not None}
    )


json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    nasty_text,
    nasty_number,
)
json_value = st.one_of(
    json_scalar, st.lists(json_scalar, max_size=3), st.dictionaries(st.text(max_size=5), json_scalar)
)


def json_body(fields: list[str]) -> st.SearchStrategy[str]:
    """A JSON body as sent on the wire: right fields with wrong types, missing or duplicated keys, or not an object."""
    as_object = st.fixed_dictionaries({}, optional={name: json_value for name in fields}).map(json.dumps)
    duplicated = st.tuples(st.sampled_from(fields), json_value, json_value).map(
        lambda t: f'{{"{t[0]}": {json.dumps(t[1])}, "{t[0]}": {json.dumps(t[2])}}}'
    )
    not_an_object = st.one_of(json_value.map(json.dumps), st.sampled_from(["", "{", "[1,", '{"a":}', "nul"]))
    return st.one_of(as_object, as_object, as_object, duplicated, not_an_object)


uuids = st.one_of(st.uuids().map(str), st.just(str(uuid.UUID(int=0))), nasty_text)
