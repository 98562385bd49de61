"""Keep the checkpointed projectors at the head of the event log (beside db_worker)."""

from django.core.management.base import BaseCommand, CommandError

from products.background.projector_worker import ProjectorWorker
from products.read.projectors import PROJECTORS
from products.read.projectors.runner import BATCH


class Command(BaseCommand):
    help = (
        "Run the projectors (ledger, stock per location) until stopped: woken by NOTIFY on PostgreSQL, "
        "polling on SQLite; one active instance per projector on PostgreSQL (advisory locks)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--projector", action="append", choices=sorted(PROJECTORS), help="Only these.")
        parser.add_argument("--batch", type=int, default=BATCH, help=f"Events per transaction (default {BATCH}).")
        parser.add_argument(
            "--poll", type=float, help="Seconds between looks when idle (default 5 on PostgreSQL, 0.1 on SQLite)."
        )
        parser.add_argument(
            "--pause", type=float, default=0.0, help="Seconds each batch waits before committing (slows it on purpose)."
        )
        parser.add_argument("--once", action="store_true", help="Catch up to the head, then exit.")
        parser.add_argument(
            "--no-election",
            action="store_true",
            help="Run even beside an active instance (tests: the checkpoint lock alone keeps it exactly-once).",
        )

    def handle(self, *args, projector, batch, poll, pause, once, no_election, **options):
        if batch < 1:
            raise CommandError("--batch must be at least 1.")
        worker = ProjectorWorker(projector, batch=batch, poll=poll, pause=pause, elect=not no_election, say=self._say)
        worker.run(once=once)

    def _say(self, text: str) -> None:
        self.stdout.write(f"[run_projectors] {text}")
        self.stdout.flush()
