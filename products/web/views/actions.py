"""POST command views: form -> command -> bus.dispatch -> message -> redirect (PRG).

A refusal goes back onto the form next to its field, with what was typed, and the
status the command layer chose (400 invalid, 409 conflict); a forbidden command is a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from products.read.queries import GetProduct, GetProductStock
from products.web.forms import STOCK_COMMANDS, ArchiveForm, CreateProductForm, EditProductForm, StockForm
from products.web.views.common import get_product_or_404, login_required, permissions, wants_fragment
from products.web.views.pages import detail_context
from products.write import bus, errors
from products.write.commands import ArchiveProduct, CreateProduct, UpdateProductDetails

STOCK_DONE = {
    "receive": "Received {quantity:,} × {sku} — on hand now {on_hand:,}.",
    "issue": "Issued {quantity:,} × {sku} — on hand now {on_hand:,}.",
    "count": "Counted {sku}: on hand now {on_hand:,} (was {before:,}).",
}


def _require(command_class, user) -> None:
    """Refuse early with a 403 page; bus.dispatch checks the same rule again."""
    try:
        bus.authorise(command_class, user)
    except errors.PermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc


def _run(request, form, build):
    """Dispatch the form's command; return (command, None) or (None, status) with the errors on the form."""
    if not form.is_valid():
        return None, 400
    try:
        command = build()
        bus.dispatch(command, actor=request.user)
    except errors.PermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc
    except errors.DomainError as exc:
        form.add_domain_error(exc)
        return None, exc.status
    return command, None


@login_required
@require_POST
def create_product(request):
    _require(CreateProduct, request.user)
    form = CreateProductForm(request.POST)
    command, status = _run(request, form, form.to_command)
    if command:
        messages.success(request, f"Created {command.sku} — {command.name}. Receive its first stock below.")
        return redirect("product_detail", command.product_id)
    return render(request, "products/form.html", {"form": form, "product": None}, status=status)


@login_required
@require_POST
def update_product(request, product_id):
    product = get_product_or_404(product_id)
    _require(UpdateProductDetails, request.user)
    form = EditProductForm(request.POST)
    command, status = _run(request, form, lambda: form.to_command(product.product_id))
    if command:
        messages.success(request, f"Saved {command.sku} — {command.name}.")
        return redirect("product_detail", product.product_id)
    current = GetProduct(product_id=product_id).execute()
    conflict = status == 409 and form.errors.get("__all__") and current.version != form.cleaned_data.get("version")
    if conflict:
        # Show what is there now; the next submit is an informed choice, based on the current version.
        form.data = form.data.copy()
        form.data["version"] = str(current.version)
    context = {"form": form, "product": current, "conflict": current if conflict else None}
    return render(request, "products/form.html", context, status=status)


@login_required
@require_POST
def stock(request, product_id, kind):
    if kind not in STOCK_COMMANDS:
        raise Http404("Stock actions are receive, issue and count.")
    product = get_product_or_404(product_id)
    _require(STOCK_COMMANDS[kind], request.user)
    form = StockForm(request.POST, kind=kind)
    command, status = _run(request, form, lambda: form.to_command(product.product_id))
    fragment = wants_fragment(request)
    if command:
        level = GetProductStock(product_id=product.product_id).execute()
        messages.success(
            request,
            STOCK_DONE[kind].format(
                quantity=command.quantity, sku=level.sku, on_hand=level.on_hand, before=product.on_hand
            ),
        )
        if not fragment:
            return redirect("product_detail", product.product_id)
        response = _stock_fragment(request, product, {})
        trigger_client_event(response, "stock-changed", {"product_id": str(product.product_id)})
        return response
    if fragment:
        return _stock_fragment(request, product, {kind: form}, status=status)
    context = detail_context(request, product, stock_forms={kind: form})
    return render(request, "products/detail.html", context, status=status)


def _stock_fragment(request, product, bound_forms, status=200):
    """The stock forms again (fresh ids, or the failed one with its errors) plus the messages."""
    can = permissions(request.user)
    forms = {k: bound_forms.get(k) or StockForm(kind=k) for k in STOCK_COMMANDS if can[k]}
    context = {"product": product, "forms": forms, "can": can, "focus": next(iter(bound_forms), None)}
    return render(request, "products/detail.html#stock-response", context, status=status)


@login_required
@require_POST
def archive_product(request, product_id):
    product = get_product_or_404(product_id)
    _require(ArchiveProduct, request.user)
    form = ArchiveForm(request.POST)
    command, status = _run(request, form, lambda: form.to_command(product.product_id))
    if command:
        messages.success(request, f"Archived {product.sku}. Its history stays; it no longer shows in active lists.")
        return redirect("product_detail", product.product_id)
    return render(request, "products/archive.html", {"product": product, "form": form}, status=status)
