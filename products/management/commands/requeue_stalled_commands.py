"""Queue again the commands a dead worker left running (safe: each applies once)."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from products.tasks import requeue_stalled


class Command(BaseCommand):
    help = "Re-queue submitted commands stuck in 'running' longer than --older-than seconds."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=300, help="Seconds (default 300).")

    def handle(self, *args, older_than, **options):
        count = requeue_stalled(timedelta(seconds=older_than))
        self.stdout.write(f"Re-queued {count} stalled command(s).")
