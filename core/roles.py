"""Roles are Django groups with permissions; this module is their single definition."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

EDITOR_PERMISSIONS = [
    "wagtailadmin.access_admin",
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
    "taggit.add_tag",
    "taggit.change_tag",
]
REGISTRY_PERMISSIONS = [
    "core.manage_registry",
    "core.view_district",
    "core.add_district",
    "core.change_district",
    "core.view_organisation",
    "core.add_organisation",
    "core.change_organisation",
    "core.view_membership",
    "core.add_membership",
    "core.change_membership",
    "core.delete_membership",
]


@dataclass(frozen=True)
class Role:
    code: str
    group_name: str
    label: str
    permissions: tuple[str, ...] = ()
    # Wagtail page permissions on the site root ("add", "change", "publish", "lock").
    page_permissions: tuple[str, ...] = ()


ROLES: tuple[Role, ...] = (
    Role("participant", "Участники", _("participant (library worker)")),
    Role(
        "methodist",
        "Методисты",
        _("methodist / editor"),
        tuple(EDITOR_PERMISSIONS + REGISTRY_PERMISSIONS),
        ("add", "change", "lock"),
    ),
    Role("expert", "Эксперты", _("expert"), ("core.view_organisation",)),
    Role("moderator", "Модераторы и спикеры", _("seminar moderator / speaker")),
    Role(
        "head",
        "Руководитель отдела",
        _("head of department"),
        tuple(
            EDITOR_PERMISSIONS
            + REGISTRY_PERMISSIONS
            + ["core.view_dashboard", "core.view_auditlogentry", "core.delete_organisation"]
        ),
        ("add", "change", "publish", "lock", "unlock"),
    ),
    Role(
        "administrator",
        "Администраторы",
        _("administrator"),
        tuple(
            EDITOR_PERMISSIONS
            + REGISTRY_PERMISSIONS
            + [
                "core.view_dashboard",
                "core.view_auditlogentry",
                "core.delete_organisation",
                "core.delete_district",
                "core.view_user",
                "core.add_user",
                "core.change_user",
                "core.view_consentdocument",
                "core.add_consentdocument",
                "core.change_consentdocument",
                "wagtailcore.add_site",
                "wagtailcore.change_site",
                "auth.view_group",
                "auth.change_group",
                "wagtailusers.add_userprofile",
            ]
        ),
        ("add", "change", "publish", "lock", "unlock", "bulk_delete"),
    ),
)
ROLES_BY_CODE = {role.code: role for role in ROLES}


def role_group_name(code: str) -> str:
    return ROLES_BY_CODE[code].group_name
