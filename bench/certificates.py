"""Bulk issue of course certificates (docs/performance.md records the results).

Seeds a throwaway database with the demo certificate templates, one course, one
cohort and N learners with completed enrollments, then runs the real bulk issue
a methodist starts from the cohort page: ``certificate_batch_start`` with the
immediate task backend, so the batch (``certificate_batch_run``) and each
holder's notification email (locmem backend) run in this process. It measures

  time        wall time of the batch; per certificate: the whole issue (lock,
              number, PDF, file, row, notification, audit) and the PDF render alone
  memory      tracemalloc peak of Python allocations during the batch, and the
              peak RSS of the process during the batch (ru_maxrss, its mark reset
              just before); the allocation peak only with --tracemalloc, as tracing
              slows the batch about six times
  output      PDF bytes written, SQL queries per certificate
  re-run      a second batch for the same cohort, which must issue nothing

and checks the result: N certificates, N distinct registration numbers, the
sequence 1..N without a gap, every PDF on disk and starting with ``%PDF``.

    .venv/bin/python bench/certificates.py                  # SQLite file under /tmp
    .venv/bin/python bench/certificates.py --database-url \\
        postgres://postgres@127.0.0.1:5432/ibc_bench_certificates
    .venv/bin/python bench/certificates.py --profile 15     # cProfile of the batch

Only a PostgreSQL database whose name contains "bench" is accepted: it is
dropped, created, and dropped again at the end. The SQLite file and the PDFs
live in a temporary directory that is removed at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import functools
import io
import logging
import os
import pstats
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.append(str(REPO / "bench"))

from courses import machine  # noqa: E402

LAST_NAMES = ["Иванова", "Петрова", "Смирнова-Кузнецова", "Ким", "Александрова", "Белова"]
FIRST_NAMES = ["Мария", "Анна", "Екатерина", "Ольга", "Юлия"]
PATRONYMICS = ["Сергеевна", "Александровна", "Ивановна", ""]


def postgres_admin(url: str):
    """The maintenance connection URL and the benchmark database's name."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not parts.scheme.startswith("postgres") or "bench" not in name:
        sys.exit("--database-url must be a PostgreSQL database with 'bench' in its name.")
    return parts._replace(path="/postgres").geturl(), name


def postgres_recreate(url: str, *, create: bool) -> None:
    import psycopg

    admin, name = postgres_admin(url)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            connection.execute(f'CREATE DATABASE "{name}"')


def seed(people: int) -> dict:
    """Templates, a course, its cohort, a methodist and ``people`` completed enrollments."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.utils import timezone
    from wagtail.models import Site

    from core.models import User
    from core.roles import role_group_name
    from core.services.roles import roles_sync
    from lms.certificates import demo
    from lms.courses.models import Cohort, CoursePage, Enrollment, EnrollmentStatus
    from lms.models import CourseIndexPage

    def publish(parent, page):
        parent.add_child(instance=page)
        page.save_revision().publish()
        page.refresh_from_db()
        return page

    roles_sync()
    demo.seed(lambda line: None)
    root = Site.objects.get(is_default_site=True).root_page
    index = CourseIndexPage.objects.first() or publish(
        root, CourseIndexPage(title="Курсы", slug="courses")
    )
    course = publish(
        index,
        CoursePage(
            title="Школьный информационно-библиотечный центр: от концепции к практике",
            slug="shkolnyj-ibc",
            annotation="Программа повышения квалификации для педагогов-библиотекарей.",
            hours=72,
        ),
    )
    today = timezone.localdate()
    cohort = Cohort.objects.create(
        course=course,
        title="Поток 1",
        starts_on=today - dt.timedelta(days=45),
        ends_on=today - dt.timedelta(days=1),
    )
    methodist = User.objects.create_user(
        email="methodist@bench.invalid", password=None, last_name="Орлова", first_name="Ирина"
    )
    methodist.groups.add(Group.objects.get(name=role_group_name("methodist")))
    password = make_password(None)
    learners = User.objects.bulk_create(
        User(
            email=f"learner-{number:04d}@bench.invalid",
            last_name=LAST_NAMES[number % len(LAST_NAMES)],
            first_name=FIRST_NAMES[number % len(FIRST_NAMES)],
            patronymic=PATRONYMICS[number % len(PATRONYMICS)],
            password=password,
        )
        for number in range(people)
    )
    now = timezone.now()
    Enrollment.objects.bulk_create(
        Enrollment(
            cohort=cohort,
            user=user,
            status=EnrollmentStatus.COMPLETED,
            enrolled_at=now - dt.timedelta(days=45),
            completed_at=now - dt.timedelta(days=2),
        )
        for user in learners
    )
    return {"cohort": cohort, "methodist": methodist}


def timing(durations: list[float]):
    """Wrap a function so that each call's wall time (ms) is appended to ``durations``."""

    def decorate(function):
        @functools.wraps(function)
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                durations.append((time.perf_counter() - started) * 1000)

        return timed

    return decorate


def peak_rss_reset() -> bool:
    """Reset the kernel's peak-RSS mark of this process (Linux); False if it cannot."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def proc_status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def run_batch(world: dict, *, profile: int, traced: bool) -> dict:
    """One bulk issue as the cohort page starts it; timings, memory and SQL queries."""
    from django.db import connection

    from lms.certificates.models import CertificateBatch
    from lms.certificates.services import batches, issuing

    issues, renders, queries = [], [], [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    originals = issuing.certificate_pdf_render, batches.certificate_issue_for_enrollment
    issuing.certificate_pdf_render = timing(renders)(originals[0])
    batches.certificate_issue_for_enrollment = timing(issues)(originals[1])
    profiler = cProfile.Profile() if profile else None
    rss_before = proc_status_kib("VmRSS")
    # The mark is reset so that ru_maxrss afterwards is the batch's peak, not migrate's.
    maxrss_before = resource_maxrss()
    rss_reset = peak_rss_reset()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    try:
        with connection.execute_wrapper(count):
            if profiler:
                profiler.enable()
            batch = batches.certificate_batch_start(by=world["methodist"], cohort=world["cohort"])
            if profiler:
                profiler.disable()
        elapsed = time.perf_counter() - started
        traced_peak = tracemalloc.get_traced_memory()[1] if traced else None
    finally:
        tracemalloc.stop()
        issuing.certificate_pdf_render, batches.certificate_issue_for_enrollment = originals
    if profiler:
        report = io.StringIO()
        stats = pstats.Stats(profiler, stream=report).strip_dirs()
        stats.sort_stats("cumulative").print_stats(profile)
        stats.sort_stats("tottime").print_stats(profile)
        print(report.getvalue(), flush=True)
    batch = CertificateBatch.objects.get(pk=batch.pk)
    return {
        "batch": batch,
        "seconds": elapsed,
        "issues": sorted(issues),
        "renders": sorted(renders),
        "queries": queries[0],
        "traced_peak": traced_peak,
        "rss_before": rss_before * 1024,
        "maxrss_before": maxrss_before,
        "maxrss": resource_maxrss() if rss_reset else None,
    }


def verify(world: dict, people: int) -> int:
    """Check the issued documents; the PDF bytes on disk."""
    from lms.certificates.models import Certificate

    certificates = list(Certificate.objects.filter(enrollment__cohort=world["cohort"]))
    numbers = {certificate.registration_number for certificate in certificates}
    sequences = sorted(certificate.sequence for certificate in certificates)
    problems = []
    if len(certificates) != people:
        problems.append(f"{len(certificates)} certificates, expected {people}")
    if len(numbers) != len(certificates):
        problems.append(f"{len(numbers)} distinct registration numbers")
    if sequences != list(range(1, people + 1)):
        problems.append("the sequence is not 1..N without a gap")
    total = 0
    for certificate in certificates:
        path = Path(certificate.pdf.path)
        if not path.is_file():
            problems.append(f"missing PDF {path}")
            continue
        with path.open("rb") as handle:
            if handle.read(4) != b"%PDF":
                problems.append(f"not a PDF: {path}")
        total += path.stat().st_size
    if problems:
        sys.exit("verification failed: " + "; ".join(problems[:5]))
    return total


def percentile(ordered: list[float], share: float) -> float:
    return ordered[max(0, round(share * len(ordered)) - 1)] if ordered else 0.0


def mib(size: float | None) -> str:
    return "n/a" if size is None else f"{size / 1024 / 1024:.1f}"


def resource_maxrss() -> int:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def versions() -> str:
    from importlib.metadata import version

    import django

    packages = ("fpdf2", "fonttools", "segno", "wagtail", "django-tasks")
    listed = ", ".join(f"{package} {version(package)}" for package in packages)
    return f"Django {django.get_version()}, {listed}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=500, help="completed enrollments")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="a PostgreSQL database with 'bench' in its name (default: SQLite under /tmp)",
    )
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="print cProfile's top N of the batch"
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="trace Python allocations during the batch (slows the batch: time it without)",
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="ibc-bench-certificates-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    if args.database_url:
        postgres_recreate(url, create=True)
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        TASKS_BACKEND="immediate",
        EMAIL_URL="",
        MEDIA_ROOT=str(workdir / "media"),
        PRIVATE_MEDIA_ROOT=str(workdir / "private"),
    )
    try:
        report(args, workdir)
    finally:
        from django.db import connections

        connections.close_all()
        if args.database_url:
            postgres_recreate(url, create=False)
        shutil.rmtree(workdir, ignore_errors=True)


def report(args, workdir: Path) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    logging.getLogger("wagtail").setLevel(logging.WARNING)
    mail.outbox = []
    print(f"machine: {machine()}", flush=True)
    print(f"software: {versions()}", flush=True)
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrated in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    world = seed(args.people)
    print(f"seeded {args.people} completed enrollments in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version"
        )
        server = f"{connection.display_name} {cursor.fetchone()[0]}"
    print(f"database: {server}, {settings.DATABASES['default']['NAME']}", flush=True)
    print(f"tasks: {settings.TASKS['default']['BACKEND']}, files: {workdir}\n", flush=True)

    first = run_batch(world, profile=args.profile, traced=args.tracemalloc)
    pdf_bytes = verify(world, args.people)
    emails = len(mail.outbox)
    second = run_batch(world, profile=0, traced=False)
    verify(world, args.people)
    for label, result, expected in (("first", first, args.people), ("re-run", second, 0)):
        batch = result["batch"]
        if (batch.status, batch.issued, batch.errors) != ("done", expected, []):
            sys.exit(
                f"{label} batch: {batch.status}, {batch.issued} issued, errors {batch.errors[:3]}"
            )

    issues, renders = first["issues"], first["renders"]
    rows = [
        ("certificates issued", f"{first['batch'].issued} of {first['batch'].total}"),
        ("batch wall time", f"{first['seconds']:.1f} s"),
        ("per certificate, wall / N", f"{first['seconds'] * 1000 / args.people:.1f} ms"),
        (
            "one issue: mean / p50 / p95 / max",
            f"{statistics.mean(issues):.1f} / {statistics.median(issues):.1f} / "
            f"{percentile(issues, 0.95):.1f} / {issues[-1]:.1f} ms",
        ),
        (
            "PDF render alone: mean / p50 / p95 / max",
            f"{statistics.mean(renders):.1f} / {statistics.median(renders):.1f} / "
            f"{percentile(renders, 0.95):.1f} / {renders[-1]:.1f} ms",
        ),
        ("PDF render share of the batch", f"{sum(renders) / 10 / first['seconds']:.0f} %"),
        ("SQL queries per certificate", f"{first['queries'] / args.people:.1f}"),
        ("emails sent (locmem)", str(emails)),
        (
            "PDF bytes written: total / mean",
            f"{pdf_bytes / 1024 / 1024:.1f} MiB / {pdf_bytes / args.people / 1024:.1f} KiB",
        ),
        (
            "tracemalloc peak during the batch",
            "not traced (--tracemalloc)"
            if first["traced_peak"] is None
            else f"{mib(first['traced_peak'])} MiB",
        ),
        ("process peak RSS before the batch (migrate, seed)", f"{mib(first['maxrss_before'])} MiB"),
        ("RSS when the batch starts", f"{mib(first['rss_before'])} MiB"),
        ("peak RSS during the batch (ru_maxrss, mark reset)", f"{mib(first['maxrss'])} MiB"),
        (
            "re-run: issued / skipped / wall time",
            f"{second['batch'].issued} / {second['batch'].skipped} / {second['seconds']:.2f} s",
        ),
        ("re-run SQL queries per person", f"{second['queries'] / args.people:.1f}"),
    ]
    print("| measure | value |")
    print("|---|---|")
    for label, value in rows:
        print(f"| {label} | {value} |")
    print(
        f"\nverified: {args.people} certificates, {args.people} distinct registration numbers, "
        f"sequence 1..{args.people} without a gap, every PDF present and starting with %PDF",
        flush=True,
    )


if __name__ == "__main__":
    main()
