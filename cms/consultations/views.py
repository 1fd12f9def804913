"""Pages of the consultation desk: the FAQ, asking, my questions, the queue, attachments.

``ConsultationIndexPage`` routes here (RoutablePageMixin); views only parse
input, check permissions, call services and selectors, and render.
"""

from __future__ import annotations

import mimetypes
import uuid

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.consultations import selectors
from cms.consultations.forms import AnswerForm, AskForm, AssignForm, PublishForm
from cms.consultations.models import Question, QuestionStatus
from cms.consultations.services import (
    QuestionRefused,
    faq_title_suggestion,
    question_answer,
    question_ask,
    question_assign,
    question_close,
    question_publish_faq,
    question_text_anonymised,
)
from core.models import ConsentPurpose
from core.services.consent import consent_is_active
from core.uploads import UPLOAD_KINDS

FAQ_PAGE_SIZE = 15
MY_PAGE_SIZE = 20
QUEUE_PAGE_SIZE = 50


def _url(index, route: str, *args) -> str:
    return index.url + index.reverse_subpage(route, args=args)


def _breadcrumbs(index, *trail: tuple[str, str]) -> list[tuple[str, str]]:
    return [*index.get_breadcrumbs(), (index.title, index.url), *trail]


def _render(request, index, template: str, title: str, context: dict, *, trail=None):
    trail = trail if trail is not None else [(title, "")]
    context = {
        "index": index,
        "title": title,
        "breadcrumbs": _breadcrumbs(index, *trail),
        "can_answer": selectors.can_answer(request.user),
        "sla_days": selectors.sla_days(),
        **context,
    }
    return TemplateResponse(request, template, context)


def _require_post(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def _require_consultant(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not selectors.can_answer(request.user):
        raise PermissionDenied
    return None


# --- the public FAQ -----------------------------------------------------------


def index_context(request, index) -> dict:
    filters = selectors.FaqFilters.from_querydict(request.GET)
    entries = selectors.faq_listing(index=index, filters=filters)
    user = request.user
    return {
        "filters": filters,
        "topics": selectors.faq_topics(),
        "page_obj": Paginator(entries, FAQ_PAGE_SIZE).get_page(request.GET.get("page")),
        "ask_url": _url(index, "ask"),
        "my_url": _url(index, "my"),
        "queue_url": _url(index, "queue"),
        "has_questions": selectors.has_questions(user),
        "can_answer": selectors.can_answer(user),
    }


# --- asking -------------------------------------------------------------------


def ask_view(request, index):
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = request.user
    needs_consent = not consent_is_active(user=user, purpose=ConsentPurpose.PERSONAL_DATA)
    if request.method == "GET":
        form = AskForm(needs_consent=needs_consent, initial={"topic": request.GET.get("topic")})
    else:
        form = AskForm(request.POST, request.FILES, needs_consent=needs_consent)
        if form.is_valid():
            data = form.cleaned_data
            try:
                _question, created = question_ask(
                    asker=user,
                    topic=data["topic"],
                    text=data["text"],
                    client_token=data["client_token"],
                    attachment=data["attachment"],
                    attachment_kind=form.attachment_kind,
                    consent_given=data.get("consent", False),
                    queue_url=_url(index, "queue"),
                    request=request,
                )
            except QuestionRefused as refusal:
                if refusal.code == "token":
                    fresh = request.POST.copy()
                    fresh["client_token"] = str(uuid.uuid4())
                    form = AskForm(fresh, needs_consent=needs_consent)
                    form.is_valid()
                form.add_error(None, refusal.message)
            else:
                if created:
                    messages.success(
                        request,
                        _(
                            "Your question has been sent. A methodist will answer it; "
                            "we will let you know in the site and by e-mail."
                        ),
                    )
                else:
                    messages.info(request, _("This question has already been received."))
                return redirect(_url(index, "my"))
    return _render(
        request,
        index,
        "consultations/ask.html",
        _("Ask a question"),
        {"form": form, "needs_consent": needs_consent},
    )


def my_questions_view(request, index):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    questions = Paginator(selectors.questions_of(request.user), MY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return _render(
        request,
        index,
        "consultations/my_questions.html",
        _("My questions"),
        {"page_obj": questions, "ask_url": _url(index, "ask")},
    )


def attachment_view(request, index, question_id: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    question = selectors.question_for_attachment(question_id=question_id, user=request.user)
    if question is None:
        raise Http404
    try:
        handle = question.attachment.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    kind = UPLOAD_KINDS.get(question.attachment_kind)
    content_type = (
        mimetypes.guess_type(f"file.{kind.extensions[0]}")[0] if kind is not None else None
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=question.attachment_name or question.attachment.name.rsplit("/", 1)[-1],
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- the queue ------------------------------------------------------------------


def queue_view(request, index):
    if (response := _require_consultant(request)) is not None:
        return response
    filters = selectors.QueueFilters.from_querydict(request.GET)
    page_obj = Paginator(
        selectors.queue_listing(filters=filters, user=request.user), QUEUE_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    now = timezone.now()
    sla = selectors.sla_days()
    rows = []
    for question in page_obj:
        days = question.days_waiting(now)
        rows.append((question, days, question.is_waiting and days > sla))
    return _render(
        request,
        index,
        "consultations/queue.html",
        _("Consultation queue"),
        {
            "filters": filters,
            "page_obj": page_obj,
            "rows": rows,
            "statuses": [
                (selectors.STATUS_WAITING, _("waiting for an answer")),
                *QuestionStatus.choices,
                (selectors.STATUS_ALL, _("all")),
            ],
            "topics": selectors.queue_topics(),
            "summary": selectors.queue_summary(request.user, now=now),
            "queue_url": _url(index, "queue"),
        },
    )


def _staff_question(question_id: int) -> Question:
    question = selectors.question_for_staff(question_id)
    if question is None:
        raise Http404
    return question


def _publish_initial(question: Question) -> dict:
    page = question.faq_page
    if page is not None:
        return {
            "title": page.title,
            "question_text": page.question_text,
            "answer": question.answer,
            "topic": page.topic_id or question.topic_id,
        }
    text = question_text_anonymised(question)
    return {
        "title": faq_title_suggestion(text),
        "question_text": text,
        "answer": question.answer,
        "topic": question.topic_id,
    }


def _detail_page(request, index, question: Question, **forms):
    user = request.user
    assign_form = forms.get("assign_form") or AssignForm(
        initial={"assignee": user.pk, "expected_assignee": question.assignee_id}
    )
    answer_form = forms.get("answer_form") or AnswerForm(initial={"answer": question.answer})
    publish_form = forms.get("publish_form")
    if publish_form is None and question.answer:
        publish_form = PublishForm(initial=_publish_initial(question))
    title = _("Question № %(number)s") % {"number": question.pk}
    queue_url = _url(index, "queue")
    return _render(
        request,
        index,
        "consultations/question_detail.html",
        title,
        {
            "question": question,
            "days_waiting": question.days_waiting(),
            "assign_form": assign_form,
            "answer_form": answer_form,
            "publish_form": publish_form,
            "question_url": _url(index, "question", question.pk),
            "attachment_url": _url(index, "attachment", question.pk) if question.attachment else "",
            "faq_live": bool(question.faq_page and question.faq_page.live),
        },
        trail=[(_("Consultation queue"), queue_url), (title, "")],
    )


def question_view(request, index, question_id: int):
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    if (response := _require_consultant(request)) is not None:
        return response
    return _detail_page(request, index, _staff_question(question_id))


def question_assign_view(request, index, question_id: int):
    if (response := _require_post(request)) is not None:
        return response
    if (response := _require_consultant(request)) is not None:
        return response
    question = _staff_question(question_id)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, index, question, assign_form=form)
    try:
        question = question_assign(
            question_id=question.pk,
            actor=request.user,
            assignee=form.cleaned_data["assignee"],
            expected_assignee_id=form.cleaned_data["expected_assignee"],
            request=request,
        )
    except QuestionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        if question.assignee_id == request.user.pk:
            messages.success(request, _("The question is yours now."))
        else:
            messages.success(
                request,
                _("The question is assigned to %(name)s.")
                % {"name": question.assignee.get_full_name()},
            )
    return redirect(_url(index, "question", question_id))


def question_answer_view(request, index, question_id: int):
    if (response := _require_post(request)) is not None:
        return response
    if (response := _require_consultant(request)) is not None:
        return response
    question = _staff_question(question_id)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            question_answer(
                question_id=question.pk,
                actor=request.user,
                answer=form.cleaned_data["answer"],
                asker_url=f"{_url(index, 'my')}#question-{question.pk}",
                request=request,
            )
        except QuestionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("The answer has been sent to the asker."))
            return redirect(_url(index, "question", question_id))
    return _detail_page(request, index, question, answer_form=form)


def question_publish_view(request, index, question_id: int):
    if (response := _require_post(request)) is not None:
        return response
    if (response := _require_consultant(request)) is not None:
        return response
    question = _staff_question(question_id)
    form = PublishForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            page = question_publish_faq(
                question_id=question.pk,
                actor=request.user,
                index=index,
                title=data["title"],
                question_text=data["question_text"],
                answer=data["answer"],
                topic=data["topic"],
                request=request,
            )
        except QuestionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                _("The FAQ entry «%(title)s» is published.") % {"title": page.title},
            )
            return redirect(_url(index, "question", question_id))
    return _detail_page(request, index, question, publish_form=form)


def question_close_view(request, index, question_id: int):
    if (response := _require_post(request)) is not None:
        return response
    if (response := _require_consultant(request)) is not None:
        return response
    question = _staff_question(question_id)
    question_close(question_id=question.pk, actor=request.user, request=request)
    messages.success(request, _("The question is closed."))
    return redirect(_url(index, "queue"))
