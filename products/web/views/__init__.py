"""Thin views: pages (GET), actions (POST, PRG), partials (htmx fragments), exports, imports, maintenance."""
