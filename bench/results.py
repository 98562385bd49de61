"""What a bench run found: rows for the table and the JSON, grouped by section, and the checks."""

from __future__ import annotations


class Results:
    """Rows for the table and the JSON, grouped by section."""

    def __init__(self, meta: dict):
        self.meta = meta
        self.rows: list[dict] = []
        self.checks: list[dict] = []

    def add(self, section: str, name: str, **values) -> dict:
        row = {"section": section, "name": name, **values}
        self.rows.append(row)
        print(f"  {section:<10} {name:<34} " + ", ".join(f"{k}={_short(v)}" for k, v in values.items()), flush=True)
        return row

    def get(self, name: str, section: str | None = None) -> dict:
        """Every value measured under this name (SQL count and HTTP timings share a name), or in one section."""
        merged: dict = {}
        for row in self.rows:
            if row["name"] == name and section in (None, row["section"]):
                merged.update(row)
        return merged

    def check(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append({"name": name, "ok": ok, "detail": detail})
        print(f"  check      {name:<34} {'ok' if ok else 'FAILED'}: {detail}", flush=True)


def _short(value):
    return f"{value:.2f}" if isinstance(value, float) else value
