"""Hand-built SQL and uses of Django internals, kept in one room for their speed (see UPGRADING in README)."""
