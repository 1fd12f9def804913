"""Seminar attendance: interval arithmetic, the summary, connections recorded by the
consumer, and the organisers' attendance sheet, exports and transcript."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.utils import timezone, translation

from lms.models import (
    EventRegistration,
    RegistrationStatus,
    SeminarConnection,
    SeminarMessage,
    SeminarQuestion,
    SeminarRoom,
    SeminarSanction,
)
from lms.realtime import hub as hub_module
from lms.realtime.routing import websocket_urlpatterns
from lms.selectors.seminars import merge_intervals, seminar_attendance
from lms.services.events import event_register

MIN = dt.timedelta(minutes=1)
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def ru(text: str) -> str:
    with translation.override(django_settings.LANGUAGE_CODE):
        return translation.gettext(text)


# --- merge_intervals ------------------------------------------------------------------------


def test_merge_of_nothing_is_nothing():
    assert merge_intervals([], gap=dt.timedelta(seconds=120)) == []


def test_overlapping_tabs_are_counted_once():
    intervals = [(at(25), at(40)), (at(0), at(30)), (at(10), at(20)), (at(50), at(60))]
    assert merge_intervals(intervals, gap=dt.timedelta(0)) == [(at(0), at(40)), (at(50), at(60))]


def test_touching_intervals_are_merged_without_a_gap_allowance():
    assert merge_intervals([(at(0), at(10)), (at(10), at(20))], gap=dt.timedelta(0)) == [
        (at(0), at(20))
    ]


def test_short_pauses_are_bridged_and_longer_ones_are_not():
    gap = dt.timedelta(seconds=120)
    exactly = [(at(0), at(10)), (at(10) + gap, at(20))]
    assert merge_intervals(exactly, gap=gap) == [(at(0), at(20))]
    shorter = [(at(0), at(10)), (at(10.5), at(20))]
    assert merge_intervals(shorter, gap=gap) == [(at(0), at(20))]
    longer = [(at(0), at(10)), (at(10) + gap + dt.timedelta(seconds=1), at(20))]
    assert merge_intervals(longer, gap=gap) == longer
    # A short tab inside a long one does not cut it short.
    assert merge_intervals([(at(0), at(60)), (at(5), at(6))], gap=gap) == [(at(0), at(60))]


# --- seminar_attendance -------------------------------------------------------------------


@pytest.fixture
def people(make_user, participant, consent_text):
    make = make_user
    return {
        "anna": participant,  # Соколова
        "boris": make("participant", email="boris@example.org", last_name="Борисов"),
        "vera": make("participant", email="vera@example.org", last_name="Веселова"),
        "gleb": make("methodist", email="gleb@example.org", last_name="Глебов"),
        "dina": make("participant", email="dina@example.org", last_name="Дымова"),
    }


def connect_rows(event, user, *spans):
    for start, end in spans:
        SeminarConnection.objects.create(
            event=event,
            user=user,
            connected_at=at(start),
            disconnected_at=None if end is None else at(end),
        )


@pytest.fixture
def past_seminar(make_event, people):
    """A two-hour seminar at T0 (in the past) with connections of several kinds."""
    event = make_event(start=timezone.now() - dt.timedelta(days=1))
    # Move it to T0 without the registration rules interfering.
    event.start, event.end = T0, at(120)
    event.save()
    for name in ("anna", "boris", "vera"):
        EventRegistration.objects.create(
            event=event, user=people[name], status=RegistrationStatus.REGISTERED
        )
    EventRegistration.objects.create(
        event=event, user=people["dina"], status=RegistrationStatus.CANCELLED
    )
    # Anna: early join (clipped), a second tab overlapping, a reconnect after 1 minute.
    connect_rows(event, people["anna"], (-10, 30), (20, 50), (51, 60))
    # Boris: 10 minutes, a 10-minute pause (not bridged), then stays past the end (clipped).
    connect_rows(event, people["boris"], (80, 90), (100, 150))
    # Gleb (an organiser, not registered): the whole event.
    connect_rows(event, people["gleb"], (-1, 121))
    # Vera registered and never came; Dina cancelled and never came.
    return event


def rows_by_email(rows):
    return {row.user.email: row for row in rows}


def test_attendance_clips_merges_and_lists_registered_people(past_seminar, people):
    rows = seminar_attendance(past_seminar)
    assert [row.user.email for row in rows] == [
        "boris@example.org",
        "vera@example.org",
        "gleb@example.org",
        "anna@example.org",
    ]  # by last name: Борисов, Веселова, Глебов, Соколова
    by = rows_by_email(rows)
    anna = by["anna@example.org"]
    assert (anna.minutes, anna.percent, anna.registered) == (60, 50.0, True)
    assert (anna.first_join, anna.last_leave) == (at(-10), at(60))
    boris = by["boris@example.org"]
    assert (boris.minutes, boris.percent) == (30, 25.0)
    assert (boris.first_join, boris.last_leave) == (at(80), at(150))
    gleb = by["gleb@example.org"]
    assert (gleb.minutes, gleb.percent, gleb.registered) == (120, 100.0, False)
    vera = by["vera@example.org"]
    assert (vera.minutes, vera.percent, vera.registered) == (0, 0.0, True)
    assert vera.first_join is None and vera.last_leave is None
    assert "dina@example.org" not in by
    assert gleb.meets(80) and not anna.meets(80) and anna.meets(50)


def test_a_connection_entirely_outside_the_event_counts_nothing(past_seminar, people):
    connect_rows(past_seminar, people["vera"], (-60, -30), (130, 140))
    vera = rows_by_email(seminar_attendance(past_seminar))["vera@example.org"]
    assert (vera.minutes, vera.percent) == (0, 0.0)
    assert (vera.first_join, vera.last_leave) == (at(-60), at(140))


def test_an_open_connection_counts_until_now_or_the_end(past_seminar, people):
    connect_rows(past_seminar, people["vera"], (-5, None))
    during = rows_by_email(seminar_attendance(past_seminar, now=at(30)))["vera@example.org"]
    assert (during.minutes, during.percent, during.last_leave) == (30, 25.0, at(30))
    after = rows_by_email(seminar_attendance(past_seminar, now=at(500)))["vera@example.org"]
    assert (after.minutes, after.percent, after.last_leave) == (120, 100.0, at(120))


def test_percent_is_of_the_event_duration(past_seminar, people):
    connect_rows(past_seminar, people["vera"], (0, 45))
    vera = rows_by_email(seminar_attendance(past_seminar))["vera@example.org"]
    assert (vera.minutes, vera.percent) == (45, 37.5)


def test_gap_setting_is_respected(past_seminar, people, settings):
    settings.PORTAL_SEMINAR_ATTENDANCE_GAP = 15 * 60
    boris = rows_by_email(seminar_attendance(past_seminar))["boris@example.org"]
    assert boris.minutes == 40  # the 10-minute pause is now bridged


# --- connections recorded by the consumer --------------------------------------------------


@pytest.fixture
def _fresh_realtime():
    channel_layers.backends = {}
    yield
    hub_module._hubs.clear()
    hub_module._locks.clear()
    channel_layers.backends = {}


async def _next(communicator, timeout=3.0):
    """The next frame without ``receive_output``'s habit of killing the app on timeout."""
    out = await asyncio.wait_for(communicator.output_queue.get(), timeout)
    if out["type"] == "websocket.close":
        return {"type": "close", "code": out["code"]}
    return json.loads(out["text"])


async def _until(communicator, kind):
    for _ in range(50):
        frame = await _next(communicator)
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame")


@pytest.mark.django_db
@pytest.mark.usefixtures("_fresh_realtime")
def test_the_consumer_records_connections(make_event, participant, make_user):
    event = make_event(start=timezone.now() - dt.timedelta(minutes=5))
    event_register(event_id=event.pk, user=participant)
    stranger = make_user("participant", email="stranger@example.org")
    app = URLRouter(websocket_urlpatterns)
    rows = SeminarConnection.objects.filter(event=event)

    async def connected(user):
        communicator = WebsocketCommunicator(app, f"/ws/seminars/{event.pk}/")
        communicator.scope["user"] = user
        assert (await communicator.connect())[0]
        return communicator

    async def scenario():
        before = timezone.now()
        first = await connected(participant)
        second = await connected(participant)
        for communicator in (first, second):
            await communicator.send_json_to({"type": "ping"})  # connect() has finished
            await _until(communicator, "pong")
        opened = [r async for r in rows.order_by("pk")]
        assert len(opened) == 2
        assert all(r.user_id == participant.pk and r.disconnected_at is None for r in opened)
        assert all(before <= r.connected_at <= timezone.now() for r in opened)

        await first.disconnect()
        closed = await rows.aget(pk=opened[0].pk)
        assert before <= closed.disconnected_at <= timezone.now()
        assert (await rows.aget(pk=opened[1].pk)).disconnected_at is None
        await second.disconnect()
        assert not await rows.filter(disconnected_at__isnull=True).aexists()

        # Refused connections are not attendance.
        refused = await connected(stranger)
        assert await _next(refused) == {"type": "close", "code": 4403}
        await refused.disconnect()
        await SeminarSanction.objects.acreate(
            event=event, user=participant, kind=SeminarSanction.Kind.BAN, created_by=stranger
        )
        banned = await connected(participant)
        assert await _next(banned) == {"type": "close", "code": 4403}
        await banned.disconnect()
        assert await rows.acount() == 2

    async_to_sync(scenario)()
    row = rows_by_email(seminar_attendance(event))[participant.email]
    assert row.registered and row.first_join is not None


# --- the organisers' sheet, exports and transcript ---------------------------------------


def expected_rows(event, people):
    def line(name, registered, minutes, percent, first, last):
        user = people[name]
        local = lambda value: timezone.localtime(value).strftime("%d.%m.%Y %H:%M") if value else ""  # noqa: E731
        return [
            user.get_full_name(),
            user.email,
            ru("yes") if registered else ru("no"),
            minutes,
            percent,
            local(first),
            local(last),
            ru("yes") if percent >= event.attendance_threshold else ru("no"),
        ]

    return [
        line("boris", True, 30, 25.0, at(80), at(150)),
        line("vera", True, 0, 0.0, None, None),
        line("gleb", False, 120, 100.0, at(-1), at(121)),
        line("anna", True, 60, 50.0, at(-10), at(60)),
    ]


HEADERS = [
    "Full name",
    "Email",
    "Registered",
    "Minutes",
    "Share of the event, %",
    "First joined",
    "Last left",
    "Certificate threshold met",
]


def test_the_attendance_sheet_is_for_organisers_only(client, past_seminar, people):
    url = past_seminar.url + "attendance/"
    for suffix in ("", "?export=csv", "?export=xlsx"):
        response = client.get(url + suffix)
        assert response.status_code == 302, suffix
        assert "login" in response["Location"] and "next=" in response["Location"]
    client.force_login(people["anna"])
    for suffix in ("", "?export=csv", "?export=xlsx"):
        assert client.get(url + suffix).status_code == 403, suffix

    client.force_login(people["gleb"])  # a methodist
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("anna", "boris", "vera", "gleb"):
        assert people[name].get_full_name() in page
    assert people["dina"].get_full_name() not in page


def test_csv_export_reads_back(client, past_seminar, people):
    client.force_login(people["gleb"])
    response = client.get(past_seminar.url + "attendance/", {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="attendance-{past_seminar.pk}.csv"' in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [ru(h) for h in HEADERS]
    expected = [[str(value) for value in row] for row in expected_rows(past_seminar, people)]
    assert rows[1:] == expected


def test_xlsx_export_reads_back(client, past_seminar, people):
    from openpyxl import load_workbook

    client.force_login(people["gleb"])
    response = client.get(past_seminar.url + "attendance/", {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == past_seminar.title
    assert list(rows[1]) == [ru(h) for h in HEADERS]
    # Empty cells read back as None.
    expected = [
        [None if value == "" else value for value in row]
        for row in expected_rows(past_seminar, people)
    ]
    assert [list(row) for row in rows[2:]] == expected


def test_transcript_holds_the_chat_in_seq_order_without_deleted_messages(
    client, past_seminar, people
):
    SeminarRoom.objects.create(event=past_seminar, last_seq=4)
    texts = {1: "Здравствуйте!", 2: "Реклама казино", 3: "Где презентация?", 4: "<b>Спасибо</b>"}
    # Stored in another order than seq, to check the ordering.
    for seq in (3, 1, 4, 2):
        SeminarMessage.objects.create(
            event=past_seminar,
            seq=seq,
            author=people["anna"] if seq != 2 else people["boris"],
            text=texts[seq],
            client_id=f"c{seq}",
            deleted_at=timezone.now() if seq == 2 else None,
        )
    SeminarQuestion.objects.create(
        event=past_seminar,
        author=people["boris"],
        text="Будет ли запись?",
        client_id="q1",
        answered_at=timezone.now(),
    )
    SeminarQuestion.objects.create(
        event=past_seminar, author=people["vera"], text="Без ответа?", client_id="q2"
    )
    url = past_seminar.url + "transcript/"
    assert client.get(url).status_code == 302
    client.force_login(people["anna"])
    assert client.get(url).status_code == 403

    client.force_login(people["gleb"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert f'filename="transcript-{past_seminar.pk}.txt"' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == past_seminar.title
    chat = [line for line in lines if line.startswith("[")]
    assert [line.split("] ", 1)[1] for line in chat] == [
        f"#1 {people['anna'].get_full_name()}: Здравствуйте!",
        f"#3 {people['anna'].get_full_name()}: Где презентация?",
        f"#4 {people['anna'].get_full_name()}: <b>Спасибо</b>",
    ]
    assert "Реклама казино" not in text
    assert f"— {people['boris'].get_full_name()}: Будет ли запись?" in lines
    assert "Без ответа?" not in text
