"""Reservation pages and actions: reserve on the product page, release and fulfil, the Reservations page.

Actions follow actions.py: form -> command -> bus -> message -> redirect (PRG); a refusal goes back
next to its field on the product page with what was typed, and the status the command layer chose.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from products.read.queries import GetProductStock, GetReservation, InvalidQuery, ListReservations
from products.web.reservation_forms import FulfilForm, ReleaseForm, ReserveForm
from products.web.views.common import get_product_or_404, login_required
from products.web.views.dispatch import require, run_form
from products.web.views.pages import detail_context
from products.web.views.reservation_panel import reservation_context, reservation_rows
from products.write.commands import FulfilReservation, ReleaseReservation, ReserveStock

RESERVED = "Reserved {quantity:,} × {sku} for {reference} — {free:,} free for new orders now."
RELEASED = "Released {reference}: {sku} has {free:,} free for new orders now."
FULFILLED = "Fulfilled {quantity:,} × {sku} for {reference} — on hand now {on_hand:,}{rest}."
STILL_RESERVED = ", {rest:,} still reserved for it"
RESERVATIONS_PAGE_SIZE = 50


def _reservation_or_404(reservation_id):
    entry = GetReservation(reservation_id=reservation_id).execute()
    if entry is None:
        raise Http404("No such reservation.")
    return entry


def _back(request, product_id):
    """Where the action was pressed: the `next` it sent (this site only), else the product page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(f"{reverse('product_detail', args=[product_id])}#reservations")


def _free(product_id) -> int:
    return GetProductStock(product_id=product_id).execute().available


def _product_page(request, product, status, **forms):
    context = detail_context(request, product) | reservation_context(request, product, **forms)
    return render(request, "products/detail.html", context, status=status)


@login_required
@require_POST
def reserve(request, product_id):
    product = get_product_or_404(product_id)
    require(ReserveStock, request.user)
    form = ReserveForm(request.POST)
    ran, status = run_form(request, form, lambda: form.to_command(product.product_id))
    if not ran:
        return _product_page(request, product, status, reserve_form=form)
    command = ran.command
    free = _free(product.product_id)
    ran.say(
        request, RESERVED.format(quantity=command.quantity, sku=product.sku, reference=command.reference, free=free)
    )
    return redirect(f"{reverse('product_detail', args=[product.product_id])}#reservations")


@login_required
@require_POST
def release(request, reservation_id):
    entry = _reservation_or_404(reservation_id)
    require(ReleaseReservation, request.user)
    form = ReleaseForm(request.POST)
    ran, _ = run_form(request, form, lambda: form.to_command(entry.reservation_id))
    if not ran:
        messages.error(request, " ".join(form.non_field_errors()) or "Nothing was released.")
        return _back(request, entry.product_id)
    free = _free(entry.product_id)
    ran.say(request, RELEASED.format(reference=entry.reference, sku=entry.sku, free=free))
    return _back(request, entry.product_id)


@login_required
@require_POST
def fulfil(request, reservation_id):
    entry = _reservation_or_404(reservation_id)
    require(FulfilReservation, request.user)
    form = FulfilForm(request.POST, reservation_id=entry.reservation_id)
    ran, status = run_form(request, form, lambda: form.to_command(entry.reservation_id))
    if not ran:
        product = get_product_or_404(entry.product_id)
        return _product_page(request, product, status, fulfil_forms={entry.reservation_id: form})
    now = _reservation_or_404(reservation_id)
    taken = ran.command.quantity or entry.rest
    stock = GetProductStock(product_id=entry.product_id).execute()
    rest = STILL_RESERVED.format(rest=now.rest) if now.rest else ""
    text = FULFILLED.format(quantity=taken, sku=entry.sku, reference=entry.reference, on_hand=stock.on_hand, rest=rest)
    ran.say(request, text)
    return _back(request, entry.product_id)


@login_required
@require_GET
def reservation_list(request):
    """Open reservations, oldest first; `reference` filters, `after` pages on."""
    reference = request.GET.get("reference", "").strip()
    problem = None
    try:
        page = ListReservations(
            reference=reference, after=request.GET.get("after") or None, page_size=RESERVATIONS_PAGE_SIZE
        ).execute()
    except InvalidQuery as exc:
        problem = str(exc)
        page = ListReservations(reference=reference, page_size=RESERVATIONS_PAGE_SIZE).execute()
    next_query, first_query = request.GET.copy(), QueryDict(mutable=True)
    if page.next_cursor:
        next_query["after"] = page.next_cursor
    if reference:
        first_query["reference"] = reference
    context = {
        "reference": reference,
        "rows": reservation_rows(request.user, page.rows),
        "next_url": f"?{next_query.urlencode()}" if page.next_cursor else None,
        "first_url": f"?{first_query.urlencode()}",
        "paged": bool(request.GET.get("after")),
        "problem": problem,
        "here": request.get_full_path(),
    }
    return render(request, "products/reservations.html", context)
