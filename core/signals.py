from django.apps import apps
from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate, dispatch_uid="core.sync_roles_after_migrate")
def sync_roles_after_migrate(sender, **kwargs):
    # Permissions of every app exist only after the last app's post_migrate.
    if sender.label != list(apps.get_app_configs())[-1].label:
        return
    from core.services.roles import roles_sync

    roles_sync()
