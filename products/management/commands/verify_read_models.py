"""Prove the read models equal a fresh replay of the log and agree with the write model."""

import time

from django.core.management.base import BaseCommand, CommandError

from products.read.projectors import catch_up_all
from products.read.verify import verify


class Command(BaseCommand):
    help = (
        "Catch the projectors up, then replay all events in memory and compare with the live read models "
        "and the write model."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        catch_up_all()  # what a projector has not reached yet is lag, not a difference
        differences = verify()
        elapsed = time.perf_counter() - started
        if differences.total:
            for line in differences:
                self.stderr.write(f"  {line}")
            if differences.total > len(differences):
                self.stderr.write(f"  ... and {differences.total - len(differences):,} more")
            raise CommandError(
                f"{differences.total:,} difference(s) found after replaying {differences.events:,} events."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Read models match a replay of {differences.events:,} events ({elapsed:.1f} s).")
        )
