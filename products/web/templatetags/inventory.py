"""Small presentation helpers shared by the staff pages."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.html import format_html

from products.read.tables import ARCHIVED, OUT_FOR_NEW_ORDERS, STATUS_FILTERS, StockStatus
from products.write import roles

register = template.Library()

# Colour beside the words (never colour alone); the words are the status filter's labels.
BADGE_CSS = {
    StockStatus.IN_STOCK: "text-bg-success",
    StockStatus.LOW: "text-bg-warning",
    StockStatus.OUT: "text-bg-danger",
    ARCHIVED: "text-bg-secondary",
}
BADGES = {key: (STATUS_FILTERS[key], css) for key, css in BADGE_CSS.items()}


def _badge(stock) -> tuple[str, str, str, str]:
    """(key, words, css, quantity): counted on what is free; stock all promised is out for new orders."""
    key = ARCHIVED if stock.archived else stock.status
    label, css = BADGES[key]
    if key == StockStatus.OUT and stock.on_hand > 0:
        label = OUT_FOR_NEW_ORDERS
    quantity = f"{stock.available:,} free of {stock.on_hand:,}" if stock.reserved else f"{stock.on_hand:,}"
    return key, label, css, quantity


@register.inclusion_tag("products/includes/badge.html")
def stock_badge(stock, oob: bool = False):
    """Status in words and colour plus the quantity; works for a summary row or a StockLevel."""
    key, label, css, quantity = _badge(stock)
    return {"stock": stock, "label": label, "css": css, "key": key, "quantity": quantity, "oob": oob}


def stock_badge_html(stock) -> str:
    """The same badge for table cells, without a template render per row."""
    key, label, css, quantity = _badge(stock)
    return format_html(
        '<span id="stock-badge-{}" class="badge stock-badge stock-{} {}" aria-live="polite">{} · {}</span>',
        stock.product_id,
        key,
        css,
        label,
        quantity,
    )


@register.simple_tag
def when(value, relative=None, exact=False):
    """Relative time ("3 minutes ago"), exact on hover; `relative` holds the words' place in cached rows.

    `exact` also shows the exact time below the words, where people compare times (the ledger, the dashboard).
    """
    if not value:
        return ""
    local = timezone.localtime(value)
    words = format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        date_filter(local, "Y-m-d H:i:s T"),
        naturaltime(value) if relative is None else relative,
    )
    if not exact:
        return words
    return format_html('{}<span class="exact-time">{}</span>', words, date_filter(local, "Y-m-d H:i"))


@register.filter
def money(value) -> str:
    """An amount with its currency and thousands separators: "EUR 1,234.50" (settings.CURRENCY; the code in a
    span, so a big figure can set it smaller and wrap after it)."""
    if value is None or value == "":
        return ""
    return format_html('<span class="currency">{}</span>\u00a0{}', settings.CURRENCY, f"{Decimal(value):,.2f}")


COMPACT_UNITS = ((Decimal(1_000_000_000), "bn"), (Decimal(1_000_000), "M"), (Decimal(100_000), "k"))


@register.filter
def money_tile(value) -> str:
    """A dashboard tile's amount under its currency: in full below 100,000, else "4.77 M" with the exact on hover."""
    if value is None or value == "":
        return ""
    amount = Decimal(value)
    currency = format_html('<span class="currency">{}</span>', settings.CURRENCY)
    for size, unit in COMPACT_UNITS:
        if abs(amount) >= size:
            exact = f"{settings.CURRENCY}\u00a0{amount:,.2f}"
            return format_html(
                '{}<abbr class="amount" title="{}" aria-label="{}">{}\u00a0{}</abbr>',
                currency,
                exact,
                exact,
                f"{amount / size:,.2f}",
                unit,
            )
    return format_html('{}<span class="amount">{}</span>', currency, f"{amount:,.2f}")


@register.filter
def signed(value) -> str:
    """+12 / −5 / 0 with thousands separators, for stock changes."""
    number = int(value)
    text = f"{abs(number):,}"
    if number > 0:
        return f"+{text}"
    if number < 0:
        return f"\u2212{text}"
    return text


@register.simple_tag
def user_role(user) -> str:
    """The role shown in the top bar: the strongest staff group the user is in."""
    if user.is_superuser:
        return "Administrator"
    names = {group.name for group in user.groups.all()}  # prefetched with the session user (cqrs_demo.auth)
    for role in (roles.INVENTORY_MANAGER, roles.STOCK_CLERK, roles.VIEWER):
        if role in names:
            return role
    return "No role"
