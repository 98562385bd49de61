"""Orchestrates one bench run: database, seed, scenarios, report (python -m bench --help)."""

from __future__ import annotations

import argparse
import os
import sys
import time

from bench.scales import DEFAULT_SCALE, database_name


def configure(db_url: str) -> None:
    """Environment for Django in this process (and, via os.environ, for the servers it starts)."""
    os.environ["DATABASE_URL"] = db_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECURE_SSL", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", type=int, default=DEFAULT_SCALE, help="products to seed (default 1,000,000)")
    parser.add_argument("--movements-per-product", type=float, default=5, help="average movements per product")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument(
        "--db",
        default="cqrs_bench",
        help="database name, so runs side by side never share one (a scale suffix is added below 1M)",
    )
    parser.add_argument("--port", type=int, default=9103, help="first of two loopback ports for servers")
    parser.add_argument(
        "--duration", type=float, default=None, help="seconds per load run (default 10; 2 below 100k products)"
    )
    parser.add_argument("--reseed", action="store_true", help="drop the bench database and seed again")
    parser.add_argument("--seed-only", action="store_true", help="seed (or check the seed) and stop")
    parser.add_argument("--skip", action="append", default=[], help="skip a section (repeatable): http, rebuild, ...")
    parser.add_argument("--out", default="bench-results", help="folder for the JSON results")
    parser.add_argument("--session-for", metavar="USER", help="print a session cookie for USER and stop")
    parser.add_argument(
        "--profile",
        choices=("floor", "first-visit", "repeat-visit", "fresh-rows"),
        help="seed if needed, then print pyinstrument's profile of 50 requests of that page (in-process) and stop",
    )
    args = parser.parse_args(argv)
    if args.duration is None:
        args.duration = 10 if args.scale >= 100_000 else 2
    return args


def prepare(args, log=print):
    """Create/seed the database for args.scale; returns (db_url, SeedInfo)."""
    import dj_database_url

    db_url = f"{args.pg}/{database_name(args.db, args.scale)}"
    parts = dj_database_url.parse(db_url)
    from bench import database

    if args.reseed:
        database.drop_database(parts)
    database.ensure_database(parts)
    configure(db_url)
    info = database.recorded_seed(args.scale, args.movements_per_product)
    if info is None:
        log(f"Seeding {args.scale:,} products into {parts['NAME']} …")
        info = database.seed(args.scale, args.movements_per_product, log=log)
        log(f"Seeded {info.products:,} products, {info.movements:,} movements in {info.seconds:.1f} s")
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # a database seeded before a migration gets it (e.g. MAIN's stock)
        log(
            f"Reusing {parts['NAME']}: {info.products:,} products, {info.movements:,} movements "
            f"(seeded in {info.seconds:.1f} s; --reseed to seed again, e.g. stock across {database.BINS} bins)"
        )
    return db_url, info


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    if args.session_for:
        configure(f"{args.pg}/{database_name(args.db, args.scale)}")
        from bench.inprocess import client_for

        print(client_for(args.session_for).cookies["sessionid"].value)
        return 0
    db_url, seed_info = prepare(args)
    if args.seed_only:
        return 0
    if args.profile:
        from django.core.management import call_command

        from bench.pages import profile

        call_command("collectstatic", interactive=False, verbosity=0)  # pages render with DEBUG off (manifest)
        print(profile(args.profile))
        return 0
    from bench.suite import run_suite

    results = run_suite(args, db_url, seed_info)
    from bench.report import print_table, write_json

    path = write_json(results, args.out)
    print_table(results)
    print(f"\nResults: {path} (whole run {time.perf_counter() - started:.0f} s)")
    return 0 if results.get("ok", True) else 1


if __name__ == "__main__":
    sys.exit(main())
