"""Numbers as clerks type them: a decimal comma is read, anything ambiguous is refused, one message each."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms

from products.web import fields
from products.web.forms import CreateProductForm
from products.write.commands import MAX_PRICE


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("12,50", "12.50"), ("12.50", "12.50"), ("12.5", "12.50"), ("12,5", "12.50"), ("1250", "1250.00"), ("0", "0.00")],
)
def test_price_reads_a_decimal_point_or_comma(typed, amount):
    assert fields.parse_price(typed, MAX_PRICE) == Decimal(amount)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1,250.00", fields.PRICE_SEPARATORS),
        ("1.250,00", fields.PRICE_SEPARATORS),
        ("1,250", fields.PRICE_SEPARATORS),
        ("1 250,5.0", fields.PRICE_SEPARATORS),
        ("1.255", fields.PRICE_CENTS),
        ("12,505", fields.PRICE_SEPARATORS),
        ("-1", fields.PRICE_NEGATIVE),
        ("abc", fields.PRICE_NOT_A_NUMBER),
        ("1e3", fields.PRICE_NOT_A_NUMBER),
        ("99999999999999", fields.PRICE_AT_MOST.format(high=MAX_PRICE)),
    ],
)
def test_price_refuses_what_it_would_have_to_guess_at(typed, message):
    with pytest.raises(forms.ValidationError) as refused:
        fields.parse_price(typed, MAX_PRICE)
    assert refused.value.messages == [message]


def test_the_price_limit_is_written_with_separators():
    assert "9,999,999,999.99" in fields.PRICE_AT_MOST.format(high=MAX_PRICE)


@pytest.mark.parametrize(("typed", "number"), [("12", 12), ("1,000", 1000), (" 7 ", 7), ("+3", 3)])
def test_whole_numbers_accept_thousands_commas(typed, number):
    assert fields.WholeNumberField(what="quantity", low=1, high=10_000).clean(typed) == number


def test_product_form_has_no_maxlength_and_states_each_limit():
    form = CreateProductForm()
    html = str(form["name"]) + str(form["sku"]) + str(form["description"])
    assert "maxlength" not in html
    assert form.fields["name"].help_text == fields.LENGTH_HINT.format(limit=200)
    assert 'inputmode="decimal"' in str(form["price"]) and 'type="text"' in str(form["price"])


def test_invalid_product_form_focuses_its_first_problem_not_the_sku():
    data = {"sku": "OK-1", "name": "", "price": "12,50", "reorder_level": "x", "command_id": "x", "product_id": "y"}
    form = CreateProductForm(data)
    assert not form.is_valid()
    assert form.focus_name == "name"
    assert "autofocus" not in str(form["sku"]) and "autofocus" in str(form["name"])
    assert form.errors["reorder_level"] == [fields.WHOLE_DIGITS_ONLY]
