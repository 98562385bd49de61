"""`make test`'s two passes share the width x DEBUG matrix out: every cell runs once, each pass both widths."""

from __future__ import annotations

import pytest

from products.tests.e2e.conftest import UI_CELLS, sweep_variants, ui_variants


def cells(params) -> list:
    return [param.values[0] for param in params]


def test_the_two_halves_make_the_whole_matrix_once():
    debug, production = cells(ui_variants("debug")), cells(ui_variants("production"))
    assert sorted(debug + production) == sorted(UI_CELLS.values())
    assert all(is_debug for _, is_debug in debug) and not any(is_debug for _, is_debug in production)
    assert cells(ui_variants("all")) == list(UI_CELLS.values())


def test_a_sweep_takes_one_cell_per_pass_and_both_widths_and_debug_values_overall():
    both = cells(sweep_variants("debug")) + cells(sweep_variants("production"))
    assert {width for width, _ in both} == {1280, 768} and {debug for _, debug in both} == {True, False}
    assert cells(sweep_variants("all")) == both


def test_an_unknown_matrix_name_is_refused():
    with pytest.raises(pytest.UsageError, match="UI_MATRIX='most'"):
        ui_variants("most")
