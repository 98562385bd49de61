"""Queue again the work a dead worker left behind: commands, imports, rebuilds (each applies once)."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from products.background import expiry, maintenance
from products.background.tasks import requeue_stalled
from products.imports import apply as imports


class Command(BaseCommand):
    help = (
        "Re-queue submitted commands stuck in 'running' for longer than --older-than seconds, and imports and "
        "rebuilds no live worker holds, and start the reservation expiry sweep unless one is queued. "
        "The worker runs it when it starts (entrypoint.sh worker)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=300, help="Seconds (default 300).")

    def handle(self, *args, older_than, **options):
        age = timedelta(seconds=older_than)
        commands = requeue_stalled(age)
        jobs = imports.requeue_stalled(min(age, imports.STALLED_AFTER))  # the age matters on SQLite only
        rebuilds = maintenance.requeue_stalled()
        sweep = "queued" if expiry.schedule_sweep() else "already queued"
        self.stdout.write(
            f"Re-queued {commands} stalled command(s), {jobs} stalled import(s), {rebuilds} stalled rebuild(s); "
            f"reservation expiry sweep {sweep}."
        )
