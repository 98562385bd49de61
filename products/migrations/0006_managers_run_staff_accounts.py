"""Inventory managers run staff accounts in the admin: see, add and change users, see the role groups.

No delete (deactivate instead: events keep the actor's name), no group editing (a role's permissions
are code), and the admin itself keeps superusers and per-user permissions out of a manager's reach.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MANAGER = "Inventory manager"
ACCOUNT_PERMISSIONS = ["view_user", "add_user", "change_user", "view_group"]


def grant(apps, schema_editor):
    config = apps.get_app_config("auth")
    config.models_module = True  # as in 0003: historical app configs lack it
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="auth", codename__in=ACCOUNT_PERMISSIONS)
    for group in Group.objects.filter(name=MANAGER):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="auth", codename__in=ACCOUNT_PERMISSIONS)
    for group in Group.objects.filter(name=MANAGER):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("products", "0005_import_jobs_and_rebuilds")]
    operations = [migrations.RunPython(grant, revoke)]
