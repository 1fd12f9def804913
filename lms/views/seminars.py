"""The live seminar room page, ``<event url>room/``.

The page is the shell the WebSocket client (static/js/seminar.js) brings to
life: it renders what is known at request time (the last messages, the
questions, the polls; after the event the whole transcript) so that the room
is readable without JavaScript, and hands the client its configuration and
translated labels in a ``json_script`` block. Entering follows the WebSocket's
rule (``seminar_enter``), so the page never shows a room the socket would refuse.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from lms.models import (
    EventPage,
    RegistrationStatus,
    SeminarPollVote,
    SeminarQuestionVote,
    SeminarRoom,
)
from lms.selectors.events import event_registration_for
from lms.services import seminars as services

TEMPLATE = "lms/seminar_room.html"


def _parse_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _with_time(frames: list[dict]) -> list[dict]:
    """Frames as the socket sends them, plus ``created_at`` (a datetime) for the template."""
    return [{**frame, "created_at": _parse_time(frame["created"])} for frame in frames]


def _questions_by_votes(questions: list[dict]) -> list[dict]:
    # Most supported first; equal votes in the order they were asked (ids grow with time).
    return sorted(questions, key=lambda question: (-question["votes"], question["id"]))


def _with_shares(poll: dict) -> dict:
    total = sum(option["votes"] for option in poll["options"])
    options = [
        {**option, "percent": round(100 * option["votes"] / total) if total else 0}
        for option in poll["options"]
    ]
    return {**poll, "options": options, "total": total}


def _refusal(event: EventPage, user) -> str:
    """Why ``seminar_enter`` said no (close code 4403), in words for the person."""
    registration = event_registration_for(event, user)
    if registration is None or registration.status != RegistrationStatus.REGISTERED:
        return _("The online room is open to the registered participants of the event.")
    opens = event.start - dt.timedelta(minutes=settings.PORTAL_SEMINAR_OPENS_BEFORE)
    if timezone.now() < opens:
        return _("The room opens %(minutes)s minutes before the start, at %(time)s.") % {
            "minutes": settings.PORTAL_SEMINAR_OPENS_BEFORE,
            "time": time_format(timezone.localtime(opens), "H:i"),
        }
    return _("A moderator has removed you from this seminar.")


def _labels() -> dict[str, str]:
    """Every text the client shows; placeholders in the %(name)s style of the catalogue."""
    return {
        "connecting": _("Connecting to the room…"),
        "connected": _("Connected"),
        "reconnecting": _("Connection lost. Reconnecting in %(seconds)s s…"),
        "offline": _("You are offline. The room reconnects when the network is back."),
        "signed_out": _("Your session has ended. Sign in again to continue."),
        "removed": _("You can no longer take part in this seminar."),
        "gone": _("This seminar room no longer exists."),
        "ended": _("The seminar has ended. Reload the page to read the transcript."),
        "not_connected": _("Not connected: try again when the connection is back."),
        "sending": _("sending…"),
        "not_sent": _("not sent"),
        "dismiss": _("Dismiss"),
        "moderator": _("moderator"),
        "you": _("you"),
        "new_window": _("opens in a new window"),
        "message_of": _("the message of %(name)s"),
        "question_of": _("the question of %(name)s"),
        "delete": _("Delete"),
        "mute": _("Mute"),
        "ban": _("Ban"),
        "ban_confirm": _("Ban %(name)s from this seminar? They will not be able to come back."),
        "votes": _("Votes: %(count)s"),
        "support": _("Support"),
        "supported": _("Supported"),
        "answered": _("Answered"),
        "mark_answered": _("Mark as answered"),
        "poll_vote": _("Vote"),
        "poll_closed": _("The poll is closed."),
        "poll_close": _("Close the poll"),
        "poll_voted": _("Your vote is counted."),
        "poll_total": _("Votes in total: %(count)s"),
        "poll_needs_options": _("Give a question and at least two options."),
        "online": _("Online: %(count)s"),
        "chat_close": _("Close the chat"),
        "chat_open": _("Open the chat"),
        "chat_closed": _("A moderator has closed the chat. Questions are still open."),
        "error_invalid": _("The request was not accepted: it is empty or malformed."),
        "error_too_long": _("The text is too long: at most %(max)s characters."),
        "error_rate_limited": _("You are writing too fast. Try again in %(seconds)s s."),
        "error_muted": _("A moderator has muted you. You can write again in %(minutes)s min."),
        "error_chat_closed": _("The chat is closed."),
        "error_forbidden": _("This action is not allowed."),
        "error_not_found": _("It no longer exists."),
        "log_message.delete": _("%(actor)s deleted a message of %(target)s"),
        "log_user.mute": _("%(actor)s muted %(target)s"),
        "log_user.ban": _("%(actor)s banned %(target)s"),
        "log_chat.close": _("%(actor)s closed the chat"),
        "log_chat.open": _("%(actor)s opened the chat"),
        "log_poll.create": _("%(actor)s started a poll"),
        "log_poll.close": _("%(actor)s closed a poll"),
        "log_question.answer": _("%(actor)s marked a question as answered"),
        "log_other": _("%(actor)s: %(action)s"),
    }


def _client_config(event: EventPage, participant: services.Participant, chat_open: bool) -> dict:
    user_id = participant.user_id
    return {
        "seminar": event.pk,
        "wsPath": f"/ws/seminars/{event.pk}/",
        "user": {"id": user_id, "name": participant.name, "role": participant.role},
        "isModerator": participant.is_moderator,
        "chatOpen": chat_open,
        "endsAt": event.end.isoformat(),
        "messageMax": settings.PORTAL_SEMINAR_MESSAGE_MAX,
        # The socket does not say who voted; the page tells the client what this person did.
        "votedQuestions": list(
            SeminarQuestionVote.objects.filter(question__event=event, user_id=user_id).values_list(
                "question_id", flat=True
            )
        ),
        "pollVotes": {
            str(poll_id): option_id
            for poll_id, option_id in SeminarPollVote.objects.filter(
                poll__event=event, user_id=user_id
            ).values_list("poll_id", "option_id")
        },
        "labels": _labels(),
    }


def seminar_room_view(request, event: EventPage):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    breadcrumbs = [*event.get_breadcrumbs(), (event.title, event.url), (_("Online room"), None)]
    try:
        participant = services.seminar_enter(event_id=event.pk, user=request.user)
    except services.AccessDenied as denied:
        if denied.close_code == 4401:
            return redirect_to_login(request.get_full_path())
        if denied.close_code == 4404:
            raise Http404 from denied
        return TemplateResponse(
            request,
            TEMPLATE,
            {
                "event": event,
                "refusal": _refusal(event, request.user),
                "breadcrumbs": breadcrumbs,
            },
            status=403,
        )

    read_only = services.room_is_read_only(event)
    room = SeminarRoom.objects.get(pk=event.pk)
    state = services.room_state(event_id=event.pk)
    questions = _questions_by_votes([f for f in state if f["type"] == "question"])
    polls = [_with_shares(f) for f in state if f["type"] == "poll"]
    # Live: the last messages, as the socket's first history; afterwards: everything.
    chat_messages = services.messages_history(event_id=event.pk, after=0 if read_only else None)
    context = {
        "event": event,
        "participant": participant,
        "is_moderator": participant.is_moderator,
        "read_only": read_only,
        "chat_open": room.chat_open,
        "chat_messages": _with_time(chat_messages),
        "questions": _with_time(questions),
        "answered_questions": _with_time([q for q in questions if q["answered"]]),
        "polls": list(reversed(polls)),
        "message_max": settings.PORTAL_SEMINAR_MESSAGE_MAX,
        "breadcrumbs": breadcrumbs,
    }
    if not read_only:
        context["client_config"] = _client_config(event, participant, room.chat_open)
    return TemplateResponse(request, TEMPLATE, context)
