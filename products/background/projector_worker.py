"""The projector worker (`manage.py run_projectors`): keeps each projector at the head of the log.

One active instance per projector: on PostgreSQL the worker holds a session advisory lock per
projector it runs (another worker waits as a standby and takes over when the holder's connection
drops); it sleeps on LISTEN until a command's NOTIFY arrives (or the poll interval passes). SQLite
has no advisory locks or NOTIFY: run one worker per file there; it polls. Exactly-once does not rest
on the lock: every batch locks its checkpoint row and starts from what is committed there.
"""

from __future__ import annotations

import logging
import select
import signal
import time
import uuid
from collections.abc import Callable, Iterable

from django.db import InterfaceError, OperationalError, connection

from products.read import checkpoints
from products.read.projectors import PROJECTORS, run_batch
from products.write.log import CHANNEL, Event

logger = logging.getLogger(__name__)

LOCK_NAMESPACE = "projector"


def lock_key(name: str) -> int:
    """The advisory lock key of one projector (64 bits of a hash of its name)."""
    return int.from_bytes(uuid.uuid5(uuid.NAMESPACE_OID, f"{LOCK_NAMESPACE}:{name}").bytes[:8], "big", signed=True)


class ProjectorWorker:
    """Runs the named projectors until stopped.

    `pause` seconds before each batch commits slow it on purpose, and `elect=False` runs without the advisory
    lock (both for tests: two unelected workers racing must still apply every event once).
    """

    def __init__(
        self,
        names: Iterable[str] | None = None,
        *,
        batch: int,
        poll: float | None = None,
        pause: float = 0.0,
        elect: bool = True,
        say: Callable[[str], None] = logger.info,
    ):
        self.names = list(names or PROJECTORS)
        self.batch = batch
        # PostgreSQL wakes it by NOTIFY (the poll is a safety net); SQLite has only the poll.
        self.poll = poll if poll is not None else (5.0 if connection.vendor == "postgresql" else 0.1)
        self.pause = pause
        self.elect = elect
        self.say = say
        self.held: set[str] = set()
        self.listening_on = None  # the raw connection LISTEN was sent on
        self.stopping = False

    def stop(self, *_):
        self.stopping = True

    def run(self, *, once: bool = False) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        while not self.stopping:
            try:
                self._session()
                moved = self._work()
                if once:
                    if not moved:
                        return
                    continue
                if not moved:
                    self._wait()
            except (OperationalError, InterfaceError) as exc:
                self.say(f"database unavailable ({exc}); retrying")
                self._reset()
                time.sleep(1)
        self.say("stopped")

    def _work(self) -> int:
        """One batch of each projector this worker holds that is behind; returns log rows moved past."""
        moved = 0
        last = Event.objects.order_by("-position").values_list("position", flat=True).first() or 0
        at = checkpoints.positions()
        for name in sorted(self.held):
            if at.get(name, 0) >= last:
                continue  # nothing new: no transaction (SQLite's would take the write lock)
            done = run_batch(PROJECTORS[name], limit=self.batch, pause=self.pause)
            if done is None:
                continue  # stopped on a bad event: recorded on its checkpoint, the others go on
            moved += done
        return moved

    def _session(self) -> None:
        """Hold what this worker may run, and listen, on the current connection (again after a reconnect)."""
        connection.ensure_connection()
        if self.listening_on is not connection.connection:
            self.held.clear()
            self.listening_on = connection.connection
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"LISTEN {CHANNEL}")
        for name in self.names:
            if name not in self.held and self._take(name):
                self.held.add(name)
                self.say(f"projector {name}: active")

    def _take(self, name: str) -> bool:
        if connection.vendor != "postgresql" or not self.elect:
            return True
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock_key(name)])
            return cursor.fetchone()[0]

    def _wait(self) -> None:
        """Until a NOTIFY arrives or `poll` seconds pass (SQLite: just the poll)."""
        raw = connection.connection
        if connection.vendor != "postgresql":
            time.sleep(self.poll)
            return
        if not raw.notifies:
            select.select([raw], [], [], self.poll)
            raw.poll()
        raw.notifies.clear()

    def _reset(self) -> None:
        self.held.clear()
        self.listening_on = None
        try:
            connection.close()
        except (OperationalError, InterfaceError):
            pass
