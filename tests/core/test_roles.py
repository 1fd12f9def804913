import pytest
from django.contrib.auth.models import Group
from wagtail.models import GroupPagePermission

from core.roles import ROLES

pytestmark = pytest.mark.django_db


def test_roles_sync_creates_every_group_with_permissions(roles):
    names = set(Group.objects.values_list("name", flat=True))
    assert {role.group_name for role in ROLES} <= names
    head = Group.objects.get(name="Руководитель отдела")
    assert head.permissions.filter(codename="view_dashboard").exists()
    assert GroupPagePermission.objects.filter(
        group=head, permission__codename="publish_page"
    ).exists()
    methodist = Group.objects.get(name="Методисты")
    assert not GroupPagePermission.objects.filter(
        group=methodist, permission__codename="publish_page"
    ).exists(), "methodists draft; the head of department publishes"


def test_roles_sync_is_idempotent(roles):
    from core.services.roles import roles_sync

    before = GroupPagePermission.objects.count()
    roles_sync()
    assert GroupPagePermission.objects.count() == before


@pytest.mark.parametrize(
    ("role", "can_enter_admin"),
    [
        ("participant", False),
        ("expert", False),
        ("moderator", False),
        ("methodist", True),
        ("head", True),
        ("administrator", True),
    ],
)
def test_wagtail_admin_access_per_role(client, demo_site, make_user, role, can_enter_admin):
    client.force_login(make_user(role))
    response = client.get("/admin/")
    assert (response.status_code == 200) is can_enter_admin


def test_admin_is_in_russian_by_default(client, demo_site, make_user):
    client.force_login(make_user("head"))
    html = client.get("/admin/").content.decode()
    assert 'lang="ru"' in html


def test_migrate_alone_creates_the_role_groups(db):
    # No roles fixture here: the groups must come from the post_migrate receiver.
    names = set(Group.objects.values_list("name", flat=True))
    assert {role.group_name for role in ROLES} <= names
    assert Group.objects.get(name="Методисты").permissions.filter(codename="access_admin").exists()
