"""The REST API (DRF): one view per command or query, the same bus and queries as the web UI."""
