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
    stock = GetProductStock(product_id=movement.product_id).execute()
    ran.say(
        request,
        REVERSED.format(
            position=movement.position,
            kind=movement.get_kind_display().lower(),
            quantity=movement.quantity,
            sku=movement.sku,
            on_hand=stock.on_hand,
        ),
    )
    return redirect("product_detail", movement.product_id)


def _page(request, movement, form, status=200):
    context = {
        "movement": movement,
        "form": form,
        "reversible": movement.kind != MovementKind.REVERSAL,
        "undo": -movement.quantity,
    }
    return render(request, "history/reverse.html", context, status=status)
