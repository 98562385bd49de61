"""python -m bench.soak (make soak): stock commands under faults, then the ledger against what clients were told.

Client threads (HTML forms, htmx, the API direct and queued) hit a real gunicorn (2 workers) that,
with the background worker, reaches PostgreSQL through a private TCP proxy. Meanwhile the proxy
cuts every connection now and then, a gunicorn worker is killed and the background worker too. Each
client sends the same request again (same command_id / Idempotency-Key) on a 503 or a broken
connection. Afterwards, with the database back and the queue drained:

- lost: a command its client was told was done (or queued) that is not in the event log once;
- duplicated: on hand that is not the start plus the accepted movements, or an event nobody sent;
- untrue 503s: "Nothing was saved" from the request that applied the command, or "saved" when it
  was not; every 5xx but a 503 counts as a failure too, and so does a refusal nobody expected.

Run it on a database of its own: it migrates it and adds its users and products.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bench.faults import CuttableProxy, children, kill

if TYPE_CHECKING:
    from bench.soak_clients import Client, Sent

CHANNELS = ["form", "form", "htmx", "htmx", "api", "api", "api", "api"]
USERNAME, PASSWORD = "soak-clerk", "soak-clerk-password"
START_ON_HAND = 500
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Options:
    database: dict  # NAME, USER, PASSWORD, HOST, PORT of the database to use (directly, not through the proxy)
    duration: float = 60.0
    threads: int = 8
    products: int = 6
    port: int = 9050
    proxy_port: int = 9053
    cut_every: float = 6.0  # seconds between connection cuts (each lasts 0.5-2.5 s)
    kill_every: float = 9.0  # seconds between kills of a gunicorn worker, and of the background worker
    seed: int = 1


@dataclass
class Tally:
    cuts: int = 0
    web_worker_kills: int = 0
    task_worker_kills: int = 0
    task_worker_starts: int = 0


class Processes:
    """gunicorn and the background worker, both through the proxy; the worker is started again when it dies."""

    def __init__(self, options: Options, tally: Tally, log_dir: Path):
        db = options.database
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"},
            "DATABASE_URL": f"postgres://{auth}@127.0.0.1:{options.proxy_port}/{db['NAME']}",
            "DJANGO_SETTINGS_MODULE": "cqrs_demo.settings",
            "ENV_FILE": "",
            "CONN_MAX_AGE": "60",
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "soak-secret-key-not-for-production"),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL": "0",
            "STATIC_MANIFEST": "0",
            "LOG_LEVEL": "WARNING",
        }
        self.options, self.tally, self.log_dir = options, tally, log_dir
        self.web = self.worker = None

    def start(self) -> None:
        gunicorn = [sys.executable, "-m", "gunicorn", "cqrs_demo.wsgi:application"]
        gunicorn += ["-b", f"127.0.0.1:{self.options.port}", "-w", "2", "--timeout", "30", "--no-control-socket"]
        self.web = self._spawn(gunicorn, "gunicorn.log")
        self.ensure_worker()

    def ensure_worker(self) -> None:
        if self.worker is None or self.worker.poll() is not None:
            self.worker = self._spawn([sys.executable, "manage.py", "db_worker"], "worker.log")
            self.tally.task_worker_starts += 1

    def kill_web_worker(self, rng) -> None:
        workers = children(self.web.pid)
        if workers and kill(rng.choice(workers)):
            self.tally.web_worker_kills += 1

    def kill_task_worker(self) -> None:
        if self.worker is not None and kill(self.worker.pid):
            self.worker.wait()
            self.tally.task_worker_kills += 1

    def stop(self) -> None:
        for process in (self.web, self.worker):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()

    def _spawn(self, command: list[str], log_name: str) -> subprocess.Popen:
        log = (self.log_dir / log_name).open("a")
        return subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603


def prepare(options: Options) -> tuple[list[str], dict[str, int]]:
    """The soak's clerk and products (each with START_ON_HAND), made through the bus like any others."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from products.read.queries import GetProductStock
    from products.write import bus, roles
    from products.write.commands import CreateProduct, ReceiveStock

    clerk, _ = get_user_model().objects.get_or_create(username=USERNAME)
    clerk.set_password(PASSWORD)
    clerk.save()
    clerk.groups.set([Group.objects.get(name=roles.STOCK_CLERK)])
    tag = datetime.now(UTC).strftime("%H%M%S")
    ids = []
    for number in range(options.products):
        create = CreateProduct(sku=f"SOAK-{tag}-{number}", name=f"Soak {number}", price="1.00")
        bus.dispatch(create)
        bus.dispatch(ReceiveStock(product_id=create.product_id, quantity=START_ON_HAND))
        ids.append(str(create.product_id))
    return ids, {pid: GetProductStock(product_id=pid).execute().on_hand for pid in ids}


def run(options: Options, log=print) -> dict:
    """One soak against options.database (Django set up on it, migrated); returns the report."""
    from bench.soak_clients import Client  # reads the 503 wordings: needs Django set up

    products, initial = prepare(options)
    tally, rng = Tally(), random.Random(options.seed)  # noqa: S311 (fault timing, not security)
    log_dir = Path(os.environ.get("SOAK_LOG_DIR", ROOT / "bench-results" / "soak-logs"))
    log_dir.mkdir(parents=True, exist_ok=True)
    proxy = CuttableProxy(options.proxy_port, (options.database["HOST"] or "127.0.0.1", int(options.database["PORT"])))
    proxy.start()
    processes = Processes(options, tally, log_dir)
    processes.start()
    started = time.time()
    try:
        _wait_until_up(options.port)
        clients = [
            Client(f"http://127.0.0.1:{options.port}", CHANNELS[n % len(CHANNELS)], username=USERNAME,
                   password=PASSWORD, products=products, seed=options.seed * 100 + n)
            for n in range(options.threads)
        ]  # fmt: skip
        deadline = time.time() + options.duration
        stop = threading.Event()
        crashes: list[str] = []
        threads = [
            threading.Thread(target=_drive, args=(c, deadline, rng.random(), crashes), daemon=True) for c in clients
        ]
        faults = threading.Thread(target=_faults, args=(stop, proxy, processes, options, tally, rng), daemon=True)
        for thread in [*threads, faults]:
            thread.start()
        log(f"soak: {options.threads} clients for {options.duration:.0f} s under faults")
        for thread in threads:
            thread.join()
        stop.set()
        faults.join()
        sent = [command for client in clients for command in client.sent]
        log(f"soak: {len(sent)} commands sent; draining the queue")
        _drain(sent, processes)
    finally:
        processes.stop()
        proxy.cut()
    report = check(sent, products, initial, started)
    report["figures"]["client crashes"] = len(crashes)
    report["ok"] = report["ok"] and not crashes
    report.update(
        crashes=crashes, faults=asdict(tally), duration_s=round(time.time() - started, 1), options=_public(options)
    )
    return report


def _drive(client: Client, deadline: float, jitter: float, crashes: list[str]) -> None:
    rng = random.Random(jitter)  # noqa: S311
    try:
        while time.time() < deadline:
            client.send(client.next_command(), pause=lambda: time.sleep(rng.uniform(0.2, 0.6)))
    except Exception as exc:  # noqa: BLE001 (a client that breaks fails the soak, with the reason)
        crashes.append(f"{client.channel}: {exc!r}")


def _faults(stop, proxy, processes: Processes, options: Options, tally: Tally, rng) -> None:
    now = time.time()
    next_cut, next_web_kill, next_task_kill = now + rng.uniform(1, 3), now + options.kill_every / 2, now + 2
    while not stop.wait(0.1):
        processes.ensure_worker()
        now = time.time()
        if now >= next_cut:
            proxy.cut()
            tally.cuts += 1
            stop.wait(rng.uniform(0.5, 2.5))
            proxy.restore()
            next_cut = time.time() + rng.uniform(0.5, 1.5) * options.cut_every
        if now >= next_web_kill:
            processes.kill_web_worker(rng)
            next_web_kill = now + rng.uniform(0.7, 1.3) * options.kill_every
        if now >= next_task_kill:
            processes.kill_task_worker()
            next_task_kill = now + rng.uniform(0.7, 1.3) * options.kill_every


def _wait_until_up(port: int) -> None:
    import urllib.request

    deadline = time.time() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.time() > deadline:
            raise RuntimeError("gunicorn did not come up: see the soak logs")
        time.sleep(0.3)


def _drain(sent: list[Sent], processes: Processes, timeout: float = 120) -> None:
    """Queued commands a killed worker left behind are queued again; then wait for every one to finish."""
    from django.core.management import call_command

    from products.background.submitted import CommandState, SubmittedCommand

    queued = [c.command_id for c in sent if c.channel == "api-async" and c.accepted]
    call_command("requeue_stalled_commands", older_than=0, stdout=io.StringIO())
    deadline = time.time() + timeout
    open_states = [CommandState.QUEUED, CommandState.RUNNING]
    while SubmittedCommand.objects.filter(pk__in=queued, state__in=open_states).exists() and time.time() < deadline:
        processes.ensure_worker()
        time.sleep(0.5)


def check(sent: list[Sent], products: list[str], initial: dict[str, int], started: float) -> dict:
    """Compare the ledger with what the clients were told, and every 503's claim with what happened."""
    from products.background.submitted import CommandState, SubmittedCommand
    from products.read.queries import GetProductStock
    from products.read.verify import verify
    from products.write.aggregates import Product
    from products.write.log import Event

    since = datetime.fromtimestamp(started, UTC)
    events = list(
        Event.objects.filter(stream_id__in=products, occurred_at__gte=since).values("command_id", "occurred_at")
    )
    counted = Counter(str(e["command_id"]) for e in events)
    applied_at = {str(e["command_id"]): e["occurred_at"].timestamp() for e in events}
    by_id = {c.command_id: c for c in sent}
    queued = {
        str(row["command_id"]): row
        for row in SubmittedCommand.objects.filter(pk__in=list(by_id)).values("command_id", "state", "submitted_at")
    }
    figures = Counter()
    expected = dict(initial)
    for command in sent:
        figures[f"sent {command.channel}"] += 1
        figures["attempts"] += len(command.attempts)
        events_of = counted.get(command.command_id, 0)
        refused = command.final is not None and command.final.status == 409
        record = queued.get(command.command_id)
        if command.channel == "api-async" and command.accepted:
            if record is None or record["state"] in (CommandState.QUEUED, CommandState.RUNNING):
                figures["stuck in the queue"] += 1
            refused = record is not None and record["state"] == CommandState.FAILED
        if command.final is None:
            figures["never answered"] += 1
        elif not command.accepted or refused:
            figures["refused"] += 1
            figures["refused but applied"] += events_of
        else:
            figures["accepted"] += 1
            figures["lost"] += events_of == 0
            expected[command.product_id] += command.signed
        figures["duplicated"] += max(0, events_of - 1)
        _judge_attempts(command, applied_at, record, figures)
    figures["duplicated"] += sum(1 for command_id in counted if command_id not in by_id)  # nobody sent it
    for product_id in products:
        actual = GetProductStock(product_id=product_id).execute().on_hand
        written = Product.objects.values_list("on_hand", flat=True).get(pk=product_id)
        figures["on-hand mismatches"] += actual != expected[product_id] or written != expected[product_id]
    figures["verify differences"] = verify().total
    failures = ["lost", "duplicated", "untrue 503s", "other 5xx", "unexpected 4xx", "refused but applied"]
    failures += ["stuck in the queue", "never answered", "on-hand mismatches", "verify differences"]
    ok = all(figures[name] == 0 for name in failures)
    return {"ok": ok, "figures": {name: figures[name] for name in sorted(set(figures) | set(failures))}}


def _judge_attempts(command: Sent, applied_at: dict, record, figures: Counter) -> None:
    """Each 503's claim against the moment its command was applied (or queued): inside its window or not."""
    moment = applied_at.get(command.command_id)
    if command.channel == "api-async":
        moment = record["submitted_at"].timestamp() if record else None  # the 503 is about the submission
    for attempt in command.attempts:
        if attempt.status is None:
            figures["no answer (connection)"] += 1
            continue
        if attempt.status >= 500 and attempt.status != 503:
            figures["other 5xx"] += 1
        if 400 <= attempt.status < 500 and attempt.status != 409:
            figures["unexpected 4xx"] += 1
        if attempt.words:
            figures[f"answered {attempt.words}"] += 1
        if attempt.status != 503:
            continue
        figures[f"503 {attempt.claim}"] += 1
        inside = moment is not None and attempt.started <= moment <= attempt.ended
        untrue = (
            (attempt.claim == "nothing saved" and inside)
            or (attempt.claim == "saved" and (moment is None or moment > attempt.ended))
            or attempt.claim in ("no claim", "other")  # a POST must say what became of it
        )
        figures["untrue 503s"] += untrue
        if attempt.claim == "unknown":
            figures["503 unknown, in fact saved"] += inside


def _public(options: Options) -> dict:
    return {k: v for k, v in asdict(options).items() if k != "database"} | {"database": options.database["NAME"]}


def table(report: dict) -> str:
    lines = [f"{'soak':<28} {'ok' if report['ok'] else 'FAILED'}  ({report['duration_s']} s)"]
    lines += [f"  {name:<26} {value:>8,}" for name, value in report["figures"].items()]
    lines += [f"  {'fault: ' + name:<26} {value:>8,}" for name, value in report["faults"].items()]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="postgres://postgres@127.0.0.1:5432/cqrs_soak", help="its own database")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=9050, help="gunicorn's port")
    parser.add_argument("--proxy-port", type=int, default=9053, help="the cuttable proxy's port")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="bench-results", help="folder for the JSON report")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop gunicorn, the worker and the proxy too
    database = _setup_django(args.db)
    options = Options(database, args.duration, args.threads, port=args.port, proxy_port=args.proxy_port, seed=args.seed)
    report = run(options)
    print(table(report))
    out = Path(args.out)
    out.mkdir(exist_ok=True)
    path = out / f"soak-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    print(f"report: {path}")
    return 0 if report["ok"] else 1


def _setup_django(url: str) -> dict:
    sys.path.insert(0, str(ROOT / "scripts"))
    from pg_database import ensure_database

    print(ensure_database(url))
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="cqrs_demo.settings", ENV_FILE="", DEBUG="0")
    os.environ.setdefault("SECRET_KEY", "soak-secret-key-not-for-production")
    os.environ.update(SECURE_SSL="0", ALLOWED_HOSTS="127.0.0.1", LOG_LEVEL="WARNING")
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    call_command("migrate", verbosity=0)
    return connection.settings_dict


if __name__ == "__main__":
    sys.exit(main())
