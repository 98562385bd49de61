"""The downloadable problem report: each problem with the row it is about, as the file had it."""

from __future__ import annotations

from collections.abc import Iterator

from products.imports.models import ImportIssue, ImportJob
from products.imports.parsing import parse
from products.imports.rows import COLUMNS
from products.web.exports import csv_lines


def issue_lines(job: ImportJob) -> Iterator[str]:
    """Streams: row, column, problem, when, then the row's original cells (fix them, upload again)."""
    parsed = parse(bytes(job.content), COLUMNS[job.kind])
    header = ("row", "column", "problem", "found", *parsed.header)

    def rows():
        records = parsed.rows()
        current: tuple[int, dict] = (0, {})
        found = (
            ImportIssue.objects.filter(job=job)
            .order_by("row_number", "id")
            .values_list("row_number", "column", "message", "phase")
            .iterator(chunk_size=2000)
        )
        for number, column, message, phase in found:
            while current[0] < number:
                current = next(records, (number + 1, {}))
            values = current[1] if current[0] == number else {}
            when = "while applying" if phase == "apply" else "by the check"
            yield (number, column, message, when, *(values.get(name, "") for name in parsed.header))

    return csv_lines(header, rows())


def with_found_values(job: ImportJob, issues) -> list[ImportIssue]:
    """The shown problems, each with `found_value`: its cell as the file has it (read up to the last one's row)."""
    issues = list(issues)
    if not issues:
        return issues
    parsed = parse(bytes(job.content), COLUMNS[job.kind])
    wanted = {issue.row_number for issue in issues}
    last = max(wanted)
    cells: dict[int, dict] = {}
    for number, values in parsed.rows():
        if number in wanted:
            cells[number] = values
        if number >= last:
            break
    for issue in issues:
        issue.found_value = cells.get(issue.row_number, {}).get(issue.column, "")
    return issues
