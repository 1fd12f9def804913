"""Writes of the best-practice library: proposals by library workers and their fate.

A proposal becomes a draft PracticePage under the library and goes through the
editorial workflow; :class:`PracticeProposal` is the author's record of it and
outlives the page. The workflow signal receivers (``cms.signals``) call the
``practice_proposal_*`` functions below to keep that record and tell the author.
"""

from __future__ import annotations

import os
import uuid

from django.contrib.auth.models import Group
from django.core.files import File
from django.core.files.images import ImageFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction, TaskState, Workflow
from wagtail.users.models import UserProfile

from cms.models import PracticeAttachment, PracticeIndexPage, PracticePage, PracticeProposal
from core.models import ConsentPurpose, Membership, Organisation, User
from core.roles import role_group_name
from core.services.consent import ConsentUnavailable, consent_grant
from core.services.notifications import notification_send
from core.uploads import safe_filename

PROPOSED_COLLECTION_NAME = "Предложенные практики"
PUBLISHED_COLLECTION_NAME = "Лучшие практики"
# Who may open files of practices that are not published yet.
REVIEWER_ROLES = ("methodist", "head", "administrator")
# Wagtail's own workflow emails; our notifications replace them for non-admin authors.
WAGTAIL_AUTHOR_EMAILS = (
    "approved_notifications",
    "rejected_notifications",
    "updated_comments_notifications",
)


class ProposalRefused(Exception):
    """The proposal cannot be accepted; ``message`` says why, for the author."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _collection(name: str) -> Collection:
    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=name).first()
    return collection or root.add_child(name=name)


@transaction.atomic
def proposed_collection_ensure() -> Collection:
    """The collection of proposed files, visible to reviewers only until publication."""
    collection = _collection(PROPOSED_COLLECTION_NAME)
    restriction = CollectionViewRestriction.objects.filter(
        collection=collection, restriction_type=CollectionViewRestriction.GROUPS
    ).first()
    if restriction is None:
        restriction = CollectionViewRestriction.objects.create(
            collection=collection, restriction_type=CollectionViewRestriction.GROUPS
        )
    restriction.groups.add(
        *(Group.objects.get_or_create(name=role_group_name(code))[0] for code in REVIEWER_ROLES)
    )
    return collection


def description_to_body(description: str) -> list[dict]:
    """Plain text → paragraph blocks: blank lines part paragraphs, the text is escaped."""
    paragraphs = [part.strip() for part in description.replace("\r\n", "\n").split("\n\n")]
    return [
        {
            "type": "paragraph",
            "value": "<p>" + "<br/>".join(escape(line) for line in part.splitlines()) + "</p>",
            "id": str(uuid.uuid4()),
        }
        for part in paragraphs
        if part
    ]


def _document_create(uploaded: UploadedFile, *, collection: Collection, user: User):
    title = os.path.splitext(os.path.basename(uploaded.name or ""))[0][:255] or _("File")
    document = get_document_model()(
        title=title,
        file=File(uploaded, name=safe_filename(uploaded.name)),
        collection=collection,
        uploaded_by_user=user,
    )
    document._set_document_file_metadata()
    document.save()
    return document


def _image_create(uploaded: UploadedFile, *, title: str, alt: str, collection, user: User):
    image = get_image_model()(
        title=title[:255],
        description=alt[:255],
        file=ImageFile(uploaded, name=safe_filename(uploaded.name)),
        collection=collection,
        uploaded_by_user=user,
    )
    image._set_image_file_metadata()
    image.save()
    return image


def _wagtail_emails_off(user: User) -> None:
    if user.has_perm("wagtailadmin.access_admin"):
        return
    profile = UserProfile.get_for_user(user)
    for field in WAGTAIL_AUTHOR_EMAILS:
        setattr(profile, field, False)
    profile.save(update_fields=list(WAGTAIL_AUTHOR_EMAILS))


def _existing(submission_key: uuid.UUID, user: User) -> PracticeProposal | None:
    proposal = PracticeProposal.objects.filter(submission_key=submission_key).first()
    if proposal is not None and proposal.author_id != user.pk:
        raise ProposalRefused(_("This form has expired. Please open it again."))
    return proposal


def practice_propose(
    *,
    user: User,
    organisation: Organisation,
    title: str,
    category: str,
    annotation: str,
    description: str,
    files: list[UploadedFile],
    cover: UploadedFile | None,
    cover_alt: str = "",
    publish_name: bool,
    submission_key: uuid.UUID,
    request=None,
) -> tuple[PracticeProposal, bool]:
    """Turn a library worker's proposal into a draft practice in moderation.

    Returns ``(proposal, created)``; sending the same form again (the same
    ``submission_key``) returns the first proposal and creates nothing.
    """
    existing = _existing(submission_key, user)
    if existing is not None:
        return existing, False
    if not Membership.objects.filter(
        user=user, organisation=organisation, organisation__is_active=True
    ).exists():
        raise ProposalRefused(_("You can propose practices only for an organisation you work at."))
    index = PracticeIndexPage.objects.first()
    if index is None:
        raise ProposalRefused(_("The best-practice library is not open yet."))
    try:
        return _propose(
            user=user,
            index=index,
            organisation=organisation,
            title=title,
            category=category,
            annotation=annotation,
            description=description,
            files=files,
            cover=cover,
            cover_alt=cover_alt,
            publish_name=publish_name,
            submission_key=submission_key,
            request=request,
        ), True
    except IntegrityError:
        # A concurrent request with the same form got there first.
        existing = _existing(submission_key, user)
        if existing is None:
            raise
        return existing, False


@transaction.atomic
def _propose(
    *,
    user: User,
    index: PracticeIndexPage,
    organisation: Organisation,
    title: str,
    category: str,
    annotation: str,
    description: str,
    files: list[UploadedFile],
    cover: UploadedFile | None,
    cover_alt: str,
    publish_name: bool,
    submission_key: uuid.UUID,
    request,
) -> PracticeProposal:
    # The record claims the form's key first, so a concurrent duplicate fails before any
    # file is written.
    proposal = PracticeProposal.objects.create(
        author=user, title=title, publish_name=publish_name, submission_key=submission_key
    )
    if publish_name:
        try:
            consent_grant(user=user, purpose=ConsentPurpose.PUBLISH_NAME, request=request)
        except ConsentUnavailable as exc:
            raise ProposalRefused(
                _("Publishing names is not possible right now; untick the box and send again.")
            ) from exc
    collection = proposed_collection_ensure()
    documents = [_document_create(f, collection=collection, user=user) for f in files]
    cover_image = None
    if cover is not None:
        alt = cover_alt or _("Cover of the practice “%(title)s”") % {"title": title}
        cover_image = _image_create(cover, title=title, alt=alt, collection=collection, user=user)
    page = PracticePage(
        title=title,
        slug=f"{slugify(title, allow_unicode=True)[:60].strip('-') or 'practice'}-{proposal.pk}",
        organisation=organisation,
        category=category,
        annotation=annotation,
        body=description_to_body(description),
        cover_image=cover_image,
        author_name=user.get_full_name() if publish_name else "",
        submitted_by=user,
        owner=user,
        live=False,
    )
    page.attachments = [
        PracticeAttachment(document=document, sort_order=number)
        for number, document in enumerate(documents)
    ]
    index.add_child(instance=page)
    page.save_revision(user=user, log_action=True)
    proposal.page = page
    proposal.save(update_fields=["page", "updated"])
    _wagtail_emails_off(user)
    workflow = page.get_workflow() or Workflow.objects.filter(active=True).first()
    if workflow is not None:
        workflow.start(page, user)
    return proposal


# --- the fate of a proposal (called by the workflow signal receivers) ---------


def _proposal_of(page) -> PracticeProposal | None:
    if not isinstance(page, PracticePage):
        return None
    return (
        PracticeProposal.objects.select_for_update()
        .select_related("author")
        .filter(page_id=page.pk)
        .first()
    )


def _cabinet_url() -> str:
    return reverse("core:cabinet") + "#cabinet-practices"


def proposal_author_ids(page) -> set[int]:
    """Authors told about ``page`` by this module (with email), not by the generic notices."""
    if not isinstance(page, PracticePage):
        return set()
    return set(PracticeProposal.objects.filter(page_id=page.pk).values_list("author_id", flat=True))


@transaction.atomic
def practice_proposal_in_review(*, page) -> PracticeProposal | None:
    """The page went (back) to review: a returned proposal is under review again."""
    proposal = _proposal_of(page)
    if proposal is None or proposal.status != PracticeProposal.Status.CHANGES_REQUESTED:
        return proposal
    proposal.status = PracticeProposal.Status.IN_MODERATION
    proposal.save(update_fields=["status", "updated"])
    return proposal


@transaction.atomic
def practice_proposal_changes_requested(*, page, comment: str) -> PracticeProposal | None:
    proposal = _proposal_of(page)
    if proposal is None:
        return None
    proposal.status = PracticeProposal.Status.CHANGES_REQUESTED
    proposal.editor_comment = comment
    proposal.save(update_fields=["status", "editor_comment", "updated"])
    body = _("The editors have returned your practice with comments.")
    if comment:
        body += "\n\n" + _("Editor's comment: %(comment)s") % {"comment": comment}
    notification_send(
        recipient=proposal.author,
        kind="practices.changes_requested",
        title=_("Your practice needs changes: %(title)s") % {"title": proposal.title},
        body=body,
        url=_cabinet_url(),
        email=True,
    )
    return proposal


def _approval_comment(page: PracticePage) -> str:
    task_state = (
        TaskState.objects.for_instance(page)
        .filter(status=TaskState.STATUS_APPROVED)
        .order_by("-finished_at", "-pk")
        .first()
    )
    return task_state.specific.get_comment() if task_state is not None else ""


def _release_files(page: PracticePage) -> None:
    """Published files leave the reviewers-only collection for the public one."""
    proposed = Collection.objects.filter(name=PROPOSED_COLLECTION_NAME).first()
    if proposed is None:
        return
    document_ids = page.attachments.values_list("document_id", flat=True)
    moved = get_document_model().objects.filter(pk__in=list(document_ids), collection=proposed)
    if moved.exists():
        moved.update(collection=_collection(PUBLISHED_COLLECTION_NAME))


@transaction.atomic
def practice_proposal_published(*, page) -> PracticeProposal | None:
    proposal = _proposal_of(page)
    if proposal is None:
        return None
    _release_files(page)
    if proposal.status == PracticeProposal.Status.PUBLISHED:
        return proposal
    comment = _approval_comment(page)
    proposal.status = PracticeProposal.Status.PUBLISHED
    if comment:
        proposal.editor_comment = comment
    proposal.save(update_fields=["status", "editor_comment", "updated"])
    body = _("Thank you for sharing your experience! The practice is now in the library.")
    if comment:
        body += "\n\n" + _("Editor's comment: %(comment)s") % {"comment": comment}
    notification_send(
        recipient=proposal.author,
        kind="practices.published",
        title=_("Your practice is published: %(title)s") % {"title": proposal.title},
        body=body,
        url=page.url or _cabinet_url(),
        email=True,
    )
    return proposal


@transaction.atomic
def practice_proposal_rejected(*, page) -> PracticeProposal | None:
    """The page is being deleted: the proposal is declined, its record stays."""
    proposal = _proposal_of(page)
    if proposal is None or proposal.status == PracticeProposal.Status.REJECTED:
        return proposal
    proposal.status = PracticeProposal.Status.REJECTED
    proposal.save(update_fields=["status", "updated"])
    body = _("The editors have decided not to publish your practice.")
    if proposal.editor_comment:
        body += "\n\n" + _("Editor's comment: %(comment)s") % {"comment": proposal.editor_comment}
    notification_send(
        recipient=proposal.author,
        kind="practices.rejected",
        title=_("Your practice will not be published: %(title)s") % {"title": proposal.title},
        body=body,
        url=_cabinet_url(),
        email=True,
    )
    return proposal
