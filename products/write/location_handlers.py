"""Handlers of the location commands: create, edit and archive warehouses and bins."""

from __future__ import annotations

from django.db.models import Sum

from products.write import errors
from products.write.aggregates import Location, LocationStock
from products.write.commands import ArchiveLocation, CreateLocation, UpdateLocation
from products.write.events import DEFAULT_LOCATION, LocationArchived, LocationCreated, LocationEvent, LocationUpdated
from products.write.unit_of_work import UnitOfWork, find_location


def create_location(command: CreateLocation, work: UnitOfWork) -> list[LocationEvent]:
    if find_location(command.code, share=False) is not None:
        raise errors.DuplicateLocation(errors.DuplicateLocation.MESSAGE.format(code=command.code), field="code")
    parent = _parent(command.parent) if command.parent else None
    location = Location(
        id=command.target, code=command.code, name=command.name, parent=parent, created_at=work.now, updated_at=work.now
    )
    work.add_location(location)
    return [LocationCreated(location_id=location.id, code=location.code, name=location.name, parent=_code(parent))]


def update_location(command: UpdateLocation, work: UnitOfWork) -> list[LocationEvent]:
    location = work.load_location(command.code)
    if location.archived:
        message = errors.LocationArchived.CHANGE_MESSAGE.format(code=location.code)
        raise errors.LocationArchived(message, field="code")
    name = location.name if command.name is None else command.name
    parent = location.parent
    if command.parent == "":
        parent = None
    elif command.parent is not None:
        if command.parent.upper() == location.code.upper():
            raise errors.LocationNesting(errors.LocationNesting.ITSELF, field="parent")
        parent = _parent(command.parent)
        if _active_children(location):
            message = errors.LocationNesting.HAS_BINS.format(code=location.code)
            raise errors.LocationNesting(message, field="parent")
    if name == location.name and _code(parent) == _code(location.parent):
        return []
    location.name, location.parent = name, parent
    return [LocationUpdated(location_id=location.id, code=location.code, name=name, parent=_code(parent))]


def archive_location(command: ArchiveLocation, work: UnitOfWork) -> list[LocationEvent]:
    """Refused while it holds stock or active bins; stock commands hold it FOR SHARE, so none slips in."""
    if command.code.upper() == DEFAULT_LOCATION:
        raise errors.MainLocationFixed(errors.MainLocationFixed.MESSAGE.format(code=DEFAULT_LOCATION), field="code")
    location = work.load_location(command.code)
    if location.archived:
        return []
    on_hand = LocationStock.objects.filter(location=location).aggregate(total=Sum("on_hand"))["total"] or 0
    if on_hand:
        message = errors.LocationNotEmpty.MESSAGE.format(code=location.code, on_hand=on_hand)
        raise errors.LocationNotEmpty(message, field="code")
    if children := _active_children(location):
        message = errors.LocationHasBins.MESSAGE.format(code=location.code, children=", ".join(children))
        raise errors.LocationHasBins(message, field="code")
    location.archived = True
    return [LocationArchived(location_id=location.id, code=location.code)]


def _parent(code: str) -> Location:
    """The active, top-level location that is to hold another (held FOR SHARE, so it is not archived meanwhile)."""
    parent = find_location(code, share=True)
    if parent is None:
        raise errors.LocationNotFound(errors.LocationNotFound.MESSAGE.format(code=code), field="parent")
    if parent.archived:
        raise errors.LocationArchived(errors.LocationArchived.MESSAGE.format(code=parent.code), field="parent")
    if parent.parent_id is not None:
        message = errors.LocationNesting.PARENT_IS_A_BIN.format(parent=parent.code, grandparent=parent.parent.code)
        raise errors.LocationNesting(message, field="parent")
    return parent


def _active_children(location: Location) -> list[str]:
    return list(
        Location.objects.filter(parent=location, archived=False).order_by("code").values_list("code", flat=True)
    )


def _code(location: Location | None) -> str | None:
    return None if location is None else location.code
