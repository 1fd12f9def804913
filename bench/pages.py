"""Content pages benchmark (docs/performance.md records its results).

Requests per second and latency of the content pages, each against a plain
Wagtail page served by the same server in the same run:

  plain            a StandardPage with one paragraph: the baseline;
  home             ``/`` with the home sections of every plugin;
  recommendations  ``/recommendations/``, the section list (filters, page 1);
  recommendation   one recommendation page;
  search           ``/search/?q=библиотеки`` over every page (the pages below
                   all say «библиотека» in some form: the broadest query).

The server is uvicorn (uvloop, httptools), one process, started as a subprocess
on a free port of 127.0.0.1 against a throwaway database: a SQLite file under
var/bench/, or the PostgreSQL database of --pg-url (dropped and created again).
It holds the demo content (``seed_demo``) plus --pages recommendation pages
with a few hundred words of Russian text each. The client load runs in this
process: C keep-alive HTTP/1.1 connections, each sending its next request as
soon as the previous answer is read, for --seconds per target.

    .venv/bin/python bench/pages.py                   # 2000 pages, 8 clients, 10 s a target
    .venv/bin/python bench/pages.py --quick           # 300 pages, 3 s a target
    .venv/bin/python bench/pages.py --rounds 3 --pg-url postgres://postgres@127.0.0.1:5432/ibc_portal_bench_pages
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.seminar import (  # noqa: E402 - needs the repository on sys.path
    fresh_postgres,
    machine,
    run_client,
    servers,
)

PY = sys.executable
SEARCH_QUERY = "библиотеки"
# In-process timings of the search selector (no HTTP, no template).
SELECTOR_QUERIES = ("библиотеки", "библиот", "методические рекомендации", "квазиэлектрон")

SUBJECTS = [
    "школьной библиотеки",
    "информационно-библиотечного центра",
    "библиотеки колледжа",
    "педагога-библиотекаря",
    "читального зала",
    "библиотечного фонда",
]
TOPICS = [
    "Организация работы",
    "Комплектование",
    "Сопровождение проектной деятельности",
    "Продвижение чтения",
    "Медиаграмотность обучающихся",
    "Цифровые ресурсы",
    "Учёт и сохранность",
]
SENTENCES = [
    "Библиотека школы участвует в реализации основной образовательной программы.",
    "Педагог-библиотекарь консультирует учителей по подбору литературы к урокам.",
    "Фонд учебников комплектуется по федеральному перечню с учётом заявок предметников.",
    "Читальный зал становится пространством для проектной и исследовательской работы.",
    "Для обучающихся проводятся библиотечные уроки и занятия по медиаграмотности.",
    "Электронный каталог доступен из любого кабинета и из дома.",
    "Акции в поддержку чтения проводятся вместе с родителями и муниципальной библиотекой.",
    "Списание изданий оформляется актом, ветхие экземпляры заменяются новыми.",
    "Информационно-библиотечный центр объединяет фонд, медиатеку и зону коворкинга.",
    "Результаты работы обсуждаются на заседании методического объединения.",
    "Мониторинг показывает рост посещаемости библиотеки в старших классах.",
    "Новые поступления представлены на выставке у входа в читальный зал.",
    "Колледж организует доступ студентов к электронно-библиотечной системе.",
    "Рекомендации подготовлены на основе опыта библиотек края.",
]


# --- preparing a database -------------------------------------------------------------------


def prepare(count: int) -> None:
    """In a subprocess with DATABASE_URL set: demo content, the baseline page, N recommendations."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from cms.models import HomePage, RecommendationIndexPage, RecommendationPage, StandardPage
    from core.models import SearchEntry

    with open(os.devnull, "w") as devnull:
        call_command("seed_demo", stdout=devnull)
    home = HomePage.objects.get()
    plain = StandardPage(
        title="Контакты отдела",
        slug="bench-plain",
        body=[{"type": "paragraph", "value": f"<p>{SENTENCES[0]}</p>"}],
    )
    home.add_child(instance=plain)
    plain.save_revision().publish()

    index = RecommendationIndexPage.objects.get()
    rng = random.Random(2026)  # noqa: S311 - demo text, the same in every run
    now = timezone.now()
    started = time.perf_counter()
    first = None
    with transaction.atomic():
        for number in range(count):
            paragraphs = [
                {"type": "paragraph", "value": "<p>" + " ".join(rng.sample(SENTENCES, 6)) + "</p>"}
                for _ in range(5)
            ]
            page = RecommendationPage(
                title=f"{rng.choice(TOPICS)} {rng.choice(SUBJECTS)}: рекомендации № {number + 1}",
                slug=f"bench-recommendation-{number + 1}",
                authors="Петрова А. В., Смирнов И. К.",
                annotation=" ".join(rng.sample(SENTENCES, 3)),
                body=paragraphs,
                first_published_at=now,
                last_published_at=now,
            )
            # Live pages added in code are indexed by the post_save receiver.
            index.add_child(instance=page)
            first = first or page
    created = time.perf_counter() - started

    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from core import selectors

    search_ms = {}
    for query in SELECTOR_QUERIES:
        request = RequestFactory().get("/search/", {"q": query})
        request.user = AnonymousUser()
        times, hits = [], []
        for _ in range(15):
            begun = time.perf_counter()
            hits = selectors.pages_search(request, query)
            times.append((time.perf_counter() - begun) * 1000)
        search_ms[query] = {"median_ms": round(statistics.median(times), 1), "hits": len(hits)}
    print(
        json.dumps(
            {
                "plain": plain.url,
                "recommendation": first.url if first else "/recommendations/",
                "entries": SearchEntry.objects.count(),
                "create_seconds": round(created, 1),
                "search_selector": search_ms,
            },
            ensure_ascii=False,
        )
    )


def _run(args: list[str], env: dict) -> str:
    done = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode:
        sys.exit(f"failed: {' '.join(args)}\n{done.stdout}\n{done.stderr}")
    return done.stdout


# --- the client -----------------------------------------------------------------------------


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.read()  # no length: the body ends with the connection
        raise ConnectionResetError
    return status


async def _worker(port: int, path: str, until: float, latencies: list, statuses: dict) -> None:
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: ibc-bench\r\n"
        "Accept: text/html\r\nConnection: keep-alive\r\n\r\n"
    ).encode()
    reader = writer = None
    while time.perf_counter() < until:
        if writer is None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        begun = time.perf_counter()
        try:
            writer.write(request)
            status = await _read_response(reader)
        except (ConnectionError, asyncio.IncompleteReadError):
            writer.close()
            reader = writer = None
            continue
        latencies.append(time.perf_counter() - begun)
        statuses[status] = statuses.get(status, 0) + 1
    if writer is not None:
        writer.close()


async def load(port: int, path: str, *, clients: int, seconds: float, warmup: float) -> dict:
    if warmup:
        await asyncio.gather(
            *(_worker(port, path, time.perf_counter() + warmup, [], {}) for _ in range(clients))
        )
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    begun = time.perf_counter()
    until = begun + seconds
    await asyncio.gather(*(_worker(port, path, until, latencies, statuses) for _ in range(clients)))
    elapsed = time.perf_counter() - begun
    latencies.sort()

    def percentile(share: float) -> float:
        return latencies[min(len(latencies) - 1, int(share * len(latencies)))] * 1000

    return {
        "requests": len(latencies),
        "errors": sum(n for status, n in statuses.items() if status != 200),
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(0.50) if latencies else None,
        "p95_ms": percentile(0.95) if latencies else None,
    }


# --- the run --------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000, help="extra recommendation pages")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per target")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured time per target")
    parser.add_argument("--rounds", type=int, default=1, help="run every target this often")
    parser.add_argument("--quick", action="store_true", help="300 pages, 3 s per target")
    parser.add_argument("--pg-url", help="a PostgreSQL database to drop and fill (else SQLite)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare is not None:
        prepare(args.prepare)
        return
    if args.quick:
        args.pages, args.seconds, args.warmup = 300, 3.0, 1.0
    bench(args)


def bench(args) -> None:
    work = REPO / "var" / "bench" / f"pages-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}\nlogs: {work}\n", flush=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "development",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        "CACHE_KEY_PREFIX": f"ibc-bench-{os.getpid()}",
    }
    env.pop("REDIS_URL", None)
    if args.pg_url:
        fresh_postgres(args.pg_url)
        env["DATABASE_URL"], database = args.pg_url, "PostgreSQL"
    else:
        env["DATABASE_URL"], database = f"sqlite:///{work / 'bench.sqlite3'}", "SQLite"
    _run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    out = _run([PY, __file__, "--prepare", str(args.pages)], env)
    data = json.loads(out.strip().splitlines()[-1])
    print(
        f"database: {database}, {data['entries']} indexed pages "
        f"({args.pages} recommendations created in {data['create_seconds']} s)"
    )
    for query, timing in data["search_selector"].items():
        print(f"  search selector «{query}»: {timing['median_ms']} ms, {timing['hits']} hits")
    targets = {
        "plain": data["plain"],
        "home": "/",
        "recommendations": "/recommendations/",
        "recommendation": data["recommendation"],
        "search": f"/search/?q={quote(SEARCH_QUERY)}",
    }
    rows = []
    with servers("uvicorn", 1, env, work) as bases:
        port = int(bases[0].rsplit(":", 1)[1])
        for round_number in range(1, args.rounds + 1):
            for name, path in targets.items():
                result = run_client(
                    load(port, path, clients=args.clients, seconds=args.seconds, warmup=args.warmup)
                )
                rows.append({"target": name, "path": path, "round": round_number, **result})
                print(
                    f"[{name} round {round_number}] {result['rps']:.1f} req/s, "
                    f"p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, "
                    f"{result['errors']} errors",
                    flush=True,
                )
    _print(rows, args, database, data)
    if not args.pg_url:
        for suffix in ("", "-wal", "-shm"):
            (work / f"bench.sqlite3{suffix}").unlink(missing_ok=True)


def _print(rows: list[dict], args, database: str, data: dict) -> None:
    plain = {row["round"]: row for row in rows if row["target"] == "plain"}
    for row in rows:
        reference = plain[row["round"]]
        row["rps_vs_plain"] = round(row["rps"] / reference["rps"], 2)
        row["p50_vs_plain"] = round(row["p50_ms"] / reference["p50_ms"], 2)
    print(
        f"\n{database}, {args.clients} clients, {args.seconds:g} s per target, "
        f"{data['entries']} indexed pages\n"
    )
    print(
        "| target | path | round | requests | errors | req/s | p50 ms | p95 ms "
        "| req/s ÷ plain | p50 × plain |"
    )
    print("|" + "---|" * 10)
    for row in rows:
        cells = [
            row["target"],
            f"`{row['path']}`",
            row["round"],
            row["requests"],
            row["errors"],
            f"{row['rps']:.1f}",
            f"{row['p50_ms']:.1f}",
            f"{row['p95_ms']:.1f}",
            f"{row['rps_vs_plain']:.2f}",
            f"{row['p50_vs_plain']:.2f}",
        ]
        print("| " + " | ".join(str(cell) for cell in cells) + " |")
    if args.rounds > 1:
        print("\nmedian req/s ÷ plain over the rounds:")
        for name in dict.fromkeys(row["target"] for row in rows):
            ratios = [row["rps_vs_plain"] for row in rows if row["target"] == name]
            print(f"  {name}: {statistics.median(ratios):.2f}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {"machine": machine(), "argv": sys.argv, "prepared": data, "rows": rows}
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=2))
        print(f"written: {args.json}")


if __name__ == "__main__":
    main()
