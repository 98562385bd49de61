"""POST command views: form -> command -> bus.dispatch -> message -> redirect (PRG).

A refusal goes back onto the form next to its field, with what was typed, and the
status the command layer chose (400 invalid, 409 conflict, 422 a form id already used for
another change); a forbidden command is a 403. Once the bus has returned, the command is
saved: a read after it that fails changes the words of the answer, never its success.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from products.read.queries import GetProduct, GetProductStock, GetStockByLocation
from products.web import stale_edit
from products.web.forms import (
    STOCK_COMMANDS,
    ArchiveForm,
    CreateProductForm,
    EditProductForm,
    RestoreForm,
    StockForm,
)
from products.web.views.common import get_product_or_404, login_required, permissions, wants_fragment
from products.web.views.dispatch import require, run_form
from products.web.views.history import count_kept_moves
from products.web.views.pages import USED_FORM, detail_context
from products.web.views.product_locations import stock_levels
from products.write.commands import ArchiveProduct, CreateProduct, RestoreProduct, UpdateProductDetails

STOCK_DONE = {
    "receive": "Received {quantity:,} × {sku} — on hand now {on_hand:,}.",
    "issue": "Issued {quantity:,} × {sku} — on hand now {on_hand:,}.",
    "count": "Counted {sku}: on hand now {on_hand:,} (was {before:,}).",
}
# Saved, but the new figure could not be read (the database went away right after the commit).
STOCK_DONE_UNREAD = {
    "receive": "Received {quantity:,} × {sku}. The new on-hand figure could not be read just now.",
    "issue": "Issued {quantity:,} × {sku}. The new on-hand figure could not be read just now.",
    "count": "Counted {sku}: {quantity:,} on hand. The new figures could not be read just now.",
}
# The same stock form sent again (a double click, a resend after Back): say what the first send saved, not "Received".
STOCK_ALREADY = {
    "receive": "Already recorded: this receipt of {quantity:,} × {sku} was saved when the form was first sent; "
    "nothing was added now.",
    "issue": "Already recorded: this issue of {quantity:,} × {sku} was saved when the form was first sent; "
    "nothing was taken now.",
    "count": "Already recorded: this count of {sku} ({quantity:,}) was saved when the form was first sent; "
    "nothing was changed now.",
}
ON_HAND_NOW = " On hand now {on_hand:,}."
DATABASE_ERRORS = (OperationalError, InterfaceError)


@login_required
@require_POST
def create_product(request):
    require(CreateProduct, request.user)
    form = CreateProductForm(request.POST)
    ran, status = run_form(request, form, form.to_command)
    if ran:
        command = ran.command
        ran.say(request, f"Created {command.sku} — {command.name}. Receive its first stock below.")
        return redirect("product_detail", command.product_id)
    return render(request, "products/form.html", {"form": form, "product": None}, status=status)


@login_required
@require_POST
def update_product(request, product_id):
    product = get_product_or_404(product_id)
    require(UpdateProductDetails, request.user)
    form = EditProductForm(request.POST)
    ran, status = run_form(request, form, lambda: form.to_command(product.product_id))
    if ran:
        command = ran.command  # a detail left unchanged is None in it: the product keeps its value
        ran.say(request, f"Saved {command.sku or product.sku} — {command.name or product.name}.")
        return redirect("product_detail", product.product_id)
    current = GetProduct(product_id=product_id).execute()
    context = {"form": form, "product": current, "conflict": None, "changes": {}}
    refusal = getattr(form, "refusal", None)
    if refusal is not None:
        # Redrawn on the current version with only this user's changes on top: saving it reverts no one.
        differences = stale_edit.rebase(form, current)
        who = stale_edit.who_changed(refusal, sku=current.sku, username=request.user.get_username())
        form = EditProductForm(form.data)
        form.is_valid()
        form.add_error(None, stale_edit.STALE_EDIT.format(what=who))
        context.update(form=form, conflict=differences, changes={d.name: d for d in differences if d.note})
    return render(request, "products/form.html", context, status=status)


@login_required
@require_POST
def stock(request, product_id, kind):
    if kind not in STOCK_COMMANDS:
        raise Http404("Stock actions are receive, issue and count.")
    product = get_product_or_404(product_id)
    require(STOCK_COMMANDS[kind], request.user)
    form = StockForm(request.POST, kind=kind)
    ran, status = run_form(request, form, lambda: form.to_command(product.product_id))
    fragment = wants_fragment(request)
    if ran:
        if ran.duplicate:
            messages.info(request, _stock_already(kind, ran.command, product))
        else:
            ran.say(request, _stock_done(kind, ran.command, product))
        if not fragment:
            return redirect(f"{reverse('product_detail', args=[product.product_id])}?{USED_FORM}={kind}")
        # Focus stays in the form just used: Enter then repeats that action, never another one.
        response = _stock_fragment(request, product, {}, focus=kind)
        trigger_client_event(response, "stock-changed", {"product_id": str(product.product_id)})
        return response
    if fragment:
        return _stock_fragment(request, product, {kind: form}, status=status)
    context = detail_context(request, product, stock_forms={kind: form})
    return render(request, "products/detail.html", context, status=status)


def _stock_done(kind: str, command, product) -> str:
    """What the clerk reads: with the new on-hand figure, or without it if reading it failed."""
    try:
        level = GetProductStock(product_id=product.product_id).execute()
    except DATABASE_ERRORS:
        return STOCK_DONE_UNREAD[kind].format(quantity=command.quantity, sku=product.sku)
    if kind == "count" and (moved := _at(command) - command.quantity) and command.counted_at:
        return count_kept_moves(command, level, moved)
    return STOCK_DONE[kind].format(
        quantity=command.quantity, sku=level.sku, on_hand=level.on_hand, before=product.on_hand
    )


def _at(command) -> int:
    """What the counted location holds now (the count set it; moves since stay on top)."""
    levels = GetStockByLocation(product_id=command.product_id).execute()
    return next((level.on_hand for level in levels if level.location.upper() == command.location.upper()), 0)


def _stock_already(kind: str, command, product) -> str:
    """A resent form: what the first send saved, and the figure now if it can be read."""
    text = STOCK_ALREADY[kind].format(quantity=command.quantity, sku=product.sku)
    try:
        level = GetProductStock(product_id=product.product_id).execute()
    except DATABASE_ERRORS:
        return text
    return text + ON_HAND_NOW.format(on_hand=level.on_hand)


def _stock_fragment(request, product, bound_forms, status=200, focus=None):
    """The stock forms again (fresh ids, or the failed one with its errors) plus the messages."""
    can = permissions(request.user)
    try:  # the count form remembers the version it shows; unreadable just now, it is a plain count
        shown = GetProductStock(product_id=product.product_id).execute()
    except DATABASE_ERRORS:
        shown = None
    try:
        levels = stock_levels(product)
    except DATABASE_ERRORS:
        levels = ()
    forms = {k: bound_forms.get(k) or StockForm(kind=k, shown=shown, levels=levels) for k in STOCK_COMMANDS if can[k]}
    context = {"product": product, "forms": forms, "can": can, "focus": focus or next(iter(bound_forms), None)}
    return render(request, "products/detail.html#stock-response", context, status=status)


@login_required
@require_POST
def archive_product(request, product_id):
    product = get_product_or_404(product_id)
    require(ArchiveProduct, request.user)
    form = ArchiveForm(request.POST)
    ran, status = run_form(request, form, lambda: form.to_command(product.product_id))
    if ran:
        ran.say(request, f"Archived {product.sku}. Its history stays; it no longer shows in active lists.")
        return redirect("product_detail", product.product_id)
    context = {"product": product, "form": form, "restore_form": RestoreForm() if product.archived else None}
    return render(request, "products/archive.html", context, status=status)


RESTORED = "Restored {sku}. It is back in the active lists and its stock can change again."


@login_required
@require_POST
def restore_product(request, product_id):
    """Un-archive; a refusal (not archived, a reused form) is said above the product page."""
    product = get_product_or_404(product_id)
    require(RestoreProduct, request.user)
    form = RestoreForm(request.POST)
    ran, _ = run_form(request, form, lambda: form.to_command(product.product_id))
    if ran:
        ran.say(request, RESTORED.format(sku=product.sku))
    else:
        messages.error(request, " ".join(form.non_field_errors()) or NOT_RESTORED)
    return redirect("product_detail", product.product_id)


NOT_RESTORED = "Nothing was restored: the form was incomplete. Reload the page and try again."
