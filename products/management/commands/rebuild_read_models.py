"""Throw the read models away and replay the whole event log into them."""

import time

from django.core.management.base import BaseCommand

from products.read.replay import rebuild
from products.write.log import Event


class Command(BaseCommand):
    help = "Drop every read-model row and rebuild them by replaying all events (commands wait meanwhile)."

    def handle(self, *args, **options):
        total = Event.objects.count()
        started = time.perf_counter()

        def progress(done):
            self.stdout.write(f"  replayed {done:,}/{total:,} events", ending="\r")
            self.stdout.flush()

        counts = rebuild(progress=progress)
        elapsed = time.perf_counter() - started
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt read models for {counts.products:,} products from {counts.events:,} events "
                f"in {elapsed:.1f} s."
            )
        )
