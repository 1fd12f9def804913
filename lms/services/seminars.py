"""Writes of the live seminar room. Called by the WebSocket consumer through
``database_sync_to_async``; each returns the frames to broadcast, and the consumer
broadcasts them only after the service's transaction has committed (it has
returned), so nobody sees what was not stored.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from core.models import User
from lms.models import (
    EventPage,
    EventRegistration,
    RegistrationStatus,
    SeminarConnection,
    SeminarMessage,
    SeminarModerationAction,
    SeminarPoll,
    SeminarPollOption,
    SeminarPollVote,
    SeminarQuestion,
    SeminarQuestionVote,
    SeminarRoom,
    SeminarSanction,
)
from lms.realtime import schemas

CLIENT_ID_MAX = 64
POLL_OPTIONS_MAX = 10
MUTE_MINUTES_MAX = 24 * 60


class SeminarError(Exception):
    """A refused frame: becomes ``{"type": "error", "code": ...}`` for the sender only."""

    def __init__(self, code: str, *, retry_after: int | None = None):
        assert code in schemas.ERROR_CODES, code
        super().__init__(code)
        self.code = code
        self.retry_after = retry_after


class AccessDenied(Exception):
    def __init__(self, close_code: int):
        super().__init__(close_code)
        self.close_code = close_code


@dataclass(frozen=True)
class Participant:
    """Who is connected, as the consumer keeps it for the connection's life."""

    user_id: int
    name: str
    role: str  # "moderator" or "participant"

    @property
    def is_moderator(self) -> bool:
        return self.role == "moderator"

    def person(self) -> schemas.Person:
        return schemas.Person(id=self.user_id, name=self.name, role=self.role)


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def can_moderate(user: User) -> bool:
    return user.is_active and (user.is_superuser or user.has_perm("lms.moderate_seminar"))


def seminar_enter(*, event_id: int, user) -> Participant:
    """Check the right to enter the room; raise :class:`AccessDenied` with the close code."""
    if user is None or not user.is_authenticated:
        raise AccessDenied(4401)
    event = EventPage.objects.live().filter(pk=event_id).first()
    if event is None or not event.is_online:
        raise AccessDenied(4404)
    moderator = can_moderate(user)
    # Speakers, moderators and staff may always enter; participants need a place.
    if not moderator and not user.is_staff:
        if SeminarSanction.objects.filter(
            event=event, user=user, kind=SeminarSanction.Kind.BAN
        ).exists():
            raise AccessDenied(4403)
        registered = EventRegistration.objects.filter(
            event=event, user=user, status=RegistrationStatus.REGISTERED
        ).exists()
        opens = event.start - dt.timedelta(minutes=settings.PORTAL_SEMINAR_OPENS_BEFORE)
        if not registered or timezone.now() < opens:
            raise AccessDenied(4403)
    SeminarRoom.objects.get_or_create(event=event)
    return Participant(
        user_id=user.pk,
        name=user.get_full_name() or user.email,
        role="moderator" if moderator else "participant",
    )


def room_is_read_only(event: EventPage, *, now: dt.datetime | None = None) -> bool:
    return event.is_past(now) or event.is_cancelled


# --- serialisation -------------------------------------------------------------


def moderator_ids(user_ids) -> set[int]:
    """Which of these users may moderate, in one query (not a ``has_perm`` per author)."""
    user_ids = set(user_ids)
    if not user_ids:
        return set()
    right = Q(
        user_permissions__codename="moderate_seminar",
        user_permissions__content_type__app_label="lms",
    ) | Q(
        groups__permissions__codename="moderate_seminar",
        groups__permissions__content_type__app_label="lms",
    )
    return set(
        User.objects.filter(Q(is_superuser=True) | right, pk__in=user_ids, is_active=True)
        .values_list("pk", flat=True)
        .distinct()
    )


def _role(user_id: int, moderators: set[int]) -> str:
    return "moderator" if user_id in moderators else "participant"


def message_frame(message: SeminarMessage, *, role: str | None = None) -> schemas.Message:
    author = message.author
    return schemas.Message(
        seq=message.seq,
        id=message.pk,
        author=schemas.Person(
            id=author.pk,
            name=author.get_full_name() or author.email,
            role=role or _role(author.pk, moderator_ids([author.pk])),
        ),
        text=message.text,
        created=_iso(message.created_at),
        client_id=message.client_id,
    )


def messages_history(*, event_id: int, after: int | None) -> list[dict]:
    messages = SeminarMessage.objects.filter(event_id=event_id, deleted_at__isnull=True)
    if after is not None:
        messages = messages.filter(seq__gt=after).order_by("seq")[:5000]
    else:
        messages = reversed(list(messages.order_by("-seq")[: settings.PORTAL_SEMINAR_HISTORY]))
    messages = list(messages)
    authors = {m.author_id for m in messages}
    users = {u.pk: u for u in User.objects.filter(pk__in=authors)}
    moderators = moderator_ids(authors)
    frames = []
    for message in messages:
        message.author = users[message.author_id]
        role = _role(message.author_id, moderators)
        frames.append(message_frame(message, role=role).to_dict())
    return frames


def messages_deleted(*, event_id: int, upto: int, limit: int = 500) -> list[int]:
    """Ids of deleted messages numbered up to ``upto``: a client that reconnects with
    ``?after=`` may still show them, so it is told again."""
    return list(
        SeminarMessage.objects.filter(event_id=event_id, seq__lte=upto, deleted_at__isnull=False)
        .order_by("-seq")
        .values_list("pk", flat=True)[:limit]
    )


def messages_range(*, event_id: int, after: int, upto: int) -> list[tuple[int, dict | None]]:
    """Messages with ``after < seq <= upto`` for filling a gap; deleted ones as ``None``."""
    messages = (
        SeminarMessage.objects.filter(event_id=event_id, seq__gt=after, seq__lte=upto)
        .select_related("author")
        .order_by("seq")
    )
    messages = list(messages)
    moderators = moderator_ids(m.author_id for m in messages)
    return [
        (
            m.seq,
            None
            if m.deleted_at
            else message_frame(m, role=_role(m.author_id, moderators)).to_dict(),
        )
        for m in messages
    ]


def question_frame(
    question: SeminarQuestion, *, votes: int | None = None, role: str | None = None
) -> schemas.Question:
    if votes is None:
        votes = question.votes.count()
    return schemas.Question(
        id=question.pk,
        text=question.text,
        author=schemas.Person(
            id=question.author_id,
            name=question.author.get_full_name() or question.author.email,
            role=role or _role(question.author_id, moderator_ids([question.author_id])),
        ),
        votes=votes,
        answered=question.answered_at is not None,
        created=_iso(question.created_at),
        client_id=question.client_id,
    )


def poll_frame(poll: SeminarPoll) -> schemas.Poll:
    options = poll.options.annotate(vote_count=Count("votes")).order_by("position")
    return schemas.Poll(
        id=poll.pk,
        question=poll.question,
        options=[schemas.PollOption(id=o.pk, text=o.text, votes=o.vote_count) for o in options],
        open=poll.is_open,
    )


def room_state(*, event_id: int) -> list[dict]:
    """Questions and polls of the room, for someone who just connected."""
    questions = (
        SeminarQuestion.objects.filter(event_id=event_id)
        .select_related("author")
        .annotate(vote_count=Count("votes"))
        .order_by("created_at")
    )
    questions = list(questions)
    moderators = moderator_ids(q.author_id for q in questions)
    frames = [
        question_frame(q, votes=q.vote_count, role=_role(q.author_id, moderators)).to_dict()
        for q in questions
    ]
    frames += [
        poll_frame(poll).to_dict()
        for poll in SeminarPoll.objects.filter(event_id=event_id).order_by("created_at")
    ]
    return frames


def question_state(*, question_id: int) -> dict | None:
    question = SeminarQuestion.objects.select_related("author").filter(pk=question_id).first()
    return question_frame(question).to_dict() if question else None


def poll_state(*, poll_id: int) -> dict | None:
    poll = SeminarPoll.objects.filter(pk=poll_id).first()
    return poll_frame(poll).to_dict() if poll else None


def moderation_log(*, event_id: int, limit: int = 50) -> list[dict]:
    actions = (
        SeminarModerationAction.objects.filter(event_id=event_id)
        .select_related("actor", "target_user")
        .order_by("-created_at")[:limit]
    )
    return [_moderation_frame(a).to_dict() for a in reversed(list(actions))]


def _moderation_frame(action: SeminarModerationAction) -> schemas.Moderation:
    target = action.target_user
    return schemas.Moderation(
        action=action.action,
        actor=schemas.Person(
            id=action.actor_id,
            name=action.actor.get_full_name() or action.actor.email,
            role="moderator",
        ),
        target_user=(
            schemas.Person(id=target.pk, name=target.get_full_name() or target.email)
            if target
            else None
        ),
        target_id=action.target_id,
        created=_iso(action.created_at),
        # The deleted text stays in the database for the audit, not in the frame.
        data={k: v for k, v in action.data.items() if k != "text"},
    )


# --- checks ----------------------------------------------------------------------


def _text(raw, *, limit: int) -> str:
    if not isinstance(raw, str):
        raise SeminarError("invalid")
    text = raw.strip()
    if not text:
        raise SeminarError("invalid")
    if len(text) > limit:
        raise SeminarError("too_long")
    return text


def _client_id(raw) -> str:
    if not isinstance(raw, str) or not 1 <= len(raw) <= CLIENT_ID_MAX:
        raise SeminarError("invalid")
    return raw


ID_MAX = 2**63 - 1


def _positive_id(raw) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 < raw <= ID_MAX:
        raise SeminarError("invalid")
    return raw


def _check_can_post(event: EventPage, participant: Participant, *, chat: bool) -> None:
    room = SeminarRoom.objects.get(pk=event.pk)
    if room_is_read_only(event):
        raise SeminarError("chat_closed")
    if participant.is_moderator:
        return
    if chat and not room.chat_open:
        raise SeminarError("chat_closed")
    sanctions = SeminarSanction.objects.filter(event=event, user_id=participant.user_id)
    if sanctions.filter(kind=SeminarSanction.Kind.BAN).exists():
        raise SeminarError("forbidden")
    mute = (
        sanctions.filter(kind=SeminarSanction.Kind.MUTE, until__gt=timezone.now())
        .order_by("-until")
        .first()
    )
    if mute is not None:
        raise SeminarError(
            "muted", retry_after=math.ceil((mute.until - timezone.now()).total_seconds())
        )
    _rate_limit(event.pk, participant.user_id)


def _rate_limit(event_id: int, user_id: int) -> None:
    """At most RATE_COUNT posts per RATE_WINDOW seconds, shared by all processes (cache)."""
    window = settings.PORTAL_SEMINAR_RATE_WINDOW
    bucket = int(time.time() // window)
    key = f"seminar:rate:{event_id}:{user_id}:{bucket}"
    cache.add(key, 0, timeout=window * 2)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window * 2)
        count = 1
    if count > settings.PORTAL_SEMINAR_RATE_COUNT:
        raise SeminarError(
            "rate_limited", retry_after=max(1, int((bucket + 1) * window - time.time()))
        )


def _log(event: EventPage, participant: Participant, action: str, **fields) -> dict:
    entry = SeminarModerationAction.objects.create(
        event=event, actor_id=participant.user_id, action=action, **fields
    )
    entry = SeminarModerationAction.objects.select_related("actor", "target_user").get(pk=entry.pk)
    return _moderation_frame(entry).to_dict()


def _require_moderator(participant: Participant) -> None:
    if not participant.is_moderator:
        raise SeminarError("forbidden")


def _event(event_id: int) -> EventPage:
    return EventPage.objects.get(pk=event_id)


# --- chat ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Posted:
    frame: dict
    created: bool  # False: the client resent a client_id already stored


def seminar_message_post(*, event_id: int, participant: Participant, text, client_id) -> Posted:
    client_id = _client_id(client_id)
    existing = (
        SeminarMessage.objects.select_related("author")
        .filter(event_id=event_id, author_id=participant.user_id, client_id=client_id)
        .first()
    )
    if existing is not None:
        return Posted(frame=message_frame(existing, role=participant.role).to_dict(), created=False)
    text = _text(text, limit=settings.PORTAL_SEMINAR_MESSAGE_MAX)
    event = _event(event_id)
    _check_can_post(event, participant, chat=True)
    try:
        with transaction.atomic():
            # The row lock taken by this UPDATE orders concurrent posts of all processes:
            # the next one gets its number only after this one commits, so seq has no gaps.
            SeminarRoom.objects.filter(pk=event_id).update(last_seq=F("last_seq") + 1)
            seq = SeminarRoom.objects.values_list("last_seq", flat=True).get(pk=event_id)
            message = SeminarMessage.objects.create(
                event_id=event_id,
                seq=seq,
                author_id=participant.user_id,
                text=text,
                client_id=client_id,
            )
    except IntegrityError:
        # The same client_id arrived twice at once (two tabs, a fast resend): one won.
        message = SeminarMessage.objects.select_related("author").get(
            event_id=event_id, author_id=participant.user_id, client_id=client_id
        )
        return Posted(frame=message_frame(message, role=participant.role).to_dict(), created=False)
    message.author = User.objects.get(pk=participant.user_id)
    return Posted(frame=message_frame(message, role=participant.role).to_dict(), created=True)


@transaction.atomic
def seminar_message_delete(*, event_id: int, participant: Participant, message_id) -> dict:
    _require_moderator(participant)
    message_id = _positive_id(message_id)
    message = (
        SeminarMessage.objects.select_for_update().filter(pk=message_id, event_id=event_id).first()
    )
    if message is None:
        raise SeminarError("not_found")
    if message.deleted_at is None:
        message.deleted_at = timezone.now()
        message.deleted_by_id = participant.user_id
        message.save(update_fields=["deleted_at", "deleted_by"])
    return _log(
        _event(event_id),
        participant,
        "message.delete",
        target_user_id=message.author_id,
        target_id=message.pk,
        data={"text": message.text},
    )


@transaction.atomic
def seminar_user_sanction(
    *, event_id: int, participant: Participant, user_id, minutes=None, ban: bool = False
) -> dict:
    _require_moderator(participant)
    user_id = _positive_id(user_id)
    target = User.objects.filter(pk=user_id).first()
    if target is None:
        raise SeminarError("not_found")
    if can_moderate(target):
        raise SeminarError("forbidden")
    event = _event(event_id)
    if ban:
        SeminarSanction.objects.create(
            event=event,
            user=target,
            kind=SeminarSanction.Kind.BAN,
            created_by_id=participant.user_id,
        )
        return _log(event, participant, "user.ban", target_user=target)
    minutes = _positive_id(minutes)
    if minutes > MUTE_MINUTES_MAX:
        raise SeminarError("invalid")
    until = timezone.now() + dt.timedelta(minutes=minutes)
    SeminarSanction.objects.create(
        event=event,
        user=target,
        kind=SeminarSanction.Kind.MUTE,
        until=until,
        created_by_id=participant.user_id,
    )
    return _log(event, participant, "user.mute", target_user=target, data={"minutes": minutes})


@transaction.atomic
def seminar_chat_set_open(*, event_id: int, participant: Participant, is_open: bool) -> dict:
    _require_moderator(participant)
    SeminarRoom.objects.filter(pk=event_id).update(chat_open=is_open)
    return _log(_event(event_id), participant, "chat.open" if is_open else "chat.close")


# --- questions ----------------------------------------------------------------------


def seminar_question_ask(*, event_id: int, participant: Participant, text, client_id) -> Posted:
    client_id = _client_id(client_id)
    existing = (
        SeminarQuestion.objects.select_related("author")
        .filter(event_id=event_id, author_id=participant.user_id, client_id=client_id)
        .first()
    )
    if existing is not None:
        return Posted(frame=question_frame(existing).to_dict(), created=False)
    text = _text(text, limit=settings.PORTAL_SEMINAR_MESSAGE_MAX)
    event = _event(event_id)
    _check_can_post(event, participant, chat=False)
    try:
        with transaction.atomic():
            question = SeminarQuestion.objects.create(
                event=event, author_id=participant.user_id, text=text, client_id=client_id
            )
    except IntegrityError:
        question = SeminarQuestion.objects.get(
            event_id=event_id, author_id=participant.user_id, client_id=client_id
        )
        return Posted(frame=question_frame(question).to_dict(), created=False)
    question = SeminarQuestion.objects.select_related("author").get(pk=question.pk)
    return Posted(frame=question_frame(question, votes=0).to_dict(), created=True)


def seminar_question_vote(*, event_id: int, participant: Participant, question_id) -> int:
    question_id = _positive_id(question_id)
    question = SeminarQuestion.objects.filter(pk=question_id, event_id=event_id).first()
    if question is None:
        raise SeminarError("not_found")
    if room_is_read_only(_event(event_id)):
        raise SeminarError("chat_closed")
    try:
        with transaction.atomic():
            SeminarQuestionVote.objects.create(question=question, user_id=participant.user_id)
    except IntegrityError:
        pass  # one vote per person; a second one changes nothing
    return question.pk


@transaction.atomic
def seminar_question_answer(*, event_id: int, participant: Participant, question_id) -> dict:
    """Mark a question answered; returns the moderation-log frame (its ``target_id``
    is the question)."""
    _require_moderator(participant)
    question_id = _positive_id(question_id)
    question = SeminarQuestion.objects.filter(pk=question_id, event_id=event_id).first()
    if question is None:
        raise SeminarError("not_found")
    SeminarQuestion.objects.filter(pk=question_id, answered_at__isnull=True).update(
        answered_at=timezone.now(), answered_by_id=participant.user_id
    )
    return _log(
        _event(event_id),
        participant,
        "question.answer",
        target_user_id=question.author_id,
        target_id=question.pk,
    )


# --- polls ---------------------------------------------------------------------------


@transaction.atomic
def seminar_poll_create(
    *, event_id: int, participant: Participant, question, options
) -> tuple[dict, dict]:
    """Returns the poll frame and the moderation-log frame."""
    _require_moderator(participant)
    question = _text(question, limit=300)
    if not isinstance(options, list) or not 2 <= len(options) <= POLL_OPTIONS_MAX:
        raise SeminarError("invalid")
    texts = [_text(option, limit=200) for option in options]
    poll = SeminarPoll.objects.create(
        event_id=event_id, question=question, created_by_id=participant.user_id
    )
    SeminarPollOption.objects.bulk_create(
        SeminarPollOption(poll=poll, text=text, position=number)
        for number, text in enumerate(texts, start=1)
    )
    log = _log(_event(event_id), participant, "poll.create", target_id=poll.pk)
    return poll_frame(poll).to_dict(), log


@transaction.atomic
def seminar_poll_close(
    *, event_id: int, participant: Participant, poll_id
) -> tuple[dict, dict | None]:
    """Returns the poll frame and, if it was open, the moderation-log frame."""
    _require_moderator(participant)
    poll_id = _positive_id(poll_id)
    poll = SeminarPoll.objects.select_for_update().filter(pk=poll_id, event_id=event_id).first()
    if poll is None:
        raise SeminarError("not_found")
    log = None
    if poll.is_open:
        poll.is_open = False
        poll.closed_at = timezone.now()
        poll.save(update_fields=["is_open", "closed_at"])
        log = _log(_event(event_id), participant, "poll.close", target_id=poll.pk)
    return poll_frame(poll).to_dict(), log


def seminar_poll_vote(*, event_id: int, participant: Participant, poll_id, option_id) -> int:
    poll_id = _positive_id(poll_id)
    option_id = _positive_id(option_id)
    option = (
        SeminarPollOption.objects.select_related("poll")
        .filter(pk=option_id, poll_id=poll_id, poll__event_id=event_id)
        .first()
    )
    if option is None:
        raise SeminarError("not_found")
    if not option.poll.is_open:
        raise SeminarError("forbidden")
    if room_is_read_only(_event(event_id)):
        raise SeminarError("chat_closed")
    try:
        with transaction.atomic():
            SeminarPollVote.objects.create(
                poll_id=poll_id, option=option, user_id=participant.user_id
            )
    except IntegrityError:
        pass  # one vote per person
    return poll_id


# --- attendance ---------------------------------------------------------------------


def seminar_connection_open(*, event_id: int, user_id: int) -> int:
    return SeminarConnection.objects.create(
        event_id=event_id, user_id=user_id, connected_at=timezone.now()
    ).pk


def seminar_connection_close(*, connection_id: int) -> None:
    SeminarConnection.objects.filter(pk=connection_id, disconnected_at__isnull=True).update(
        disconnected_at=timezone.now()
    )
