"""Django's ModelBackend, loading a user with their groups and permissions in one query.

The query and the cache filling live in products/db/auth.py. Nothing outlives the request: a
removed role or a deactivated account counts from the very next request. (This class keeps
its dotted path: sessions store it, and a new path would log every user out.)
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from products.db.auth import remember_access, with_access


class OneQueryModelBackend(ModelBackend):
    """ModelBackend whose session user arrives with permissions and groups already loaded."""

    def get_user(self, user_id):
        return self._user_from(list(with_access(user_id)))

    async def aget_user(self, user_id):
        return self._user_from([row async for row in with_access(user_id)])

    def _user_from(self, rows):
        if not rows or not self.user_can_authenticate(rows[0]):
            return None
        user = rows[0]
        remember_access(user, rows)
        return user

    def _get_permissions(self, user_obj, obj, from_name):
        """A user loaded elsewhere (API token, worker): both permission sets in one query, not two."""
        if self._needs_loading(user_obj, obj, from_name):
            remember_access(user_obj, list(with_access(user_obj.pk, user_obj._state.db)))
        return super()._get_permissions(user_obj, obj, from_name)

    async def _aget_permissions(self, user_obj, obj, from_name):
        if self._needs_loading(user_obj, obj, from_name):
            remember_access(user_obj, [row async for row in with_access(user_obj.pk, user_obj._state.db)])
        return await super()._aget_permissions(user_obj, obj, from_name)

    @staticmethod
    def _needs_loading(user_obj, obj, from_name) -> bool:
        return (
            obj is None
            and user_obj.is_active
            and not user_obj.is_anonymous
            and not user_obj.is_superuser
            and not hasattr(user_obj, f"_{from_name}_perm_cache")
        )
