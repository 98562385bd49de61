"""Faults for tests and the soak: a TCP proxy to PostgreSQL that can cut every connection, and process kills.

The outage is real but private: only the processes that reach PostgreSQL through this proxy lose
it. The shared cluster other people use is never stopped.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
from pathlib import Path


class CuttableProxy:
    """A TCP forwarder to PostgreSQL that can drop every connection and refuse new ones."""

    def __init__(self, listen_port: int, target: tuple[str, int]):
        self.listen_port, self.target = listen_port, target
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.server = None

    def start(self) -> None:
        self.server = socket.create_server(("127.0.0.1", self.listen_port), reuse_port=False)
        threading.Thread(target=self._accept, args=(self.server,), daemon=True).start()

    def cut(self) -> None:
        """The database is gone: close the listener (new connections are refused) and every open link."""
        try:
            self.server.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        except OSError:
            pass
        self.server.close()
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self.sockets.clear()

    restore = start

    def _accept(self, server) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return  # listener closed by cut()
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers under its master), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after its closing parenthesis.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def kill(pid: int) -> bool:
    """SIGKILL: the process gets no chance to finish what it is doing (False if it was already gone)."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    return True
