"""The soak's clients: a clerk at the HTML forms (plain and htmx) and a script on the API (direct and queued).

Each sends stock commands and, on a 503 or a broken connection, sends the very same request again
(same command_id / Idempotency-Key) until it gets an answer that is final. Every attempt is kept,
with when it was sent and answered and what a 503 claimed, so the soak can check each claim
against the event log afterwards.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.cookiejar import CookieJar

from cqrs_demo import resilience

# What a 503 claims about the request's own change (resilience.py words them).
CLAIMS = {
    "database_unavailable": "nothing saved",
    "outcome_unknown": "unknown",
    "saved_reply_incomplete": "saved",
}
TEXT_CLAIMS = [
    (resilience.SAVED_PAGE, "saved"),
    (resilience.OUTCOME_UNKNOWN, "unknown"),
    (resilience.DATABASE_UNAVAILABLE, "nothing saved"),
    (resilience.UNREACHABLE, "no claim"),
]
FINAL = {200, 201, 202, 204, 302, 409}
MAX_ATTEMPTS = 200
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Attempt:
    started: float
    ended: float
    status: int | None  # None: no answer (connection refused, reset, timed out)
    claim: str | None = None  # what a 503 said about this request's change
    error: str = ""
    words: str = ""  # what a page said of a success: "already recorded", "total unread" (saved, figure not read)


@dataclass
class Sent:
    """One stock command as the client meant it, and every attempt to get it answered."""

    command_id: str
    channel: str  # form, htmx, api, api-async
    kind: str  # receive, issue
    product_id: str
    quantity: int
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def final(self) -> Attempt | None:
        last = self.attempts[-1] if self.attempts else None
        return last if last is not None and last.status in FINAL else None

    @property
    def accepted(self) -> bool:
        return self.final is not None and self.final.status != 409

    @property
    def signed(self) -> int:
        return self.quantity if self.kind == "receive" else -self.quantity


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is the answer itself (Post/Redirect/Get)


class Http:
    """urllib with a cookie jar, no redirects and every HTTP status returned rather than raised."""

    def __init__(self, base: str):
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def call(self, method: str, path: str, *, form=None, body=None, headers=None, timeout=30):
        data, sent = None, dict(headers or {})
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=sent)  # noqa: S310
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def cookie(self, name: str) -> str:
        return next(c.value for c in self.jar if c.name == name)


def claim_of(status: int, headers: dict, text: str) -> str | None:
    if status != 503:
        return None
    if headers.get("Content-Type", "").startswith("application/json"):
        return CLAIMS.get(json.loads(text).get("code"), "other")
    return next((claim for words, claim in TEXT_CLAIMS if words in text), "other")


def words_of(text: str) -> str:
    """How a page worded a success it could only partly show (web/views/actions.py)."""
    if "Already recorded" in text:
        return "already recorded"
    if "could not be read just now" in text:
        return "total unread"
    return ""


class Client:
    """One thread's worth of commands on one channel; `send` retries one command until its answer is final."""

    def __init__(self, base: str, channel: str, *, username: str, password: str, products: list[str], seed: int):
        self.http, self.channel, self.products = Http(base), channel, products
        self.random = random.Random(seed)  # noqa: S311 (load mix, not security)
        self.sent: list[Sent] = []
        self.headers: dict[str, str] = {}
        if channel in ("form", "htmx"):
            status, _, page = self.http.call("GET", "/accounts/login/")
            token = CSRF_FIELD.search(page).group(1)
            form = {"username": username, "password": password, "csrfmiddlewaretoken": token}
            status, _, _ = self.http.call("POST", "/accounts/login/", form=form, headers={"Referer": base})
            if status != 302:
                raise RuntimeError(f"logging in as {username} answered {status}")
            self.csrf = self.http.cookie("csrftoken")
        else:
            status, _, answer = self.http.call(
                "POST", "/api/auth/token/", body={"username": username, "password": password}
            )
            if status != 200:
                raise RuntimeError(f"the API token for {username} answered {status}")
            self.headers = {"Authorization": f"Token {json.loads(answer)['token']}"}

    def next_command(self) -> Sent:
        kind = "receive" if self.random.random() < 0.65 else "issue"
        channel = self.channel
        if channel == "api" and self.random.random() < 0.25:
            channel = "api-async"
        return Sent(str(uuid.uuid4()), channel, kind, self.random.choice(self.products), self.random.randint(1, 5))

    def send(self, command: Sent, *, pause) -> None:
        self.sent.append(command)
        path = f"/products/{command.product_id}/stock/{command.kind}/"
        while len(command.attempts) < MAX_ATTEMPTS:
            started = time.time()
            try:
                if command.channel in ("form", "htmx"):
                    form = {"csrfmiddlewaretoken": self.csrf, "command_id": command.command_id}
                    form |= {"quantity": command.quantity, "note": "soak"}
                    headers = {"HX-Request": "true"} if command.channel == "htmx" else {}
                    status, headers, text = self.http.call("POST", path, form=form, headers=headers)
                else:
                    headers = {**self.headers, "Idempotency-Key": command.command_id}
                    if command.channel == "api-async":
                        headers["Prefer"] = "respond-async"
                    body = {"quantity": command.quantity, "note": "soak"}
                    status, headers, text = self.http.call("POST", f"/api{path}", body=body, headers=headers)
            except (OSError, http.client.HTTPException) as error:  # refused, reset, cut short: no answer, no claim
                command.attempts.append(Attempt(started, time.time(), None, error=type(error).__name__))
                pause()
                continue
            attempt = Attempt(started, time.time(), status, claim_of(status, headers, text))
            command.attempts.append(attempt)
            if status == 302:
                text = self._read_flash(headers.get("Location", ""))
            if status in (200, 302):
                attempt.words = words_of(text)
            if status in FINAL or 400 <= status < 500:
                return
            pause()

    def _read_flash(self, location: str) -> str:
        """Follow the redirect as a browser would, so the flash messages leave the cookie (else it overflows)."""
        try:
            return self.http.call("GET", urllib.parse.urlsplit(location).path or "/")[2]
        except (OSError, http.client.HTTPException):
            return ""
