"""Django admin: staff accounts for managers; the write model, events and read models to look at only.

Every change to products goes through the command bus, so the admin never edits them: it
would bypass the events and leave the read models disagreeing with the write model.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group

from products.background.submitted import SubmittedCommand
from products.read.tables import InventoryStats, ProductSummary, StockMovementEntry
from products.write.aggregates import Product
from products.write.log import Event
from products.write.roles import ROLE_PERMISSIONS

User = get_user_model()

# What a manager may set on an account; superuser status and per-user permissions stay with superusers.
MANAGER_FIELDSETS = (
    (None, {"fields": ("username", "password")}),
    ("Personal info", {"fields": ("first_name", "last_name", "email")}),
    ("Role", {"fields": ("is_active", "is_staff", "groups")}),
    ("Important dates", {"fields": ("last_login", "date_joined")}),
)


class StaffUserAdmin(UserAdmin):
    """Managers run staff accounts and roles, but cannot touch superusers or grant themselves more."""

    def _limited(self, request) -> bool:
        return not request.user.is_superuser

    def get_queryset(self, request):
        users = super().get_queryset(request)
        return users.filter(is_superuser=False) if self._limited(request) else users

    def get_fieldsets(self, request, obj=None):
        if obj is not None and self._limited(request):
            return MANAGER_FIELDSETS
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if self._limited(request):
            return ("last_login", "date_joined")
        return super().get_readonly_fields(request, obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and self._limited(request):
            kwargs["queryset"] = Group.objects.filter(name__in=ROLE_PERMISSIONS)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Look, never touch: no add, change or delete for anyone, superusers included."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ("sku", "name", "price", "on_hand", "reorder_level", "archived", "version", "updated_at")
    list_filter = ("archived",)
    search_fields = ("sku", "name")


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("position", "type", "stream_id", "stream_version", "actor", "occurred_at")
    list_filter = ("type",)
    search_fields = ("=stream_id", "=command_id", "actor")


@admin.register(ProductSummary)
class ProductSummaryAdmin(ReadOnlyAdmin):
    list_display = ("sku", "name", "on_hand", "status", "archived", "version", "updated_at")
    list_filter = ("status", "archived")
    search_fields = ("sku", "name")


@admin.register(StockMovementEntry)
class StockMovementEntryAdmin(ReadOnlyAdmin):
    list_display = ("position", "sku", "kind", "quantity", "on_hand_after", "actor", "occurred_at")
    list_filter = ("kind",)
    search_fields = ("sku", "=product_id")


@admin.register(InventoryStats)
class InventoryStatsAdmin(ReadOnlyAdmin):
    list_display = ("shard", "last_position")


@admin.register(SubmittedCommand)
class SubmittedCommandAdmin(ReadOnlyAdmin):
    list_display = ("command_id", "command_type", "state", "actor_name", "attempts", "submitted_at", "finished_at")
    list_filter = ("state", "command_type")
