from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from core.models import Membership, MembershipRole, Organisation, User
from core.roles import role_group_name
from core.services.audit import audit_log
from core.services.consent import consent_grant
from core.tasks import email_confirmation_send
from core.tokens import email_confirmation_token


@transaction.atomic
def user_register(
    *,
    email: str,
    password: str,
    last_name: str,
    first_name: str,
    patronymic: str = "",
    position: str = "",
    organisation: Organisation | None = None,
    mailing_consent: bool = False,
    request=None,
) -> User:
    """Create an inactive account, record the 152-FZ consent and send the confirmation link."""
    user = User.objects.create_user(
        email=email,
        password=password,
        last_name=last_name.strip(),
        first_name=first_name.strip(),
        patronymic=patronymic.strip(),
        position=position.strip(),
        is_active=False,
    )
    user.groups.add(Group.objects.get_or_create(name=role_group_name("participant"))[0])
    consent_grant(user=user, purpose="personal_data", request=request)
    if mailing_consent:
        consent_grant(user=user, purpose="mailing", request=request)
    if organisation is not None:
        Membership.objects.create(user=user, organisation=organisation, role=MembershipRole.STAFF)
    audit_log(action="user.register", actor=user, target=user, request=request)
    transaction.on_commit(lambda: email_confirmation_send.enqueue(user.pk))
    return user


def user_from_uidb64(uidb64: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    return User.objects.filter(pk=pk).first()


@transaction.atomic
def user_confirm_email(*, uidb64: str, token: str, request=None) -> User | None:
    """Activate the account if the link is valid; ``None`` for a wrong or spent link."""
    user = user_from_uidb64(uidb64)
    if user is None or not email_confirmation_token.check_token(user, token):
        return None
    user.is_active = True
    user.email_confirmed_at = timezone.now()
    user.save(update_fields=["is_active", "email_confirmed_at"])
    audit_log(action="user.confirm_email", actor=user, target=user, request=request)
    return user


def user_resend_confirmation(*, email: str) -> None:
    """Send a fresh confirmation link if an unconfirmed account has this address."""
    user = User.objects.filter(email__iexact=email.strip(), email_confirmed_at__isnull=True).first()
    if user is not None:
        transaction.on_commit(lambda: email_confirmation_send.enqueue(user.pk))


@transaction.atomic
def user_update_profile(*, user: User, request=None, **fields) -> User:
    allowed = {"last_name", "first_name", "patronymic", "position", "phone"}
    changed = [name for name, value in fields.items() if name in allowed]
    for name in changed:
        setattr(user, name, fields[name].strip())
    user.save(update_fields=changed)
    audit_log(action="user.profile_update", actor=user, target=user, request=request)
    return user


@transaction.atomic
def membership_request(
    *, user: User, organisation: Organisation, role: str = MembershipRole.STAFF, request=None
) -> Membership:
    """Ask to be linked to an organisation; the department confirms it."""
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role
    )
    if created:
        audit_log(action="membership.request", actor=user, target=membership, request=request)
    return membership
