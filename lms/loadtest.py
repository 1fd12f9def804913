"""Load testing of the live seminar room: synthetic participants and a WebSocket client.

Capacity-planning tooling behind the ``seminar_participants`` and ``loadtest_seminar``
commands and ``bench/seminar.py``; never called by the site itself.

Synthetic participants are real accounts (``seminar-load-<event>-<n>@load.invalid``,
no usable password) with a registration created directly with status "registered":
a load test has to fill the room whatever the event's capacity, and nobody behind
these accounts gives consent, so the registration service (capacity, waiting list,
consent, e-mails) is deliberately bypassed. Their sessions are ordinary Django
sessions, so the servers under test authenticate them like anyone else.

The client half (:func:`fanout`, :func:`reconnect_storm`) needs no Django: the
benchmark also points it at a bare ``websockets`` broadcast server.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import time
from dataclasses import dataclass, field
from importlib import import_module
from urllib.parse import urlsplit

LOAD_DOMAIN = "load.invalid"
MODERATOR_EMAIL = f"seminar-load-moderator@{LOAD_DOMAIN}"


# --- synthetic participants (Django) ---------------------------------------------------


def participant_email(event_id: int, number: int) -> str:
    return f"seminar-load-{event_id}-{number}@{LOAD_DOMAIN}"


def session_create(user) -> str:
    """A signed-in session for ``user``, as ``django.contrib.auth.login`` would store it."""
    from django.conf import settings

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.save()
    return store.session_key


def cookie_line(session_key: str) -> str:
    from django.conf import settings

    return f"{settings.SESSION_COOKIE_NAME}={session_key}"


def load_participants_create(*, event_id: int, count: int) -> list[str]:
    """Make ``count`` synthetic participants registered for the event; their session keys.

    Existing synthetic users and registrations are reused, so running it again for the
    same event adds no people, only fresh sessions.
    """
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from core.models import User
    from lms.models import EventPage, EventRegistration, RegistrationStatus

    event = EventPage.objects.get(pk=event_id)
    emails = [participant_email(event_id, number) for number in range(1, count + 1)]
    with transaction.atomic():
        User.objects.bulk_create(
            [
                User(
                    email=email,
                    last_name="Нагрузка",
                    first_name=f"Участник {number}",
                    password=make_password(None),
                )
                for number, email in enumerate(emails, start=1)
            ],
            ignore_conflicts=True,
        )
        users = sorted(User.objects.filter(email__in=emails), key=lambda u: emails.index(u.email))
        now = timezone.now()
        EventRegistration.objects.bulk_create(
            [
                EventRegistration(
                    event=event,
                    user=user,
                    status=RegistrationStatus.REGISTERED,
                    queued_at=now,
                    status_changed_at=now,
                )
                for user in users
            ],
            ignore_conflicts=True,
        )
        EventRegistration.objects.filter(event=event, user__in=users).exclude(
            status=RegistrationStatus.REGISTERED
        ).update(status=RegistrationStatus.REGISTERED, status_changed_at=now)
    return [session_create(user) for user in users]


def load_moderator_session(*, email: str = MODERATOR_EMAIL) -> str:
    """A session of a synthetic moderator (``lms.moderate_seminar``), created if missing."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Permission

    from core.models import User

    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "last_name": "Нагрузка",
            "first_name": "Модератор",
            "password": make_password(None),
        },
    )
    if created or not user.has_perm("lms.moderate_seminar"):
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="lms", codename="moderate_seminar")
        )
    return session_create(user)


def room_refusal(event_id: int) -> str | None:
    """Why participants cannot enter the event's room right now, or ``None``."""
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    from lms.models import EventPage
    from lms.services.seminars import room_is_read_only

    event = EventPage.objects.live().filter(pk=event_id).first()
    if event is None:
        return f"no published event with id {event_id}"
    if not event.is_online:
        return f"event {event_id} is not an online event"
    opens = event.start - dt.timedelta(minutes=settings.PORTAL_SEMINAR_OPENS_BEFORE)
    if timezone.now() < opens:
        return f"the room of event {event_id} opens for participants at {opens:%Y-%m-%d %H:%M %Z}"
    if room_is_read_only(event):
        return f"event {event_id} is over or cancelled: its chat is read-only"
    return None


# --- the WebSocket client (no Django) ----------------------------------------------------


def seminar_url(url: str, event_id: int) -> str:
    """``ws://host:port`` → the room's URL; a URL that already names a room is kept."""
    if "/ws/seminars/" in url:
        return url
    return f"{url.rstrip('/')}/ws/seminars/{event_id}/"


def origin_of(url: str) -> str:
    """The ``Origin`` a browser on the same site would send (AllowedHostsOriginValidator)."""
    parts = urlsplit(url)
    return f"{'https' if parts.scheme == 'wss' else 'http'}://{parts.netloc}"


async def _open(url: str, cookie: str | None, *, after: int | None = None, deflate: bool = False):
    from websockets.asyncio.client import connect

    if after is not None:
        url = f"{url}{'&' if '?' in url else '?'}after={after}"
    return await connect(
        url,
        origin=origin_of(url),
        additional_headers={"Cookie": cookie} if cookie else None,
        # Browsers offer permessage-deflate; a server that accepts it compresses every
        # broadcast once per socket. Off by default, the same for every server under test.
        compression="deflate" if deflate else None,
        max_size=None,
        max_queue=None,
        ping_interval=None,
        open_timeout=60,
        close_timeout=2,
    )


@dataclass
class Listener:
    """One participant's view of a run: what arrived, when, and in which order."""

    url: str
    cookie: str | None
    deflate: bool = False
    arrived: dict[str, float] = field(default_factory=dict)  # client_id → first arrival
    replayed: set[str] = field(default_factory=set)  # arrived in a history frame
    duplicates: int = 0
    order_errors: int = 0
    last_seq: int | None = None
    seqs: set[int] = field(default_factory=set)
    connects: int = 0
    ws: object = None
    failures: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    def take(self, message: dict, now: float, *, live: bool) -> None:
        seq = message.get("seq")
        if self.last_seq is not None and seq != self.last_seq + 1:
            self.order_errors += 1
        if self.last_seq is None or seq > self.last_seq:
            self.last_seq = seq
        if seq in self.seqs:
            self.duplicates += 1
            return
        self.seqs.add(seq)
        client_id = message.get("client_id")
        self.arrived.setdefault(client_id, now)
        if not live:
            self.replayed.add(client_id)

    async def listen(self, ws) -> None:
        """Read frames until the connection closes."""
        async for raw in ws:
            now = time.perf_counter()
            frame = json.loads(raw)
            kind = frame.get("type")
            if kind == "message":
                self.take(frame, now, live=True)
            elif kind == "history":
                for message in frame["messages"]:
                    self.take(message, now, live=False)
                self.ready.set()
            elif kind == "error":
                self.errors.append(frame)

    async def connect(self, *, after: int | None = None):
        self.ready.clear()
        self.ws = await _open(self.url, self.cookie, after=after, deflate=self.deflate)
        self.connects += 1
        return self.ws


@dataclass
class Report:
    """What a run measured; ``ok`` when every participant got every message once, in order."""

    scenario: str
    clients: int
    connected: int
    messages: int
    posted: int
    expected: int
    delivered: int
    duplicates: int
    order_errors: int
    replayed: int
    reconnects: int
    latencies_ms: list[float] = field(repr=False)
    errors: dict[str, int]
    seconds: float

    @property
    def ok(self) -> bool:
        return self.delivered == self.expected and self.duplicates == 0 and self.order_errors == 0

    def percentile(self, share: float) -> float | None:
        if not self.latencies_ms:
            return None
        ordered = sorted(self.latencies_ms)
        # Nearest rank: the smallest value with at least ``share`` of the samples at or below.
        return ordered[max(0, math.ceil(share * len(ordered)) - 1)]

    def summary(self) -> dict:
        return {
            "scenario": self.scenario,
            "clients": self.clients,
            "connected": self.connected,
            "messages": self.messages,
            "posted": self.posted,
            "expected": self.expected,
            "delivered": self.delivered,
            "duplicates": self.duplicates,
            "order_errors": self.order_errors,
            "replayed": self.replayed,
            "reconnects": self.reconnects,
            "p50_ms": self.percentile(0.50),
            "p95_ms": self.percentile(0.95),
            "p99_ms": self.percentile(0.99),
            "max_ms": max(self.latencies_ms) if self.latencies_ms else None,
            "errors": self.errors,
            "seconds": round(self.seconds, 1),
            "ok": self.ok,
        }

    def lines(self) -> list[str]:
        data = self.summary()

        def ms(key):
            return "-" if data[key] is None else f"{data[key]:.1f}"

        return [
            f"scenario: {self.scenario}",
            f"clients: {self.connected}/{self.clients} connected, reconnects: {self.reconnects}",
            f"messages posted: {self.posted}/{self.messages}",
            f"delivered/expected: {self.delivered}/{self.expected}"
            f" (replayed from history: {self.replayed})",
            f"duplicates: {self.duplicates}, order violations: {self.order_errors}",
            f"latency ms: p50 {ms('p50_ms')}, p95 {ms('p95_ms')}, p99 {ms('p99_ms')},"
            f" max {ms('max_ms')}",
            f"errors: {self.errors or 'none'}",
            f"result: {'OK' if self.ok else 'FAILED'}",
        ]


def _report(scenario, listeners, sent, messages, posted, errors, started) -> Report:
    expected_ids = set(sent)
    latencies, delivered, replayed = [], 0, 0
    for listener in listeners:
        for client_id, arrived in listener.arrived.items():
            if client_id not in expected_ids:
                continue
            delivered += 1
            if client_id in listener.replayed:
                replayed += 1
            else:
                latencies.append((arrived - sent[client_id]) * 1000)
        for frame in listener.errors:
            errors[frame.get("code", "?")] = errors.get(frame.get("code", "?"), 0) + 1
        for failure in listener.failures:
            errors[failure] = errors.get(failure, 0) + 1
    return Report(
        scenario=scenario,
        clients=len(listeners),
        connected=sum(1 for listener in listeners if listener.connects),
        messages=messages,
        posted=posted,
        expected=len(listeners) * messages,
        delivered=delivered,
        duplicates=sum(listener.duplicates for listener in listeners),
        order_errors=sum(listener.order_errors for listener in listeners),
        replayed=replayed,
        reconnects=sum(max(0, listener.connects - 1) for listener in listeners),
        latencies_ms=latencies,
        errors=errors,
        seconds=time.perf_counter() - started,
    )


class _Posters:
    """Moderator connections posting the run's messages, round robin, at a fixed rate.

    A poster whose connection drops comes back with ``?after=`` and resends whatever it
    has not seen come back (the protocol keeps a resent ``client_id`` from being stored
    twice), as a browser would.
    """

    def __init__(self, posters: list[tuple[str, str | None]], tag: str):
        self.listeners = [Listener(url, cookie) for url, cookie in posters]
        self.tasks: list[asyncio.Task] = []
        self.locks = [asyncio.Lock() for _ in posters]
        self.frames: list[dict[str, str]] = [{} for _ in posters]  # client_id → frame
        self.tag = tag
        self.sent: dict[str, float] = {}
        self.errors: dict[str, int] = {}

    def _count(self, key: str) -> None:
        self.errors[key] = self.errors.get(key, 0) + 1

    async def _connect(self, slot: int) -> None:
        listener = self.listeners[slot]
        ws = await listener.connect(after=listener.last_seq)
        self.tasks.append(asyncio.create_task(listener.listen(ws)))
        await asyncio.wait_for(listener.ready.wait(), 60)

    async def open(self) -> None:
        for slot in range(len(self.listeners)):
            await self._connect(slot)

    async def _send(self, slot: int, text: str | None = None) -> None:
        """Send ``text``; after a drop reconnect and resend everything not yet echoed."""
        from websockets.exceptions import ConnectionClosed

        listener = self.listeners[slot]
        async with self.locks[slot]:
            for _attempt in range(10):
                try:
                    if listener.ws.close_code is None:
                        if text is not None:
                            await listener.ws.send(text)
                        return
                except ConnectionClosed:
                    pass
                self._count("poster:reconnect")
                try:
                    await self._connect(slot)
                except Exception as exc:
                    self._count(f"poster:connect:{type(exc).__name__}")
                    await asyncio.sleep(0.5)
                    continue
                for client_id, frame in self.frames[slot].items():
                    if client_id not in listener.arrived:
                        await listener.ws.send(frame)

    async def post(self, *, rate: float, messages: int) -> None:
        start = time.perf_counter()
        sends = []
        for number in range(messages):
            delay = start + number / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            client_id = f"{self.tag}-{number}"
            frame = {"type": "message.send", "text": f"load {number}", "client_id": client_id}
            slot = number % len(self.listeners)
            self.frames[slot][client_id] = text = json.dumps(frame)
            self.sent[client_id] = time.perf_counter()
            # Posters send concurrently, like moderators in different processes.
            sends.append(asyncio.create_task(self._send(slot, text)))
        await asyncio.gather(*sends)

    async def confirm(self, timeout: float) -> None:
        """Wait until every poster has seen its own messages come back (reconnecting)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            missing = [
                slot
                for slot, frames in enumerate(self.frames)
                if not frames.keys() <= self.listeners[slot].arrived.keys()
            ]
            if not missing:
                return
            for slot in missing:
                await self._send(slot)  # reconnects (and resends) if the socket dropped
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        for listener in self.listeners:
            for frame in listener.errors:
                self._count(f"poster:{frame.get('code')}")
            if listener.ws is not None:
                await listener.ws.close()
        for task in self.tasks:
            task.cancel()


async def _wait_all(listeners, ids: set[str], timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if all(ids.issubset(listener.arrived.keys()) for listener in listeners):
            return
        await asyncio.sleep(0.05)


async def fanout(
    *,
    urls: list[str],
    cookies: list[str | None],
    posters: list[tuple[str, str | None]],
    rate: float,
    messages: int,
    settle: float = 2.0,
    drain: float = 30.0,
    connect_concurrency: int = 50,
    deflate: bool = False,
    scenario: str = "fanout",
) -> Report:
    """One listener per cookie, spread over ``urls``; ``messages`` posts at ``rate`` a second."""
    started = time.perf_counter()
    tag = f"lt{random.randrange(16**8):08x}"  # noqa: S311 - a label, not a secret
    listeners = [Listener(urls[i % len(urls)], cookie, deflate) for i, cookie in enumerate(cookies)]
    gate = asyncio.Semaphore(connect_concurrency)
    sockets: list = []

    async def run(listener: Listener) -> None:
        try:
            async with gate:
                ws = await listener.connect()
                sockets.append(ws)
                reader = asyncio.create_task(listener.listen(ws))
                await asyncio.wait_for(listener.ready.wait(), 120)
        except Exception as exc:
            listener.failures.append(f"connect:{type(exc).__name__}")
            return
        try:
            await reader
        except Exception as exc:
            listener.failures.append(f"listen:{type(exc).__name__}")

    tasks = [asyncio.create_task(run(listener)) for listener in listeners]
    while not all(listener.ready.is_set() or listener.failures for listener in listeners):
        await asyncio.sleep(0.1)
    sender = _Posters(posters, tag)
    await sender.open()
    await asyncio.sleep(settle)
    await sender.post(rate=rate, messages=messages)
    await sender.confirm(drain)
    await _wait_all([lsn for lsn in listeners if not lsn.failures], set(sender.sent), drain)
    await asyncio.gather(*(ws.close() for ws in sockets))
    await sender.close()
    await asyncio.gather(*tasks, return_exceptions=True)
    return _report(
        scenario, listeners, sender.sent, messages, len(sender.sent), sender.errors, started
    )


async def reconnect_storm(
    *,
    urls: list[str],
    cookies: list[str | None],
    posters: list[tuple[str, str | None]],
    rate: float,
    seconds: float,
    stay: tuple[float, float] = (5.0, 25.0),
    away: tuple[float, float] = (0.0, 2.0),
    drain: float = 30.0,
    deflate: bool = False,
    scenario: str = "reconnect",
) -> Report:
    """Listeners drop (cleanly or not) and come back with ``?after=`` for ``seconds``.

    Each reconnects to a random one of ``urls``; at the end everyone must hold every
    message exactly once, live or replayed from the history, in ``seq`` order.
    """
    started = time.perf_counter()
    rng = random.Random()  # noqa: S311 - scheduling jitter, not a secret
    tag = f"rc{rng.randrange(16**8):08x}"
    messages = int(seconds * rate)
    listeners = [Listener(urls[i % len(urls)], cookie, deflate) for i, cookie in enumerate(cookies)]
    stop = asyncio.Event()

    async def run(listener: Listener) -> None:
        while True:
            try:
                ws = await listener.connect(after=listener.last_seq)
            except Exception as exc:
                listener.failures.append(f"connect:{type(exc).__name__}")
                await asyncio.sleep(0.5)
                continue
            reader = asyncio.create_task(listener.listen(ws))
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait(
                [reader, stopping], timeout=rng.uniform(*stay), return_when=asyncio.FIRST_COMPLETED
            )
            stopping.cancel()
            if stop.is_set():
                await reader  # stays until the end of the run
                return
            if rng.random() < 0.5:
                await ws.close()
            else:
                ws.transport.abort()  # a dropped network, not a goodbye
            await asyncio.gather(reader, return_exceptions=True)
            listener.url = rng.choice(urls)
            await asyncio.sleep(rng.uniform(*away))

    tasks = [asyncio.create_task(run(listener)) for listener in listeners]
    await asyncio.wait_for(asyncio.gather(*(listener.ready.wait() for listener in listeners)), 120)
    sender = _Posters(posters, tag)
    await sender.open()
    await sender.post(rate=rate, messages=messages)
    await sender.confirm(drain)
    stop.set()
    await _wait_all(listeners, set(sender.sent), drain)
    await asyncio.gather(*(lsn.ws.close() for lsn in listeners if lsn.ws is not None))
    _, stuck = await asyncio.wait(tasks, timeout=10)
    for task in stuck:
        task.cancel()
    await sender.close()
    return _report(
        scenario, listeners, sender.sent, messages, len(sender.sent), sender.errors, started
    )
