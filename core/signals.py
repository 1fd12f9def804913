from django.apps import apps
from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate, dispatch_uid="core.sync_roles_after_migrate")
def sync_roles_after_migrate(sender, **kwargs):
    # Permissions of every app exist only after the last post_migrate, which Django
    # sends only for apps that have a models module.
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if sender.label != with_models[-1].label:
        return
    from core.services.roles import roles_sync

    roles_sync()
