"""Keep a section's Wagtail privacy in step with its published ``members_only`` flag."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from cms.association.models import AssociationSectionPage


@receiver(
    post_save,
    sender=AssociationSectionPage,
    dispatch_uid="association_section_privacy_sync",
)
def section_saved(sender, instance, raw=False, **kwargs):
    """Right after the row is written: a new section gets its restriction before it is
    ever published, and publishing a members-only revision restricts the live page."""
    if raw:
        return
    from cms.association.services import association_section_privacy_sync

    association_section_privacy_sync(section_id=instance.pk)
