"""Locations in the staff UI: the per-location stock and Transfer form on a product page, the Locations page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from products.read.projectors.waiting import wait_for_position
from products.read.queries import GetLocation, GetStockByLocation, ListLocations
from products.web.forms import LocationForm, TransferForm
from products.web.views.common import get_product_or_404, login_required, permissions
from products.web.views.dispatch import require, run_form
from products.web.views.pages import detail_context
from products.web.views.product_locations import location_context
from products.write import bus, errors
from products.write.commands import ArchiveLocation, CreateLocation, TransferStock, UpdateLocation

TRANSFER_DONE = "Moved {quantity:,} × {sku} from {source} to {target} — {target} holds {there:,} now."
TRANSFER_DONE_UNREAD = "Moved {quantity:,} × {sku} from {source} to {target}."


@login_required
@require_POST
def transfer_stock(request, product_id):
    product = get_product_or_404(product_id)
    require(TransferStock, request.user)
    form = TransferForm(request.POST)
    ran, status = run_form(request, form, lambda: form.to_command(product.product_id))
    if ran:
        command = ran.command
        words = {"quantity": command.quantity, "sku": product.sku}
        words |= {"source": _code(command.from_location), "target": _code(command.to_location)}
        # Stock per place is projected after the commit: its figure is only said once it includes this move.
        if wait_for_position(ran.position, ["levels"], timeout=settings.READ_YOUR_WRITES_WAIT):
            there = {row.location: row.on_hand for row in GetStockByLocation(product_id=product.product_id).execute()}
            ran.say(request, TRANSFER_DONE.format(there=there.get(words["target"], 0), **words))
        else:
            ran.say(request, TRANSFER_DONE_UNREAD.format(**words))
        return redirect("product_detail", product.product_id)
    context = detail_context(request, product) | location_context(request, product, transfer_form=form)
    return render(request, "products/detail.html", context, status=status)


def _code(typed: str) -> str:
    """The location's code as stored (the clerk may have typed it in another case)."""
    found = GetLocation(code=typed).execute()
    return found.code if found else typed


@login_required
@require_GET
def location_list(request):
    """Every location with its stock and value; managers get the create form."""
    can = permissions(request.user)
    return render(
        request, "products/locations.html", _list_context(can, LocationForm() if can["manage_locations"] else None)
    )


def _list_context(can, form, *, editing=None) -> dict:
    rows = ListLocations(totals=True).execute()
    return {
        "locations": rows,
        "parents": [row for row in rows if not row.parent and not row.archived],
        "form": form,
        "can": can,
        "editing": editing,
    }


@login_required
@require_POST
def location_create(request):
    require(CreateLocation, request.user)
    form = LocationForm(request.POST)
    ran, status = run_form(request, form, form.to_command)
    if ran:
        location = GetLocation(code=ran.command.code).execute()
        ran.say(request, f"Created location {location.path} — {location.name}.")
        return redirect("location_list")
    return render(request, "products/locations.html", _list_context(permissions(request.user), form), status=status)


@login_required
def location_edit(request, code):
    """GET: the edit form; POST: save the name and parent."""
    location = GetLocation(code=code).execute()
    if location is None:
        raise Http404("No such location.")
    can = permissions(request.user)
    if not bus.is_allowed(UpdateLocation, request.user):
        raise PermissionDenied("You do not have permission to edit locations.")
    if request.method != "POST":
        form = LocationForm(initial={"code": location.code, "name": location.name, "parent": location.parent})
        form.fields["code"].disabled = True
        return render(request, "products/location_edit.html", {"form": form, "location": location, "can": can})
    data = request.POST.copy()
    data["code"] = location.code
    form = LocationForm(data)
    form.fields["code"].disabled = True
    form.fields["code"].initial = location.code
    ran, status = run_form(request, form, form.to_update)
    if ran:
        ran.say(request, f"Saved location {location.code}.")
        return redirect("location_list")
    return render(
        request, "products/location_edit.html", {"form": form, "location": location, "can": can}, status=status
    )


@login_required
@require_POST
def location_archive(request, code):
    location = GetLocation(code=code).execute()
    if location is None:
        raise Http404("No such location.")
    require(ArchiveLocation, request.user)
    try:
        bus.dispatch(ArchiveLocation(code=location.code), actor=request.user)
    except errors.DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Archived location {location.code}. Its history stays.")
    return redirect("location_list")
