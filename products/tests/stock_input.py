"""What clerks typed that the stock forms refuse (issue 17 items 1 and 12), and the one message each gets."""

from __future__ import annotations

from products.web.fields import (
    ENTER_NUMBER,
    WHOLE_AT_LEAST,
    WHOLE_AT_MOST,
    WHOLE_DIGITS_ONLY,
    WHOLE_NO_DECIMALS,
    WHOLE_ZERO_OR_MORE,
)
from products.web.forms import COUNT_REQUIRED
from products.write.commands import MAX_QUANTITY

# What clerks typed that the stock forms refused (issue 17 item 1); a count of 0 is a real answer.
BAD_QUANTITY = ["", "0", "-5", "2.5", "1e3", "abc", "99999999999"]
LONG_NOTE = "n" * 501


def refusal(kind: str, typed: str) -> str:
    """The one message a stock form gives for what was typed."""
    what = "count" if kind == "count" else "quantity"
    return {
        "": COUNT_REQUIRED if kind == "count" else ENTER_NUMBER.format(what="quantity"),
        "0": WHOLE_AT_LEAST.format(what=what, low=1),
        "-5": WHOLE_ZERO_OR_MORE.format(what=what) if kind == "count" else WHOLE_AT_LEAST.format(what=what, low=1),
        "2.5": WHOLE_NO_DECIMALS,
        "1e3": WHOLE_DIGITS_ONLY,
        "abc": WHOLE_DIGITS_ONLY,
        "99999999999": WHOLE_AT_MOST.format(what=what, high=MAX_QUANTITY),
    }[typed]
