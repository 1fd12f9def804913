"""Writes of the consultation desk: asking, assigning, answering, publishing as FAQ, closing.

Every change of a question locks its row first (or updates it conditionally),
so two methodists acting at once cannot both take, answer or publish it; the
loser gets a :class:`QuestionRefused` with a message to show as is.
"""

from __future__ import annotations

import datetime as dt
import re
from uuid import UUID

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from cms.consultations import selectors
from cms.consultations.models import (
    WAITING_STATUSES,
    ConsultationAnswerPage,
    Question,
    QuestionStatus,
)
from cms.models import ConsultationIndexPage, Topic
from core.models import ConsentPurpose, Membership, User
from core.services.audit import audit_log
from core.services.consent import ConsentUnavailable, consent_grant, consent_is_active
from core.services.notifications import notification_send

NOTIFY_NEW = "consultations.new"
NOTIFY_ANSWERED = "consultations.answered"

TITLE_MAX = 120


class QuestionRefused(Exception):
    """The change cannot be made; ``message`` is shown to the user as is."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


# --- anonymisation -------------------------------------------------------------

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Something that looks like a number typed with spaces, dashes and brackets:
# +7 (913) 555-12-34, 8 3852 12 34 56, 89135551234. Only 10 or 11 digits make a
# phone, so dates, years and sums of money stay.
NUMBER_LIKE = re.compile(r"(?<![\w.,])(?:\+|\()?\d[\d\s\-()]*\d(?![\w.])")
SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


def _phone_removed(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group())
    if len(digits) == 10 or (len(digits) == 11 and digits[0] in "78"):
        return _("[phone removed]")
    return match.group()


def _name_pattern(part: str) -> re.Pattern | None:
    """A name and its Russian case forms (Соколова → Соколовой, Анна → Анны, Иван → Ивану)."""
    part = part.strip()
    if len(part) < 3:
        return None
    stem = part[:-1] if len(part) >= 4 and part[-1].lower() in "аяоеьйыи" else part
    return re.compile(rf"(?<!\w){re.escape(stem)}\w{{0,3}}(?!\w)")


def text_anonymise(text: str, *, names: list[str] = (), organisations: list[str] = ()) -> str:
    """``text`` without e-mails, phone numbers, the given names and organisation names."""
    text = EMAIL.sub(_("[e-mail removed]"), text)
    text = NUMBER_LIKE.sub(_phone_removed, text)
    for organisation in sorted({o for o in organisations if o}, key=len, reverse=True):
        text = text.replace(organisation, _("[organisation removed]"))
    for name in names:
        pattern = _name_pattern(name)
        if pattern is not None:
            text = pattern.sub(_("[name removed]"), text)
    return text


def question_text_anonymised(question: Question) -> str:
    """The question as the public FAQ shows it by default; the methodist edits it further."""
    asker = question.asker
    organisation = question.organisation
    return text_anonymise(
        question.text,
        names=[asker.last_name, asker.first_name, asker.patronymic],
        organisations=[organisation.name, organisation.short_name] if organisation else [],
    )


def faq_title_suggestion(text: str) -> str:
    """The question's first interrogative sentence (or its first one), short enough for a title."""
    sentences = [s for s in SENTENCE_END.split(" ".join(text.split())) if s]
    if not sentences:
        return ""
    title = next((s for s in sentences if s.endswith("?")), sentences[0])
    if len(title) <= TITLE_MAX:
        return title
    return title[: TITLE_MAX - 1].rsplit(" ", 1)[0] + "…"


# --- asking ----------------------------------------------------------------------


def _default_organisation(user: User):
    membership = (
        Membership.objects.filter(user=user, organisation__is_active=True)
        .select_related("organisation")
        .order_by("-is_confirmed", "pk")
        .first()
    )
    return membership.organisation if membership else None


@transaction.atomic
def question_ask(
    *,
    asker: User,
    topic: Topic,
    text: str,
    client_token: UUID,
    attachment: UploadedFile | None = None,
    attachment_kind: str = "",
    consent_given: bool = False,
    queue_url: str = "",
    request=None,
) -> tuple[Question, bool]:
    """Record a question; returns ``(question, created)``.

    The form's one-time ``client_token`` makes a repeated submit (double click,
    browser resend) return the question the first submit created.
    """
    existing = Question.objects.filter(client_token=client_token).first()
    if existing is not None:
        if existing.asker_id != asker.pk:
            raise QuestionRefused(
                _("This form has expired. Please send your question again."), code="token"
            )
        return existing, False
    text = text.strip()
    if not text:
        raise QuestionRefused(_("Please write your question."), code="empty")
    if not consent_is_active(user=asker, purpose=ConsentPurpose.PERSONAL_DATA):
        if not consent_given:
            raise QuestionRefused(
                _("Please agree to the processing of your personal data to ask a question."),
                code="consent",
            )
        try:
            consent_grant(user=asker, purpose=ConsentPurpose.PERSONAL_DATA, request=request)
        except ConsentUnavailable as exc:
            raise QuestionRefused(
                _("Questions cannot be accepted yet: the consent text has not been published."),
                code="consent",
            ) from exc
    question = Question(
        asker=asker,
        organisation=_default_organisation(asker),
        topic=topic,
        text=text,
        client_token=client_token,
    )
    if attachment is not None:
        question.attachment_name = attachment.name[:255]
        question.attachment_kind = attachment_kind
        question.attachment.save(attachment.name, attachment, save=False)
    try:
        with transaction.atomic():
            question.save()
    except IntegrityError:
        # A concurrent submit of the same form got there first.
        if question.attachment:
            question.attachment.delete(save=False)
        existing = Question.objects.filter(client_token=client_token, asker=asker).first()
        if existing is None:
            raise
        return existing, False
    audit_log(action="consultations.ask", actor=asker, target=question, request=request)
    title = _("New question on «%(topic)s»") % {"topic": topic.name}
    url = f"{queue_url}{question.pk}/" if queue_url else ""
    for consultant in selectors.consultants().exclude(pk=asker.pk):
        notification_send(
            recipient=consultant,
            kind=NOTIFY_NEW,
            title=title,
            body=text[:300],
            url=url,
            email=False,
        )
    return question, True


# --- the queue ---------------------------------------------------------------------


def _lock(question_id: int, *, actor: User) -> Question:
    """The question, locked for the rest of the transaction; DoesNotExist for unknown ids."""
    if not selectors.can_answer(actor):
        raise QuestionRefused(
            _("Only the department's methodists work with the consultation queue."),
            code="forbidden",
        )
    return (
        Question.objects.select_for_update(of=("self",))
        .select_related("asker", "assignee", "topic")
        .get(pk=question_id)
    )


def _taken_by(question: Question) -> str:
    return question.assignee.get_full_name() if question.assignee else _("nobody")


@transaction.atomic
def question_assign(
    *,
    question_id: int,
    actor: User,
    assignee: User,
    expected_assignee_id: int | None,
    request=None,
) -> Question:
    """Give the question to ``assignee`` if it is still with ``expected_assignee_id``.

    ``expected_assignee_id`` is whoever had the question when the methodist
    looked at it: if someone else took it meanwhile, the change is refused
    rather than silently taking the question away from them. Assigning to the
    current assignee again changes nothing.
    """
    if not selectors.can_answer(assignee) or not assignee.is_active:
        raise QuestionRefused(
            _("%(name)s does not work with the consultation queue.")
            % {"name": assignee.get_full_name()},
            code="not_consultant",
        )
    question = _lock(question_id, actor=actor)
    if question.assignee_id == assignee.pk and question.status == QuestionStatus.ASSIGNED:
        return question
    if question.status not in WAITING_STATUSES:
        raise QuestionRefused(
            _("The question is already %(status)s.") % {"status": question.get_status_display()},
            code="not_waiting",
        )
    if question.assignee_id != expected_assignee_id:
        raise QuestionRefused(
            _("Meanwhile %(name)s has taken this question. Reload the page to see it.")
            % {"name": _taken_by(question)},
            code="conflict",
        )
    previous = question.assignee_id
    question.assignee = assignee
    question.status = QuestionStatus.ASSIGNED
    question.save(update_fields=["assignee", "status", "updated"])
    audit_log(
        action="consultations.assign",
        actor=actor,
        target=question,
        data={"assignee": assignee.pk, "previous": previous},
        request=request,
    )
    return question


@transaction.atomic
def question_answer(
    *, question_id: int, actor: User, answer: str, asker_url: str = "", request=None
) -> Question:
    """Answer the question and tell the asker (in the site and by e-mail).

    An unassigned question goes to whoever answers it; one assigned to a
    colleague is refused. Sending the same answer twice changes nothing.
    """
    answer = answer.strip()
    if not answer:
        raise QuestionRefused(_("The answer is empty."), code="empty")
    question = _lock(question_id, actor=actor)
    if question.status == QuestionStatus.ANSWERED and question.answer == answer:
        return question
    if question.status not in WAITING_STATUSES:
        raise QuestionRefused(
            _("The question is already %(status)s.") % {"status": question.get_status_display()},
            code="not_waiting",
        )
    if question.assignee_id not in (None, actor.pk):
        raise QuestionRefused(
            _("The question is assigned to %(name)s. Take it over first to answer it.")
            % {"name": _taken_by(question)},
            code="conflict",
        )
    now = timezone.now()
    question.assignee = question.assignee or actor
    question.status = QuestionStatus.ANSWERED
    question.answer = answer
    question.answered_by = actor
    question.answered_at = now
    question.save(
        update_fields=["assignee", "status", "answer", "answered_by", "answered_at", "updated"]
    )
    audit_log(action="consultations.answer", actor=actor, target=question, request=request)
    notification_send(
        recipient=question.asker,
        kind=NOTIFY_ANSWERED,
        title=_("Your question on «%(topic)s» has been answered") % {"topic": question.topic.name},
        body=answer,
        url=asker_url,
    )
    return question


@transaction.atomic
def question_close(*, question_id: int, actor: User, request=None) -> Question:
    """Close the question (answered, a duplicate, or not a question); idempotent."""
    question = _lock(question_id, actor=actor)
    if question.status == QuestionStatus.CLOSED:
        return question
    question.status = QuestionStatus.CLOSED
    question.closed_at = timezone.now()
    question.save(update_fields=["status", "closed_at", "updated"])
    audit_log(action="consultations.close", actor=actor, target=question, request=request)
    return question


# --- the public FAQ ------------------------------------------------------------------


def answer_blocks(text: str) -> list[dict]:
    """Plain text (paragraphs split by empty lines) as BodyBlock paragraphs."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return [
        {"type": "paragraph", "value": "<p>" + escape(p).replace("\n", "<br>") + "</p>"}
        for p in paragraphs
    ]


def _unique_slug(index: ConsultationIndexPage, base: str) -> str:
    slug, number = base, 1
    while index.get_children().filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


@transaction.atomic
def question_publish_faq(
    *,
    question_id: int,
    actor: User,
    index: ConsultationIndexPage,
    title: str,
    question_text: str,
    answer: str,
    topic: Topic,
    date: dt.date | None = None,
    request=None,
) -> ConsultationAnswerPage:
    """Publish the answered question as a public FAQ entry, with a revision by ``actor``.

    Publishing again updates (and republishes) the same page.
    """
    question = _lock(question_id, actor=actor)
    if not question.answer:
        raise QuestionRefused(_("Only an answered question can be published."), code="not_answered")
    title, question_text, answer = title.strip(), question_text.strip(), answer.strip()
    if not (title and question_text and answer):
        raise QuestionRefused(
            _("The title, the question and the answer must not be empty."), code="empty"
        )
    page = (
        ConsultationAnswerPage.objects.filter(pk=question.faq_page_id).first()
        if question.faq_page_id
        else None
    )
    fields = {
        "title": title[:255],
        "question_text": question_text,
        "answer": answer_blocks(answer),
        "topic": topic,
    }
    if date is not None:
        fields["date"] = date
    if page is None:
        page = ConsultationAnswerPage(
            slug=_unique_slug(index, f"vopros-{question.pk}"), owner=actor, live=False, **fields
        )
        index.add_child(instance=page)
        created = True
    else:
        for name, value in fields.items():
            setattr(page, name, value)
        created = False
    # The consultation permission is what lets a methodist publish FAQ entries; their
    # role has no general right to publish pages (that goes through the editorial workflow).
    page.save_revision(user=actor, log_action=True).publish(user=actor, skip_permission_checks=True)
    if question.faq_page_id != page.pk:
        question.faq_page = page
        question.save(update_fields=["faq_page", "updated"])
    audit_log(
        action="consultations.publish",
        actor=actor,
        target=question,
        data={"page": page.pk, "created": created},
        request=request,
    )
    return page
