from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin.admin_url_finder import AdminURLFinder


@hooks.register("before_delete_page")
def protect_events_with_registrations(request, page):
    """Registrations are people's records: an event that has them is cancelled, not deleted."""
    from lms.models import EventPage, EventRegistration

    if page.specific_class is not EventPage:
        return None
    if not EventRegistration.objects.filter(event_id=page.pk).exists():
        return None
    messages.error(
        request,
        _(
            "This event has registrations and cannot be deleted. Mark it as cancelled "
            "instead: participants will be notified and calendars updated."
        ),
    )
    return redirect(AdminURLFinder(request.user).get_edit_url(page))
