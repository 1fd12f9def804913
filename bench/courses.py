"""Gradebook and learner dashboard response times (docs/performance.md records them).

Seeds a throwaway database with one course of 10 modules (2 lessons, a quiz and
an assignment each: 20 graded items), one cohort of 200 learners, each with a
closed attempt at every quiz and a hand-in for every assignment (half of them
reviewed), then times, with the Django test client (the whole middleware
stack, no network):

  gradebook   /cabinet/cohorts/<id>/gradebook/ as the cohort's teacher
  export      the same page's XLSX export
  dashboard   /cabinet/ as a learner half-way through the course

Each page is fetched twice to warm up, then N times; the script prints the
SQL queries of one request and median / p95 / min / max in milliseconds.

    .venv/bin/python bench/courses.py                     # SQLite under var/bench/
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ibc_bench_courses \\
        .venv/bin/python bench/courses.py --runs 50       # PostgreSQL (dropped, created)

Only a PostgreSQL database whose name contains "bench" is accepted: it is
dropped and created again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

LEARNERS = 200
MODULES = 10


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


def fresh_database() -> str:
    """Point DATABASE_URL at an empty database; return a label for the report."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        path = REPO / "var" / "bench" / "courses.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        return f"SQLite {path}"
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not parts.scheme.startswith("postgres") or "bench" not in name:
        sys.exit("DATABASE_URL must be a PostgreSQL database with 'bench' in its name.")
    import psycopg

    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"PostgreSQL {parts.hostname}:{parts.port or 5432}/{name}"


def seed(log) -> dict:
    """The course, the cohort and its records; returns what the timings need."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.utils import timezone
    from wagtail.models import Site

    from core.models import User
    from core.roles import role_group_name
    from core.services.roles import roles_sync
    from lms.assignments.models import AssignmentPage, Review, Submission, SubmissionStatus
    from lms.courses.models import (
        Cohort,
        CohortDeadline,
        CoursePage,
        Enrollment,
        EnrollmentStatus,
        LessonCompletion,
        LessonPage,
        ModulePage,
    )
    from lms.models import CourseIndexPage
    from lms.quizzes.models import AttemptStatus, QuizAttempt, QuizPage

    def publish(parent, page):
        parent.add_child(instance=page)
        page.save_revision().publish()
        page.refresh_from_db()
        return page

    started = time.perf_counter()
    roles_sync()
    root = Site.objects.get(is_default_site=True).root_page
    index = CourseIndexPage.objects.first() or publish(
        root, CourseIndexPage(title="Курсы", slug="courses")
    )
    course = publish(
        index,
        CoursePage(
            title="Школьный ИБЦ: от концепции к практике",
            slug="shkolnyj-ibc",
            annotation="Программа повышения квалификации для педагогов-библиотекарей.",
            hours=36,
            access_mode="free",
        ),
    )
    lessons, quizzes, assignments = [], [], []
    for number in range(1, MODULES + 1):
        module = publish(course, ModulePage(title=f"Модуль {number}", slug=f"modul-{number}"))
        for part in (1, 2):
            lessons.append(
                publish(module, LessonPage(title=f"Урок {number}.{part}", slug=f"urok-{part}"))
            )
        quizzes.append(publish(module, QuizPage(title=f"Тест {number}", slug="test")))
        assignments.append(
            publish(module, AssignmentPage(title=f"Практическая работа {number}", slug="rabota"))
        )
    log(f"pages: {len(lessons) + len(quizzes) + len(assignments) + MODULES + 1}")

    today = timezone.localdate()
    cohort = Cohort.objects.create(
        course=course,
        title="Поток 1",
        starts_on=today - dt.timedelta(days=20),
        ends_on=today + dt.timedelta(days=40),
    )
    for offset, page in enumerate([*quizzes, *assignments]):
        CohortDeadline.objects.create(
            cohort=cohort, page=page, due_at=timezone.now() + dt.timedelta(days=2 + offset)
        )
    teacher = User.objects.create_user(
        email="teacher@bench.invalid", password=None, last_name="Петрова", first_name="Ирина"
    )
    cohort.teachers.add(teacher)
    participants = Group.objects.get(name=role_group_name("participant"))
    learners = User.objects.bulk_create(
        User(
            email=f"learner-{number:03d}@bench.invalid",
            last_name=f"Учащаяся {number:03d}",
            first_name="Мария",
            password=make_password(None),
        )
        for number in range(LEARNERS)
    )
    participants.user_set.add(*learners, teacher)
    now = timezone.now()
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(cohort=cohort, user=user, status=EnrollmentStatus.ENROLLED, enrolled_at=now)
        for user in learners
    )
    QuizAttempt.objects.bulk_create(
        QuizAttempt(
            enrollment=enrollment,
            quiz=quiz,
            number=1,
            status=AttemptStatus.SUBMITTED,
            started_at=now,
            submitted_at=now,
            seed=index,
            max_score=Decimal(10),
            score=Decimal(index % 11),
            percent=Decimal(index % 11 * 10),
            passed=index % 11 >= 7,
        )
        for index, enrollment in enumerate(enrollments)
        for quiz in quizzes
    )
    submissions = Submission.objects.bulk_create(
        Submission(
            enrollment=enrollment,
            assignment=assignment,
            number=1,
            text="Ответ на практическую работу.",
            submitted_at=now,
            status=SubmissionStatus.ACCEPTED if index % 2 else SubmissionStatus.SUBMITTED,
            points=8 if index % 2 else None,
            client_token=f"bench-{enrollment.pk}-{assignment.pk}",
        )
        for index, enrollment in enumerate(enrollments)
        for assignment in assignments
    )
    Review.objects.bulk_create(
        Review(submission=submission, reviewer=teacher, decision="accept", points=8)
        for submission in submissions
        if submission.status == SubmissionStatus.ACCEPTED
    )
    # The dashboard's learner is half-way: half of the lessons done.
    learner = enrollments[0]
    LessonCompletion.objects.bulk_create(
        LessonCompletion(enrollment=learner, page=lesson) for lesson in lessons[: len(lessons) // 2]
    )
    log(
        f"records: {len(enrollments)} learners, {len(enrollments) * len(quizzes)} attempts, "
        f"{len(submissions)} submissions ({time.perf_counter() - started:.1f} s)"
    )
    return {"cohort": cohort, "teacher": teacher, "learner": learner.user}


def timed(client, url: str, *, runs: int, warmup: int = 2) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    # Counted now: Django empties the query log when the next request starts.
    queries = len(captured)
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        durations.append((time.perf_counter() - started) * 1000)
    durations.sort()
    return {
        "queries": queries,
        "median": statistics.median(durations),
        "p95": durations[max(0, round(0.95 * len(durations)) - 1)],
        "min": durations[0],
        "max": durations[-1],
        "bytes": len(response.content),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page")
    args = parser.parse_args()

    database = fresh_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    print(f"machine: {machine()}", flush=True)
    print(f"database: {database}", flush=True)
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrated in {time.perf_counter() - started:.0f} s", flush=True)
    world = seed(lambda line: print(line, flush=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version"
        )
        server = f"{connection.display_name} {cursor.fetchone()[0]}"
    print(
        f"Django {django.get_version()}, {server}, "
        f"CONN_MAX_AGE={settings.DATABASES['default']['CONN_MAX_AGE']}, "
        f"runs={args.runs}\n",
        flush=True,
    )

    teacher, learner = Client(), Client()
    teacher.force_login(world["teacher"])
    learner.force_login(world["learner"])
    gradebook = reverse("lms:assignments:gradebook", args=[world["cohort"].pk])
    targets = [
        ("gradebook 200×20", teacher, gradebook),
        ("gradebook XLSX", teacher, gradebook + "?export=xlsx"),
        ("learner dashboard /cabinet/", learner, "/cabinet/"),
    ]
    print("| page | queries | median ms | p95 ms | min ms | max ms | bytes |")
    print("|---|---|---|---|---|---|---|")
    for label, client, url in targets:
        result = timed(client, url, runs=args.runs)
        print(
            f"| {label} | {result['queries']} | {result['median']:.1f} | {result['p95']:.1f} "
            f"| {result['min']:.1f} | {result['max']:.1f} | {result['bytes']} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
