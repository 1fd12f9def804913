"""Writes of the association: membership requests and decisions, and the privacy they drive.

An approved membership puts the person into the members group; leaving or being
removed takes them out. Members-only pages and files are protected by Wagtail's
own view restrictions for that group plus the department's staff roles, so page
serving, search (``.public()``) and document serving at ``/files/`` all agree.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from cms.association import selectors
from cms.association.models import (
    ACTIVE_STATUSES,
    AssociationMembership,
    AssociationSectionPage,
    MembershipStatus,
)
from core.models import ConsentPurpose, Membership, Organisation, OrganisationKind, User
from core.roles import role_group_name
from core.services.audit import audit_log
from core.services.consent import ConsentUnavailable, consent_grant, consent_is_active
from core.services.notifications import notification_send

#: Staff roles that see members-only content and coordinate the association.
STAFF_ROLES = ("methodist", "head", "administrator")

NOTIFY_DECISION = "association.membership"
NOTIFY_REQUEST = "association.request"


class MembershipRefused(Exception):
    """The membership change cannot be made; ``message`` is shown to the user as is."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


# --- privacy ---------------------------------------------------------------


def association_members_group_ensure() -> Group:
    return Group.objects.get_or_create(name=selectors.MEMBERS_GROUP_NAME)[0]


def association_viewer_groups() -> list[Group]:
    """Groups allowed to see members-only content: the members and the department's staff."""
    staff = [Group.objects.get_or_create(name=role_group_name(code))[0] for code in STAFF_ROLES]
    return [association_members_group_ensure(), *staff]


@transaction.atomic
def association_collection_ensure() -> Collection:
    """The collection for members-only files, restricted to the viewer groups; idempotent."""
    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=selectors.MATERIALS_COLLECTION_NAME).first()
    if collection is None:
        collection = root.add_child(name=selectors.MATERIALS_COLLECTION_NAME)
    restriction = CollectionViewRestriction.objects.filter(
        collection=collection, restriction_type=CollectionViewRestriction.GROUPS
    ).first()
    if restriction is None:
        restriction = CollectionViewRestriction.objects.create(
            collection=collection, restriction_type=CollectionViewRestriction.GROUPS
        )
    restriction.groups.add(*association_viewer_groups())
    return collection


@transaction.atomic
def association_section_privacy_sync(*, section_id: int) -> PageViewRestriction | None:
    """Make the section's Wagtail privacy match its *published* ``members_only`` flag.

    Reads the flag from the database: a draft revision may carry another value,
    and must not open (or close) the live section before it is published.
    """
    members_only = (
        AssociationSectionPage.objects.filter(pk=section_id)
        .values_list("members_only", flat=True)
        .first()
    )
    if members_only is None:
        return None
    group = association_members_group_ensure()
    ours = PageViewRestriction.objects.filter(
        page_id=section_id, restriction_type=PageViewRestriction.GROUPS, groups=group
    )
    if not members_only:
        for restriction in ours:
            restriction.delete()
        return None
    restriction = ours.first()
    if restriction is None:
        restriction = PageViewRestriction(
            page_id=section_id, restriction_type=PageViewRestriction.GROUPS
        )
        restriction.save()
    restriction.groups.add(*association_viewer_groups())
    association_collection_ensure()
    return restriction


# --- membership ------------------------------------------------------------


def _notify_coordinators(membership: AssociationMembership, *, url: str) -> None:
    title = _("New request to join the association: %(name)s") % {
        "name": membership.user.get_full_name()
    }
    body = _("%(name)s, %(organisation)s, asks to join the association.") % {
        "name": membership.user.get_full_name(),
        "organisation": membership.organisation,
    }
    for coordinator in selectors.coordinators().exclude(pk=membership.user_id):
        notification_send(
            recipient=coordinator, kind=NOTIFY_REQUEST, title=title, body=body, url=url
        )


@transaction.atomic
def association_membership_request(
    *,
    user: User,
    organisation_id: int,
    motivation: str = "",
    consent_given: bool = False,
    requests_url: str = "",
    request=None,
) -> AssociationMembership:
    """Ask to join on behalf of a college the user works at.

    A repeated call (double click, second tab) returns the pending request or the
    membership the user already has.
    """
    existing = (
        AssociationMembership.objects.select_for_update()
        .filter(user=user, status__in=ACTIVE_STATUSES)
        .first()
    )
    if existing is not None:
        return existing
    organisation = Organisation.objects.filter(pk=organisation_id, is_active=True).first()
    works_there = (
        organisation is not None
        and Membership.objects.filter(user=user, organisation=organisation).exists()
    )
    if not works_there:
        raise MembershipRefused(
            _("You can join only on behalf of an organisation you work at."), code="not_staff"
        )
    if organisation.kind != OrganisationKind.COLLEGE:
        raise MembershipRefused(
            _("The association unites library workers of colleges; choose your college."),
            code="not_college",
        )
    if not consent_is_active(user=user, purpose=ConsentPurpose.PERSONAL_DATA):
        if not consent_given:
            raise MembershipRefused(
                _("Please agree to the processing of your personal data to join."),
                code="consent",
            )
        try:
            consent_grant(user=user, purpose=ConsentPurpose.PERSONAL_DATA, request=request)
        except ConsentUnavailable as exc:
            raise MembershipRefused(
                _("Joining is unavailable: the consent text has not been published yet."),
                code="consent",
            ) from exc
    try:
        with transaction.atomic():
            membership = AssociationMembership.objects.create(
                user=user, organisation=organisation, motivation=motivation.strip()
            )
    except IntegrityError:
        # A concurrent request of the same person got there first.
        return AssociationMembership.objects.get(user=user, status__in=ACTIVE_STATUSES)
    audit_log(
        action="association.request",
        actor=user,
        target=membership,
        data={"organisation": organisation.pk},
        request=request,
    )
    _notify_coordinators(membership, url=requests_url)
    return membership


def _lock(membership_id: int) -> AssociationMembership:
    return (
        AssociationMembership.objects.select_for_update(of=("self",))
        .select_related("user", "organisation")
        .get(pk=membership_id)
    )


@transaction.atomic
def association_membership_decide(
    *,
    membership_id: int,
    actor: User,
    approve: bool,
    comment: str = "",
    url: str = "",
    request=None,
) -> AssociationMembership:
    """Approve or reject a pending request; repeating the same decision changes nothing.

    Raises ``AssociationMembership.DoesNotExist`` for an unknown id.
    """
    membership = _lock(membership_id)
    target = MembershipStatus.APPROVED if approve else MembershipStatus.REJECTED
    if membership.status == target:
        return membership
    if membership.status != MembershipStatus.PENDING:
        raise MembershipRefused(
            _("This request has already been decided: %(status)s.")
            % {"status": membership.get_status_display()},
            code="decided",
        )
    if membership.user_id == actor.pk:
        raise MembershipRefused(
            _("Another coordinator has to decide on your own request."), code="own_request"
        )
    comment = comment.strip()
    if not approve and not comment:
        raise MembershipRefused(
            _("Tell the applicant why the request is rejected."), code="comment_required"
        )
    membership.status = target
    membership.decided_by = actor
    membership.decided_at = timezone.now()
    membership.decision_comment = comment
    membership.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    if approve:
        association_members_group_ensure().user_set.add(membership.user)
        title = _("You are now a member of the association of college library workers")
        body = _("Protocols and materials for members are now open to you.")
    else:
        title = _("Your request to join the association was rejected")
        body = _("The coordinator's comment: %(comment)s") % {"comment": comment}
    if comment and approve:
        body = f"{body}\n\n{comment}"
    audit_log(
        action="association.approve" if approve else "association.reject",
        actor=actor,
        target=membership,
        data={"comment": comment},
        request=request,
    )
    notification_send(
        recipient=membership.user, kind=NOTIFY_DECISION, title=title, body=body, url=url
    )
    return membership


def _end(membership: AssociationMembership, *, ended_by: User | None) -> None:
    was_member = membership.status == MembershipStatus.APPROVED
    membership.status = MembershipStatus.LEFT
    membership.ended_at = timezone.now()
    membership.ended_by = ended_by
    membership.save(update_fields=["status", "ended_at", "ended_by"])
    if was_member:
        association_members_group_ensure().user_set.remove(membership.user)


@transaction.atomic
def association_membership_leave(*, user: User, request=None) -> AssociationMembership | None:
    """The user leaves (or withdraws a pending request); None if there was nothing to leave."""
    membership = (
        AssociationMembership.objects.select_for_update()
        .filter(user=user, status__in=ACTIVE_STATUSES)
        .first()
    )
    if membership is None:
        return None
    _end(membership, ended_by=None)
    audit_log(action="association.leave", actor=user, target=membership, request=request)
    return membership


@transaction.atomic
def association_membership_remove(
    *, membership_id: int, actor: User, comment: str = "", url: str = "", request=None
) -> AssociationMembership:
    """A coordinator ends someone's membership; repeating it changes nothing.

    Raises ``AssociationMembership.DoesNotExist`` for an unknown id.
    """
    membership = _lock(membership_id)
    if membership.status == MembershipStatus.LEFT:
        return membership
    if membership.status != MembershipStatus.APPROVED:
        raise MembershipRefused(_("This person is not a member."), code="not_member")
    _end(membership, ended_by=actor)
    comment = comment.strip()
    audit_log(
        action="association.remove",
        actor=actor,
        target=membership,
        data={"comment": comment},
        request=request,
    )
    notification_send(
        recipient=membership.user,
        kind=NOTIFY_DECISION,
        title=_("Your membership in the association has ended"),
        body=comment,
        url=url,
    )
    return membership
