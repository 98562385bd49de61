"""Template tags of the web UI, registered by name in TEMPLATES OPTIONS libraries (cqrs_demo/settings.py)."""
