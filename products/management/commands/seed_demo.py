"""Fill the database with a realistic demo catalogue and the four demo users."""

import time

from django.core.management.base import BaseCommand, CommandError

from products.seeding import BIN_CODES, create_demo_users, seed_catalogue
from products.write.aggregates import Product


class Command(BaseCommand):
    help = "Seed demo users and a demo catalogue (bulk path; verify_read_models accepts the result)."

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=500, help="How many products to add (default 500).")
        parser.add_argument(
            "--movements-per-product", type=float, default=4, help="Average stock movements per product."
        )
        parser.add_argument("--seed", type=int, default=42, help="Random seed, for repeatable catalogues.")
        parser.add_argument(
            "--bins", type=int, default=12, help="Bins inside MAIN to spread stock over (default 12; 0: all at MAIN)."
        )
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if any product exists already.")
        parser.add_argument("--no-users", action="store_true", help="Skip the demo users.")

    def handle(self, *args, products, movements_per_product, seed, bins, if_empty, no_users, **options):
        if products < 0:
            raise CommandError("--products must be 0 or more.")
        if not 0 <= bins <= len(BIN_CODES):
            raise CommandError(f"--bins must be from 0 to {len(BIN_CODES)}.")
        if not no_users:
            made = create_demo_users()
            if made:
                self.stdout.write(f"Demo users created: {', '.join(made)} (password = username).")
        if if_empty and Product.objects.exists():
            self.stdout.write("Products exist already; catalogue not seeded.")
            return
        started = time.perf_counter()

        def progress(done, events):
            self.stdout.write(f"  {done:,}/{products:,} products, {events:,} events", ending="\r")
            self.stdout.flush()

        made, events = seed_catalogue(products, movements_per_product, seed=seed, progress=progress, bins=bins)
        elapsed = time.perf_counter() - started
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Seeded {made:,} products and {events:,} events in {elapsed:.1f} s."))
