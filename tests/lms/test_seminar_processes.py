"""Two real server processes share one seminar room through Redis and PostgreSQL.

Each process keeps one hub per room subscribed to the room's group; a message
posted through either process must reach the sockets of both, once each, in
``seq`` order, while moderators post through both processes at once (so the
processes publish in an order of their own and the hubs restore ``seq`` order).
"""

import asyncio
import datetime as dt
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.utils import timezone

from lms import loadtest
from lms.models import SeminarMessage
from tests.conftest import REPO, STRICT, need, postgres_available, redis_available

only_with_services = pytest.mark.skipif(
    not (postgres_available() and redis_available()) and not STRICT,
    reason="needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)",
)

PARTICIPANTS = 20  # ten on each process
MESSAGES = 60
RATE = 40.0  # a second, alternating between the processes: posts overlap


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _command(server: str, port: int) -> list[str]:
    app = "config.asgi:application"
    if server == "daphne":
        return [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), app]
    return [
        *(sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)),
        *("--lifespan", "off", "--log-level", "warning"),
    ]


def _server_env() -> dict:
    """The test's settings, pointed at the test database (pytest-django renamed it)."""
    url = urlsplit(os.environ["DATABASE_URL"])
    database_url = url._replace(path="/" + connection.settings_dict["NAME"]).geturl()
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "development",
        "ALLOWED_HOSTS": "127.0.0.1",
        # Channel-layer groups of their own, away from any other run on this Redis.
        "CACHE_KEY_PREFIX": f"ibc-test-{uuid.uuid4().hex[:8]}",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def _wait_ready(process, port: int, log_path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log_path.read_text()[-3000:]
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the server on port {port} did not start:\n{log_path.read_text()[-3000:]}")


@contextmanager
def _servers(server: str, count: int, tmp_path):
    env = _server_env()
    started = []
    try:
        for number in range(count):
            port = _free_port()
            log_path = tmp_path / f"{server}-{number}.log"
            log = log_path.open("w")
            process = subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
                _command(server, port), cwd=REPO, env=env, stdout=log, stderr=log
            )
            started.append((process, port, log, log_path))
        for process, port, _log, log_path in started:
            _wait_ready(process, port, log_path)
        yield [f"ws://127.0.0.1:{port}" for _process, port, _log, _path in started]
    finally:
        for process, _port, log, _path in started:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


@only_with_services
@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("server", ["uvicorn", "daphne"])
def test_two_processes_deliver_every_message_once_and_in_order(server, make_event, tmp_path):
    need(postgres_available(), "DATABASE_URL does not point at PostgreSQL")
    need(redis_available(), "REDIS_URL is not set")
    event = make_event(start=timezone.now() - dt.timedelta(minutes=5))
    cookies = [
        loadtest.cookie_line(key)
        for key in loadtest.load_participants_create(event_id=event.pk, count=PARTICIPANTS)
    ]
    moderators = [
        loadtest.cookie_line(loadtest.load_moderator_session(email=f"mod-{n}@load.invalid"))
        for n in (1, 2)
    ]

    with _servers(server, 2, tmp_path) as bases:
        urls = [loadtest.seminar_url(base, event.pk) for base in bases]
        report = asyncio.run(
            loadtest.fanout(
                # Participants alternate between the processes, and so do the posts: every
                # participant gets half of the messages from the other process.
                urls=urls,
                cookies=cookies,
                posters=list(zip(urls, moderators, strict=True)),
                rate=RATE,
                messages=MESSAGES,
                settle=1.0,
                drain=20.0,
            )
        )

    lines = "\n".join(report.lines())
    assert report.connected == PARTICIPANTS, lines
    assert report.delivered == report.expected == PARTICIPANTS * MESSAGES, lines
    assert report.duplicates == 0, lines
    assert report.order_errors == 0, lines  # every participant saw seq n, n + 1, n + 2, …
    assert not report.errors, lines
    stored = SeminarMessage.objects.filter(event=event).order_by("seq")
    assert list(stored.values_list("seq", flat=True)) == list(range(1, MESSAGES + 1))
    assert stored.values("client_id").distinct().count() == MESSAGES
