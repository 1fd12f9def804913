from django.dispatch import receiver
from wagtail.signals import page_published

from lms.models import EventPage


@receiver(page_published, sender=EventPage, dispatch_uid="lms_event_schedule_sync")
def event_published(sender, instance, **kwargs):
    from lms.services.events import event_schedule_sync

    event_schedule_sync(event=instance)
