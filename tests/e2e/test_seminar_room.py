"""The live seminar room in real browsers: chat, questions, a poll, and a reconnect.

``live_server`` speaks HTTP only (WSGI), and the room needs WebSockets, so the test
starts the project's ASGI application (``config.asgi``) under uvicorn, in a thread
of this process like ``live_server``'s own thread. A separate process (channels'
``ChannelsLiveServerTestCase`` runs daphne that way) could not see the test
database of the embedded default, an in-memory SQLite; a thread can. (On PostgreSQL
either works: ``live_server`` makes the test transactional, so its data is committed.)
The browsers load the pages from this server too, so one session cookie serves both.

Two participants and a moderator sit in three browser contexts. The demo webinar
``vebinar-navigator-ibc`` is live (started half an hour ago) and has the demo
participant and moderator registered; a second participant is registered here.
"""

from __future__ import annotations

import re
import socket
import threading
import time

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from tests.e2e.helpers import TIMEOUT_MS, wait_until

pytestmark = pytest.mark.browser

EVENT_SLUG = "vebinar-navigator-ibc"
PARTICIPANT_EMAIL = "participant@demo.ibc-portal.ru"
MODERATOR_EMAIL = "moderator@demo.ibc-portal.ru"


def _ru(message: str) -> str:
    with translation.override("ru"):
        return gettext(message)


class AsgiServer:
    """uvicorn serving the project's ASGI application (HTTP, static files, WebSocket)."""

    def __init__(self):
        import uvicorn
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

        from config.asgi import application

        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.server = uvicorn.Server(
            uvicorn.Config(
                ASGIStaticFilesHandler(application),
                lifespan="off",
                log_level="warning",
                loop="asyncio",
            )
        )
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


@pytest.fixture
def asgi_server(live_site):
    server = AsgiServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def room(live_site):
    """The live demo webinar with a second participant registered; sessions for all three."""
    from core.models import User
    from lms.models import EventPage, EventRegistration, RegistrationStatus
    from tests.factories import UserFactory

    event = EventPage.objects.get(slug=EVENT_SLUG)
    assert event.is_live() and event.is_online and event.online_url
    second = UserFactory(
        role="participant", email="boris@example.org", last_name="Петров", first_name="Борис"
    )
    EventRegistration.objects.create(event=event, user=second, status=RegistrationStatus.REGISTERED)
    people = {
        "anna": User.objects.get(email=PARTICIPANT_EMAIL),
        "boris": second,
        "olga": User.objects.get(email=MODERATOR_EMAIL),
    }
    sessions = {key: _session_of(user) for key, user in people.items()}
    return {"event": event, "people": people, "sessions": sessions}


def _signed_in_context(browser, base_url: str, session: str | None, *, javascript=True):
    context = browser.new_context(
        base_url=base_url,
        locale="ru-RU",
        viewport={"width": 1280, "height": 900},
        java_script_enabled=javascript,
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    if session:
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}]
        )
    return context


def _session_of(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _open_room(browser, server, room, who):
    """A browser context of ``who`` with the room open and connected; also the URLs of
    the WebSockets the page opens, in order."""
    context = _signed_in_context(browser, server.url, room["sessions"][who])
    page = context.new_page()
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    response = page.goto(room["event"].url + "room/")
    assert response.status == 200, (who, response.status)
    expect(page.locator("[data-seminar-status]")).to_have_attribute("data-state", "online")
    return context, page, sockets


# The text of each shown message in order, with its seq; links' screen-reader notes left out.
MESSAGES_JS = """() => Array.from(
    document.querySelectorAll('[data-seminar-messages] > li[data-seq]'),
    (item) => {
        const text = item.querySelector('.seminar-message__text').cloneNode(true);
        text.querySelectorAll('.visually-hidden').forEach((note) => note.remove());
        return [Number(item.dataset.seq), text.textContent];
    })"""


def _shown(page) -> list[tuple[int, str]]:
    return [tuple(row) for row in page.evaluate(MESSAGES_JS)]


def _stored(event) -> list[tuple[int, str]]:
    from lms.models import SeminarMessage

    return list(
        SeminarMessage.objects.filter(event=event, deleted_at__isnull=True)
        .order_by("seq")
        .values_list("seq", "text")
    )


def _wait_for_texts(page, texts: list[str], who: str) -> list[tuple[int, str]]:
    """Wait until the page shows exactly ``texts``, in this order; return (seq, text) pairs."""
    shown = wait_until(
        lambda: _shown(page),
        lambda rows: [text for _seq, text in rows] == texts,
        message=f"{who} does not show the chat as expected: {texts}",
    )
    seqs = [seq for seq, _text in shown]
    assert seqs == sorted(set(seqs)), (who, shown)
    return shown


def _say(page, text: str, *, enter: bool = True) -> None:
    page.fill("#seminar-text", text)
    if enter:
        page.press("#seminar-text", "Enter")
    else:
        page.locator("[data-seminar-composer] button[type=submit]").click()
    expect(page.locator("#seminar-text")).to_have_value("")


def _votes(count: int) -> str:
    return _ru("Votes: %(count)s") % {"count": count}


def test_two_participants_and_a_moderator_chat_ask_vote_and_reconnect(browser, asgi_server, room):
    from lms.models import (
        SeminarConnection,
        SeminarMessage,
        SeminarPoll,
        SeminarPollVote,
        SeminarQuestion,
        SeminarQuestionVote,
    )

    event, people = room["event"], room["people"]
    contexts = {}
    pages = {}
    try:
        sockets = {}
        for who in ("anna", "boris", "olga"):
            contexts[who], pages[who], sockets[who] = _open_room(browser, asgi_server, room, who)
        anna, boris, olga = pages["anna"], pages["boris"], pages["olga"]

        # Everyone is in the room: the list of who is online reaches three.
        for page in pages.values():
            expect(page.locator("[data-seminar-online] li")).to_have_count(3)
            expect(page.locator("[data-seminar-count]")).to_have_text(
                _ru("Online: %(count)s") % {"count": 3}
            )
        # Only the moderator has the moderation panel and the poll form.
        expect(olga.locator("[data-seminar-moderation]")).to_be_visible()
        expect(olga.locator("[data-seminar-poll-create]")).to_be_visible()
        expect(anna.locator("[data-seminar-moderation]")).to_have_count(0)
        expect(anna.locator("[data-seminar-poll-create]")).to_have_count(0)

        # --- chat: each sees the others' messages, in one order ---------------------
        chat = [
            "Добрый день! Материалы будут?",
            "Здравствуйте, <b>коллеги</b>: план на https://example.org/plan?x=1.",
            "Материалы — в разделе ниже.",
        ]
        _say(anna, chat[0])
        for who, page in pages.items():
            _wait_for_texts(page, chat[:1], who)
        _say(boris, chat[1], enter=False)
        for who, page in pages.items():
            _wait_for_texts(page, chat[:2], who)
        _say(olga, chat[2])
        shown = {who: _wait_for_texts(page, chat, who) for who, page in pages.items()}
        stored = _stored(event)
        assert [text for _seq, text in stored] == chat
        assert shown["anna"] == shown["boris"] == shown["olga"] == stored

        # Text stays text; only the http(s) URL became a link, opening safely.
        messages = anna.locator("[data-seminar-messages]")
        expect(messages.locator("b")).to_have_count(0)
        link = messages.locator('a[href="https://example.org/plan?x=1"]')
        expect(link).to_have_count(1)
        expect(link).to_have_attribute("rel", "noopener nofollow")
        expect(link).to_have_attribute("target", "_blank")
        # The moderator may delete, mute and ban participants; participants may not.
        boris_line = olga.locator(f'[data-seminar-messages] li[data-seq="{stored[1][0]}"]')
        for action in (".seminar-delete", ".seminar-mute", ".seminar-ban"):
            expect(boris_line.locator(action)).to_have_count(1)
        expect(anna.locator("[data-seminar-messages] .seminar-delete")).to_have_count(0)

        # --- a question, a vote, an answer --------------------------------------------
        question_text = "Как оформить зону коворкинга в маленькой библиотеке?"
        anna.fill("#seminar-question", question_text)
        anna.locator("[data-seminar-ask] button[type=submit]").click()
        for page in pages.values():
            expect(page.locator("[data-seminar-questions] > li[data-question-id]")).to_have_count(1)
            expect(page.locator(".seminar-question__text")).to_have_text(question_text)
        # One cannot support one's own question; Boris supports it.
        expect(anna.locator(".seminar-vote")).to_be_hidden()
        boris.locator(".seminar-vote").click()
        expect(boris.locator(".seminar-vote")).to_have_attribute("aria-pressed", "true")
        for page in pages.values():
            expect(page.locator(".seminar-question__votes")).to_have_text(_votes(1))
        expect(anna.locator(".seminar-answer")).to_have_count(0)
        olga.locator(".seminar-answer").click()
        for page in pages.values():
            expect(page.locator(".seminar-question .seminar-answered")).to_be_visible()
            expect(page.locator(".seminar-question")).to_have_class(
                re.compile(r"seminar-question--answered")
            )
        expect(olga.locator(".seminar-answer")).to_be_hidden()
        question = SeminarQuestion.objects.get(event=event)
        assert question.author == people["anna"] and question.text == question_text
        assert question.answered_at is not None and question.answered_by == people["olga"]
        assert list(SeminarQuestionVote.objects.values_list("question", "user")) == [
            (question.pk, people["boris"].pk)
        ]

        # --- a poll: created by the moderator, answered by both ---------------------
        olga.fill("#seminar-poll-question", "Какой формат вам удобнее?")
        olga.fill("#seminar-poll-options", "Вебинар\nОчный семинар\n\nЗапись\n")
        olga.locator("[data-seminar-poll-create] button[type=submit]").click()
        for page in pages.values():
            expect(page.locator("[data-seminar-polls] [data-poll-id]")).to_have_count(1)
            expect(page.locator(".seminar-poll h3")).to_have_text("Какой формат вам удобнее?")
        for page, choice in ((anna, "Вебинар"), (boris, "Очный семинар")):
            page.locator(".seminar-poll__form").get_by_label(choice, exact=True).check()
            page.locator(".seminar-poll__form button[type=submit]").click()
            expect(page.locator(".seminar-poll__form")).to_be_hidden()
            expect(page.locator(".seminar-poll__voted")).to_be_visible()
        for page in pages.values():
            results = page.locator(".seminar-results__option")
            expect(results).to_have_count(3)
            expect(results.locator(".seminar-results__count")).to_have_text(
                [f"{_votes(1)} (50 %)", f"{_votes(1)} (50 %)", f"{_votes(0)} (0 %)"]
            )
        poll = SeminarPoll.objects.get(event=event)
        votes = dict(SeminarPollVote.objects.filter(poll=poll).values_list("user", "option__text"))
        assert votes == {people["anna"].pk: "Вебинар", people["boris"].pk: "Очный семинар"}
        # The moderator closes it: everybody sees it closed, with its results.
        olga.locator(".seminar-poll__close").click()
        for page in pages.values():
            expect(page.locator(".seminar-poll")).to_have_class(re.compile(r"seminar-poll--closed"))
            expect(page.locator(".seminar-poll__form")).to_be_hidden()
        poll.refresh_from_db()
        assert not poll.is_open
        # The moderator's log got each step live (moderators only).
        for action in ("question.answer", "poll.create", "poll.close"):
            entry = olga.locator(f'[data-seminar-modlog] li[data-action="{action}"]')
            expect(entry).to_have_count(1)

        # --- the moderator closes the chat for a moment --------------------------------
        toggle = olga.locator("[data-seminar-chat-toggle]")
        expect(toggle).to_have_text(_ru("Close the chat"))
        toggle.click()
        for page in (anna, boris):
            expect(page.locator("[data-seminar-chat-closed]")).to_be_visible()
            expect(page.locator("#seminar-text")).to_be_disabled()
        expect(olga.locator("#seminar-text")).to_be_enabled()
        expect(olga.locator('[data-seminar-modlog] li[data-action="chat.close"]')).to_have_count(1)
        expect(toggle).to_have_text(_ru("Open the chat"))
        toggle.click()
        for page in (anna, boris):
            expect(page.locator("[data-seminar-chat-closed]")).to_be_hidden()
            expect(page.locator("#seminar-text")).to_be_enabled()
        expect(olga.locator('[data-seminar-modlog] li[data-action="chat.open"]')).to_have_count(1)

        # --- Anna loses the network; the others go on -------------------------------
        before = _stored(event)
        contexts["anna"].set_offline(True)
        expect(anna.locator("[data-seminar-status]")).to_have_attribute("data-state", "offline")
        absent = ["Пока вас нет: первое.", "Пока вас нет: второе."]
        _say(boris, absent[0])
        for who in ("boris", "olga"):
            _wait_for_texts(pages[who], chat + absent[:1], who)
        _say(olga, absent[1])
        for who in ("boris", "olga"):
            _wait_for_texts(pages[who], chat + absent, who)
        # Anna typed while offline: the message waits in her outbox.
        returning = "Я вернулась: связь пропадала."
        _say(anna, returning)
        pending = anna.locator("[data-seminar-messages] > li[data-pending]")
        expect(pending).to_have_count(1)
        expect(pending.locator(".seminar-pending__state")).to_have_text(_ru("sending…"))
        assert [text for _seq, text in _shown(anna)] == chat
        assert not SeminarMessage.objects.filter(text=returning).exists()

        # Back online: the page reconnects by itself, fetches what it missed and sends
        # the outbox; everybody ends with the same messages, each once, in seq order.
        contexts["anna"].set_offline(False)
        expect(anna.locator("[data-seminar-status]")).to_have_attribute("data-state", "online")
        final = chat + absent + [returning]
        shown = {who: _wait_for_texts(page, final, who) for who, page in pages.items()}
        expect(pending).to_have_count(0)
        stored = _stored(event)
        assert [text for _seq, text in stored] == final
        assert shown["anna"] == shown["boris"] == shown["olga"] == stored
        assert SeminarMessage.objects.filter(event=event, text=returning).count() == 1
        # The reconnect asked only for what came after the last message Anna had.
        assert len(sockets["anna"]) == 2, sockets["anna"]
        assert sockets["anna"][1].endswith(f"?after={before[-1][0]}"), sockets["anna"]
        # Questions and polls were not duplicated by the second connection's state.
        expect(anna.locator("[data-seminar-questions] > li[data-question-id]")).to_have_count(1)
        expect(anna.locator("[data-seminar-polls] [data-poll-id]")).to_have_count(1)
        # Attendance saw the gap: Anna's first connection closed, a second one opened.
        connections = list(
            SeminarConnection.objects.filter(event=event, user=people["anna"]).order_by("pk")
        )
        assert len(connections) == 2, connections
        assert connections[0].disconnected_at is not None
        assert connections[1].disconnected_at is None

        # --- moderation: delete a message, mute, then ban Boris --------------------------
        first_absent = SeminarMessage.objects.get(event=event, text=absent[0])
        olga.locator(
            f'[data-seminar-messages] li[data-id="{first_absent.pk}"] .seminar-delete'
        ).click()
        remaining = [text for text in final if text != absent[0]]
        for who, page in pages.items():
            _wait_for_texts(page, remaining, who)
        first_absent.refresh_from_db()
        assert first_absent.deleted_by == people["olga"]
        log = olga.locator("[data-seminar-modlog] li")
        expect(log.and_(olga.locator('[data-action="message.delete"]'))).to_have_count(1)

        olga.fill("#seminar-mute-minutes", "5")
        boris_seq = SeminarMessage.objects.get(event=event, text=chat[1]).seq
        boris_message = olga.locator(f'[data-seminar-messages] li[data-seq="{boris_seq}"]')
        boris_message.locator(".seminar-mute").click()
        expect(log.and_(olga.locator('[data-action="user.mute"]'))).to_have_count(1)
        _say(boris, "Можно ещё вопрос?")
        failed = boris.locator("[data-seminar-messages] > li.seminar-pending--failed")
        expect(failed).to_have_count(1)
        expect(boris.locator("[data-seminar-error]")).to_have_text(
            _ru("A moderator has muted you. You can write again in %(minutes)s min.")
            % {"minutes": 5}
        )
        assert not SeminarMessage.objects.filter(text="Можно ещё вопрос?").exists()

        olga.once("dialog", lambda dialog: dialog.accept())
        boris_message.locator(".seminar-ban").click()
        expect(boris.locator("[data-seminar-status]")).to_have_attribute("data-state", "closed")
        expect(boris.locator("[data-seminar-status]")).to_have_text(
            _ru("You can no longer take part in this seminar.")
        )
        expect(boris.locator("[data-seminar-composer]")).to_be_hidden()
        expect(olga.locator("[data-seminar-online] li")).to_have_count(2)
        response = boris.goto(event.url + "room/")
        assert response.status == 403
        expect(boris.locator(".seminar-refusal")).to_have_text(
            _ru("A moderator has removed you from this seminar.")
        )
    finally:
        for context in contexts.values():
            context.close()


def _seed_room(event, people) -> dict:
    """Two messages, an answered and an open question, a poll with one vote, as the socket
    would leave them (through the same services; ids are read back from the database)."""
    from lms.models import SeminarPoll, SeminarQuestion
    from lms.services import seminars as services

    anna = services.seminar_enter(event_id=event.pk, user=people["anna"])
    olga = services.seminar_enter(event_id=event.pk, user=people["olga"])
    texts = [
        "<script>alert('x')</script> Смотрите https://example.org/a",
        "Спасибо, <i>коллеги</i>!",
    ]
    services.seminar_message_post(
        event_id=event.pk, participant=anna, text=texts[0], client_id="a1"
    )
    services.seminar_message_post(
        event_id=event.pk, participant=olga, text=texts[1], client_id="o1"
    )
    services.seminar_question_ask(
        event_id=event.pk, participant=anna, text="Где взять шаблоны?", client_id="q1"
    )
    services.seminar_question_answer(
        event_id=event.pk,
        participant=olga,
        question_id=SeminarQuestion.objects.get(event=event, client_id="q1").pk,
    )
    services.seminar_question_ask(
        event_id=event.pk, participant=anna, text="А запись будет?", client_id="q2"
    )
    services.seminar_poll_create(
        event_id=event.pk, participant=olga, question="Удобно ли время?", options=["Да", "Нет"]
    )
    poll = SeminarPoll.objects.get(event=event)
    services.seminar_poll_vote(
        event_id=event.pk,
        participant=anna,
        poll_id=poll.pk,
        option_id=poll.options.order_by("position").first().pk,
    )
    return {"texts": texts}


def test_room_access_without_javascript_and_the_transcript(browser, live_site, room):
    """Over plain HTTP (no socket needed): who may enter, the page without JavaScript,
    the participant's waiting time before the start, and the transcript after the end."""
    import datetime as dt

    from django.utils import timezone

    from core.models import User
    from lms.models import EventPage

    event, people = room["event"], room["people"]
    room_path = event.url + "room/"
    seeded = _seed_room(event, people)
    base = live_site.url
    contexts = []
    try:
        # Anonymous: to the sign-in form, and back here afterwards.
        anonymous = _signed_in_context(browser, base, None)
        contexts.append(anonymous)
        page = anonymous.new_page()
        page.goto(room_path)
        expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
        assert "room" in page.url

        # Signed in but not registered: 403 with the reason.
        expert = User.objects.get(email="expert@demo.ibc-portal.ru")
        outsider = _signed_in_context(browser, base, _session_of(expert))
        contexts.append(outsider)
        page = outsider.new_page()
        response = page.goto(room_path)
        assert response.status == 403
        expect(page.locator(".seminar-refusal")).to_have_text(
            _ru("The online room is open to the registered participants of the event.")
        )
        page.goto(event.url)
        expect(page.locator(f'.event-facts a[href="{room_path}"]')).to_have_count(0)

        # A registered participant without JavaScript: the event page leads to the room,
        # which shows the broadcast link and the chat as it was, as text.
        context = _signed_in_context(browser, base, room["sessions"]["anna"], javascript=False)
        contexts.append(context)
        page = context.new_page()
        page.goto(event.url)
        entry = page.locator(f'.event-facts a[href="{room_path}"]')
        expect(entry).to_have_text(_ru("Enter the online room"))
        entry.click()
        expect(page).to_have_url(re.compile(re.escape(room_path) + "$"))
        expect(page.locator("main h1")).to_have_text(event.title)
        broadcast = page.locator(".seminar-stream a")
        expect(broadcast).to_have_attribute("href", event.online_url)
        expect(page.locator("noscript .message")).to_contain_text(
            _ru(
                "The live chat, questions and polls need JavaScript. Below are the messages as "
                "they were when the page was loaded: reload the page to see new ones."
            )
        )
        texts = page.locator("[data-seminar-messages] > li[data-seq] .seminar-message__text")
        expect(texts).to_have_text(seeded["texts"])
        expect(
            page.locator("[data-seminar-messages] script, [data-seminar-messages] i")
        ).to_have_count(0)
        expect(
            page.locator('[data-seminar-messages] a[href="https://example.org/a"]')
        ).to_have_count(1)
        expect(page.locator("[data-seminar-composer]")).to_be_hidden()
        expect(page.locator("[data-seminar-questions] > li")).to_have_count(2)
        expect(page.locator(".seminar-poll h3")).to_have_text("Удобно ли время?")

        # Before the room opens: participants wait (and are told until when), staff may enter.
        start = timezone.now() + dt.timedelta(hours=2)
        EventPage.objects.filter(pk=event.pk).update(start=start, end=start + dt.timedelta(hours=1))
        response = page.goto(room_path)
        assert response.status == 403
        opens = timezone.localtime(
            start - dt.timedelta(minutes=settings.PORTAL_SEMINAR_OPENS_BEFORE)
        )
        expect(page.locator(".seminar-refusal")).to_have_text(
            _ru("The room opens %(minutes)s minutes before the start, at %(time)s.")
            % {"minutes": settings.PORTAL_SEMINAR_OPENS_BEFORE, "time": opens.strftime("%H:%M")}
        )
        # (No JavaScript: this HTTP-only server has no socket to connect to.)
        moderator = _signed_in_context(browser, base, room["sessions"]["olga"], javascript=False)
        contexts.append(moderator)
        assert moderator.new_page().goto(room_path).status == 200

        # After the end: read-only, the whole chat and the answered questions, no client.
        start = timezone.now() - dt.timedelta(hours=3)
        EventPage.objects.filter(pk=event.pk).update(start=start, end=start + dt.timedelta(hours=2))
        page.goto(event.url)
        expect(page.locator(f'.event-facts a[href="{room_path}"]')).to_have_text(
            _ru("Chat transcript of the online room")
        )
        response = page.goto(room_path)
        assert response.status == 200
        expect(page.locator("#seminar-chat-title")).to_have_text(_ru("Chat transcript"))
        expect(texts).to_have_text(seeded["texts"])
        expect(page.locator("[data-seminar-questions] > li .seminar-question__text")).to_have_text(
            ["Где взять шаблоны?"]
        )
        for absent in (
            "[data-seminar-composer]",
            "[data-seminar-ask]",
            "#seminar-config",
            "noscript",
        ):
            expect(page.locator(absent)).to_have_count(0)
    finally:
        for context in contexts:
            context.close()


def test_seminar_room_has_no_serious_axe_violations(browser, asgi_server, room, axe_report):
    """WCAG 2.1 A/AA by axe-core: the live room of a moderator and of a participant, with
    messages, questions and a poll in it, and the transcript after the end."""
    import datetime as dt

    from django.utils import timezone

    from lms.models import EventPage

    event = room["event"]
    _seed_room(event, room["people"])
    contexts = []
    try:
        problems = []
        for who in ("olga", "anna"):
            context, page, _sockets = _open_room(browser, asgi_server, room, who)
            contexts.append(context)
            expect(page.locator("[data-seminar-messages] > li[data-seq]")).to_have_count(2)
            expect(page.locator("[data-seminar-online] li")).not_to_have_count(0)
            problems += axe_report(page, f"seminar room ({who})")
        start = timezone.now() - dt.timedelta(hours=3)
        EventPage.objects.filter(pk=event.pk).update(start=start, end=start + dt.timedelta(hours=2))
        page.reload()
        expect(page.locator("[data-seminar-composer]")).to_have_count(0)
        problems += axe_report(page, "seminar transcript")
        assert not problems, "axe-core found serious/critical WCAG 2.1 AA violations:\n" + (
            "\n".join(problems)
        )
    finally:
        for context in contexts:
            context.close()
