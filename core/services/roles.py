from django.contrib.auth.models import Group, Permission
from django.db import transaction

from core import plugins
from core.roles import ROLES

PAGE_PERMISSION_CODENAMES = {
    "add": "add_page",
    "change": "change_page",
    "publish": "publish_page",
    "lock": "lock_page",
    "unlock": "unlock_page",
    "bulk_delete": "bulk_delete_page",
}


def _permissions(names: list[str]) -> list[Permission]:
    found = []
    for name in names:
        app_label, codename = name.split(".", 1)
        permission = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if permission is not None:
            found.append(permission)
    return found


@transaction.atomic
def roles_sync() -> list[Group]:
    """Create the role groups and (re)grant their permissions; safe to run any time."""
    from wagtail.models import GroupPagePermission, Page

    extra = plugins.role_permissions()
    root = Page.get_first_root_node()
    groups = []
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role.group_name)
        group.permissions.add(*_permissions([*role.permissions, *extra.get(role.code, [])]))
        if root is not None:
            for key in role.page_permissions:
                permission = Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=PAGE_PERMISSION_CODENAMES[key]
                )
                GroupPagePermission.objects.get_or_create(
                    group=group, page=root, permission=permission
                )
        groups.append(group)
    return groups
