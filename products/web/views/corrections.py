"""Reversing a movement: a confirm page with a required reason (works without JavaScript), then PRG."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render

from products.read.queries import GetProductStock, GetStockMovement
from products.read.tables import MovementKind
from products.web.history_forms import ReverseForm
from products.web.views.common import login_required
from products.web.views.dispatch import require, run_form
from products.write.commands import ReverseMovement

REVERSED = "Reversed #{position} ({kind} {quantity:+,} × {sku}) — on hand now {on_hand:,}."
MOVED_BACK = "Reversed #{position} (moved {moved:,} × {sku} back from {source} to {target})."


def _movement_or_404(position: int):
    movement = GetStockMovement(position=position).execute()
    if movement is None:
        raise Http404("No such movement.")
    return movement


@login_required
def reverse_movement(request, position):
    """GET: what will be undone and a reason field; POST: reverse it and go back to the product."""
    movement = _movement_or_404(position)
    require(ReverseMovement, request.user)
    if request.method != "POST":
        return _page(request, movement, ReverseForm())
    form = ReverseForm(request.POST)
    ran, status = run_form(request, form, lambda: form.to_command(movement.position))
    if ran is None:
        return _page(request, movement, form, status=status)
    ran.say(request, _what_happened(movement))
    return redirect("product_detail", movement.product_id)


def _what_happened(movement) -> str:
    if movement.kind == MovementKind.TRANSFERRED:  # the total stays: say where the stock went
        return MOVED_BACK.format(
            position=movement.position,
            moved=movement.moved,
            sku=movement.sku,
            source=movement.to_location,
            target=movement.location,
        )
    stock = GetProductStock(product_id=movement.product_id).execute()
    return REVERSED.format(
        position=movement.position,
        kind=movement.get_kind_display().lower(),
        quantity=movement.quantity,
        sku=movement.sku,
        on_hand=stock.on_hand,
    )


def _page(request, movement, form, status=200):
    context = {
        "movement": movement,
        "form": form,
        "reversible": movement.kind != MovementKind.REVERSAL,
        "undo": -movement.quantity,
        "transfer": movement.kind == MovementKind.TRANSFERRED,
    }
    return render(request, "history/reverse.html", context, status=status)
