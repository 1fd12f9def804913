"""Live seminar fan-out benchmark (docs/performance.md records its results).

One run measures the same load — N listeners in one room, a moderator posting
R messages a second for M messages — against

  bare       a bare ``websockets`` broadcast server (this script, --serve-bare):
             what one client sends is numbered and broadcast to everyone;
  daphne     our server under daphne, 1 process, in-memory channel layer, SQLite;
  uvicorn    our server under uvicorn + uvloop + httptools, same set-up;
  two        2 processes of the better of the two + channels-redis + PostgreSQL,
             listeners split between them, the moderator on the first;
  reconnect  the two-process set-up; listeners drop and come back with ?after=
             at random while the moderator posts, for S seconds.

The servers run as subprocesses on 127.0.0.1; the client load runs in this
process, so its cost is the same for every target. Throwaway databases: a
SQLite file under /tmp and the PostgreSQL database of --pg-url (dropped and
created again). Redis keys get a prefix of their own.

    .venv/bin/python bench/seminar.py            # the full run (about 7 minutes)
    .venv/bin/python bench/seminar.py --quick    # a smaller one (about 2 minutes)
    .venv/bin/python bench/seminar.py --rounds 3 --two-server both   # as recorded
    .venv/bin/python bench/seminar.py --json var/bench-seminar.json
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from lms import loadtest  # noqa: E402 - needs the repository on sys.path

PY = sys.executable
SCENARIOS = ("bare", "daphne", "uvicorn", "two", "reconnect")


# --- the bare server ----------------------------------------------------------------------


def serve_bare(port: int, *, deflate: bool = False) -> None:
    """A bare ``websockets`` broadcast server speaking just enough of our protocol."""
    from websockets.asyncio.server import broadcast, serve

    clients = set()
    state = {"seq": 0}

    async def handler(ws):
        await ws.send(json.dumps({"type": "hello", "last_seq": state["seq"]}))
        await ws.send(json.dumps({"type": "history", "messages": []}))
        clients.add(ws)
        try:
            async for raw in ws:
                data = json.loads(raw)
                state["seq"] += 1
                frame = {
                    "type": "message",
                    "seq": state["seq"],
                    "id": state["seq"],
                    "author": {"id": 1, "name": "Нагрузка Модератор", "role": "moderator"},
                    "text": data.get("text"),
                    "created": dt.datetime.now(dt.UTC).isoformat(),
                    "client_id": data.get("client_id"),
                }
                broadcast(clients, json.dumps(frame, ensure_ascii=False, separators=(",", ":")))
        finally:
            clients.discard(ws)

    async def main():
        compression = "deflate" if deflate else None
        async with serve(
            handler, "127.0.0.1", port, compression=compression, max_size=None
        ) as server:
            await server.serve_forever()

    asyncio.run(main())


# --- preparing a database -------------------------------------------------------------------


def prepare(count: int, names: list[str]) -> None:
    """In a subprocess with DATABASE_URL set: one online event per name, live now."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.utils import timezone
    from wagtail.models import Site

    from lms.models import EventIndexPage, EventPage

    index = EventIndexPage.objects.first()
    if index is None:
        index = EventIndexPage(title="Мероприятия", slug="events")
        Site.objects.get(is_default_site=True).root_page.add_child(instance=index)
        index.save_revision().publish()
    now = timezone.now().replace(microsecond=0)
    out = {"events": {}, "moderator": loadtest.cookie_line(loadtest.load_moderator_session())}
    for name in names:
        event = EventPage(
            title=f"Нагрузочный вебинар {name}",
            slug=f"bench-{name}-{int(time.time())}",
            start=now - dt.timedelta(minutes=5),
            end=now + dt.timedelta(hours=6),
            online_url="https://video.example.org/bench",
        )
        index.add_child(instance=event)
        event.save_revision().publish()
        sessions = loadtest.load_participants_create(event_id=event.pk, count=count)
        out["events"][name] = {
            "id": event.pk,
            "cookies": [loadtest.cookie_line(key) for key in sessions],
        }
    print(json.dumps(out))


def _run(args: list[str], env: dict) -> str:
    done = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode:
        sys.exit(f"failed: {' '.join(args)}\n{done.stdout}\n{done.stderr}")
    return done.stdout


def database(env: dict, count: int, names: list[str]) -> dict:
    _run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    out = _run([PY, __file__, "--prepare", "--clients", str(count), "--names", *names], env)
    return json.loads(out.strip().splitlines()[-1])


def fresh_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# --- servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_command(kind: str, port: int, deflate: bool) -> list[str]:
    if kind == "bare":
        return [PY, __file__, "--serve-bare", str(port), *(["--deflate"] if deflate else [])]
    if kind == "daphne":
        return [PY, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"]
    return [
        *(PY, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1"),
        *("--port", str(port), "--loop", "uvloop", "--http", "httptools", "--ws", "auto"),
        *("--lifespan", "off", "--log-level", "warning", "--no-access-log"),
    ]


def wait_ready(kind: str, port: int, process, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the {kind} server on port {port} exited with {process.returncode}")
        try:
            if kind == "bare":
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
            return
        except urllib.error.HTTPError:
            return  # 503 still means it answers
        except OSError:
            time.sleep(0.3)
    sys.exit(f"the {kind} server on port {port} did not start")


@contextmanager
def servers(kind: str, count: int, env: dict, logs: Path, deflate: bool = False):
    started = []
    try:
        for number in range(count):
            port = free_port()
            log = open(logs / f"{kind}-{number}-{port}.log", "w")  # noqa: SIM115
            process = subprocess.Popen(  # noqa: S603
                server_command(kind, port, deflate), cwd=REPO, env=env, stdout=log, stderr=log
            )
            started.append((process, port, log))
        for process, port, _log in started:
            wait_ready(kind, port, process)
        yield [f"ws://127.0.0.1:{port}" for _process, port, _log in started]
    finally:
        for process, _port, log in started:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def run_client(coroutine):
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coroutine)


# --- the run ------------------------------------------------------------------------------


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    system = f"{platform.platform()}, Python {platform.python_version()}"
    return f"{cpu}, {os.cpu_count()} cores{memory}, {system}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 listeners, 3 s, 15 s storm")
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--reconnect-clients", type=int, default=100)
    parser.add_argument("--reconnect-seconds", type=float, default=60.0)
    parser.add_argument("--only", default=",".join(SCENARIOS), help="e.g. bare,uvicorn")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the fan-out runs")
    parser.add_argument(
        "--two-server", choices=["auto", "daphne", "uvicorn", "both"], default="auto"
    )
    parser.add_argument(
        "--pg-conn-max-age",
        type=int,
        default=0,
        help="CONN_MAX_AGE of the two-process servers (0, the documented default, opens "
        "a PostgreSQL connection per database call)",
    )
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/ibc_portal_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument(
        "--deflate",
        action="store_true",
        help="clients offer permessage-deflate, as browsers do (the bare server accepts it)",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--serve-bare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--names", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        serve_bare(args.serve_bare, deflate=args.deflate)
        return
    if args.prepare:
        prepare(args.clients, args.names)
        return
    if args.quick:
        args.clients, args.messages = 100, 30
        args.reconnect_clients, args.reconnect_seconds = 30, 15.0
    only = [name for name in args.only.split(",") if name]
    bench(args, only)


def bench(args, only: list[str]) -> None:
    work = Path(tempfile.mkdtemp(prefix="ibc-seminar-bench-"))
    print(f"machine: {machine()}\nlogs: {work}\n", flush=True)
    base = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "development",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        "CACHE_KEY_PREFIX": f"ibc-bench-{os.getpid()}",
    }
    base.pop("REDIS_URL", None)
    sqlite_path = work / "bench.sqlite3"
    single = {**base, "DATABASE_URL": f"sqlite:///{sqlite_path}"}
    shared = {
        **base,
        "DATABASE_URL": args.pg_url,
        "REDIS_URL": args.redis_url,
        "CONN_MAX_AGE": str(args.pg_conn_max_age),
    }
    fan = {"rate": args.rate, "messages": args.messages, "deflate": args.deflate}
    rows: list[dict] = []

    kinds = [kind for kind in ("bare", "daphne", "uvicorn") if kind in only]
    if kinds:
        data = database(single, args.clients, ["single"]) if kinds != ["bare"] else None
        with ExitStack() as stack:
            # Without this connection, every close of the servers' last connection (they
            # close after each query batch, CONN_MAX_AGE=0) checkpoints the WAL with an
            # fsync: disk stalls that have nothing to do with fan-out.
            if data is not None:
                hold = sqlite3.connect(sqlite_path)
                stack.callback(hold.close)
                hold.execute("SELECT count(*) FROM django_migrations").fetchall()
            running = {kind: stack.enter_context(servers(kind, 1, single, work)) for kind in kinds}
            for round_number in range(1, args.rounds + 1):
                for kind in kinds:
                    if kind == "bare":
                        urls, cookies, posters = running[kind], [None] * args.clients, [None]
                    else:
                        event = data["events"]["single"]
                        urls = [loadtest.seminar_url(url, event["id"]) for url in running[kind]]
                        cookies, posters = event["cookies"], [data["moderator"]]
                    run = loadtest.fanout(
                        urls=urls,
                        cookies=cookies,
                        posters=[(urls[0], cookie) for cookie in posters],
                        **fan,
                    )
                    layer, db = ("-", "-") if kind == "bare" else ("in-memory", "SQLite")
                    server = "websockets" if kind == "bare" else kind
                    rows.append(_row(kind, server, 1, layer, db, round_number, run_client(run)))

    two_names = [name for name in ("two", "reconnect") if name in only]
    if two_names:
        if args.two_server == "auto":
            p99 = {
                kind: statistics.median(r["p99_ms"] for r in rows if r["target"] == kind)
                for kind in ("daphne", "uvicorn")
                if any(r["target"] == kind for r in rows)
            }
            chosen = [min(p99, key=p99.get)] if p99 else ["uvicorn"]
        elif args.two_server == "both":
            chosen = ["uvicorn", "daphne"]
        else:
            chosen = [args.two_server]
        fresh_postgres(args.pg_url)
        counts = {"two": args.clients, "reconnect": args.reconnect_clients}
        data = database(shared, max(counts[name] for name in two_names), two_names)
        db = "PostgreSQL"
        if args.pg_conn_max_age:
            db += f", CONN_MAX_AGE={args.pg_conn_max_age}"
        for kind in chosen:
            with servers(kind, 2, shared, work) as bases:
                for name in two_names:
                    if name == "reconnect" and kind != chosen[0]:
                        continue
                    event = data["events"][name]
                    urls = [loadtest.seminar_url(url, event["id"]) for url in bases]
                    cookies = event["cookies"][: counts[name]]
                    posters = [(urls[0], data["moderator"])]
                    for round_number in range(1, (args.rounds if name == "two" else 1) + 1):
                        if name == "two":
                            run = loadtest.fanout(
                                urls=urls, cookies=cookies, posters=posters, **fan
                            )
                        else:
                            run = loadtest.reconnect_storm(
                                urls=urls,
                                cookies=cookies,
                                posters=posters,
                                rate=args.rate,
                                seconds=args.reconnect_seconds,
                                deflate=args.deflate,
                            )
                        report = run_client(run)
                        rows.append(_row(name, kind, 2, "redis", db, round_number, report))
    _print(rows, args)


def _row(target, server, processes, layer, db, round_number, report) -> dict:
    print(f"[{target} {server}, round {round_number}]", *report.lines(), sep="\n  ", flush=True)
    return {
        "target": target,
        "server": server,
        "processes": processes,
        "layer": layer,
        "database": db,
        "round": round_number,
        **report.summary(),
    }


def _ms(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def _print(rows: list[dict], args) -> None:
    bare = {r["round"]: r["p99_ms"] for r in rows if r["target"] == "bare"}
    bare_median = statistics.median(bare.values()) if bare else None
    for row in rows:
        # Against the bare server of the same round; later rows against its median.
        reference = bare.get(row["round"]) if row["processes"] == 1 else bare_median
        if row["target"] == "reconnect":
            reference = None  # its target is no loss and no duplicate, not latency
        row["p99_vs_bare"] = (
            round(row["p99_ms"] / reference, 2) if reference and row["p99_ms"] else None
        )
    head = (
        "| target | server | proc | layer | database | round | clients | delivered/expected "
        "| dup | order | p50 ms | p95 ms | p99 ms | max ms | p99 / bare |"
    )
    print("\n" + head + "\n|" + "---|" * 15)
    for row in rows:
        cells = [
            *(row[key] for key in ("target", "server", "processes", "layer", "database")),
            row["round"],
            row["clients"],
            f"{row['delivered']}/{row['expected']}",
            row["duplicates"],
            row["order_errors"],
            *(_ms(row[key]) for key in PERCENTILES),
            "-" if row["p99_vs_bare"] is None else f"{row['p99_vs_bare']:.2f}×",
        ]
        print("| " + " | ".join(str(cell) for cell in cells) + " |")
    print()
    if args.clients != 500 or args.rate != 10 or args.messages != 100:
        print("(the targets are defined for 500 listeners, 10 msg/s, 100 messages)")
    verdicts = {}
    for row in rows:
        if row["target"] == "bare":
            continue
        key = (row["target"], row["server"])
        ok = row["ok"] and (row["target"] == "reconnect" or (row["p99_vs_bare"] or 99) <= 2.5)
        verdicts.setdefault(key, []).append((ok, row["p99_vs_bare"]))
    for (target, server), results in verdicts.items():
        ratios = [ratio for _ok, ratio in results if ratio is not None]
        median = f", median p99/bare {statistics.median(ratios):.2f}×" if ratios else ""
        met = sum(ok for ok, _ratio in results)
        print(f"target {target} ({server}): met in {met} of {len(results)} round(s){median}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {"machine": machine(), "argv": sys.argv, "rows": rows}
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=2))
        print(f"written: {args.json}")


PERCENTILES = ("p50_ms", "p95_ms", "p99_ms", "max_ms")

if __name__ == "__main__":
    main()
