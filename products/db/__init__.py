"""Hand-built SQL and uses of Django internals, kept in one room for their measured speed.

What each module leans on, to re-check on every Django upgrade (tests/db/test_internals.py
fails when one of these changes, and on a new Django version until someone has re-checked):

- rowsql.py (the command path, ~2x): Model.from_db(alias, None, values); Field.get_db_prep_save /
  get_db_prep_value; Field.get_col(table) with connection.ops.get_db_converters and
  Col.get_db_converters, so values read back equal the ORM's; ops.quote_name, ops.for_update_sql,
  features.has_select_for_update.
- bulk.py (seeding and rebuilds): the PostgreSQL cursor's copy_expert under Django's cursor wrapper;
  _meta.concrete_fields order = column order; pg_index / pg_constraint for deferred indexes.
- instances.py (seeding, rebuilds, the command's before-rows, ~5x): an instance keeps its field
  values in __dict__ by attname plus a ModelState in _state.
- auth.py (the user load, ~3x): ModelBackend's _get_permissions(user_obj, obj, from_name) and its
  _user_perm_cache / _group_perm_cache / _perm_cache attributes; a related manager's queryset
  served from _prefetched_objects_cache with _result_cache / _prefetch_done set.
"""
