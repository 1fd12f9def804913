"""Wagtail admin wiring of the kernel: registry viewsets, CSV import, audit log, plugin gate."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.auth import permission_required
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from core import plugins
from core.forms import OrganisationCsvImportForm
from core.models import AuditLogEntry, ConsentDocument, District, Membership, Organisation
from core.services.organisations import CsvImportError, organisations_import_csv


@hooks.register("before_serve_page", order=-100)
def hide_pages_of_disabled_plugins(page, request, serve_args, serve_kwargs):
    """A switched-off plugin's pages answer 404, like its URLs."""
    if page.specific_class is not None and page.specific_class._meta.app_label in (
        plugins.disabled_app_labels()
    ):
        raise Http404


class DistrictViewSet(ModelViewSet):
    model = District
    icon = "site"
    menu_label = gettext_lazy("Districts")
    form_fields = ["name", "code"]
    list_display = ["name", "code"]
    search_fields = ["name"]


class OrganisationViewSet(ModelViewSet):
    model = Organisation
    icon = "group"
    menu_label = gettext_lazy("Organisations")
    form_fields = [
        "name",
        "short_name",
        "kind",
        "district",
        "inn",
        "address",
        "email",
        "website",
        "ibc_status",
        "ibc_status_since",
        "is_active",
    ]
    list_display = ["name", "kind", "district", "ibc_status"]
    list_filter = ["kind", "district", "ibc_status", "is_active"]
    search_fields = ["name", "short_name", "inn"]


class MembershipViewSet(ModelViewSet):
    model = Membership
    icon = "user"
    menu_label = gettext_lazy("Memberships")
    form_fields = ["user", "organisation", "role", "is_confirmed"]
    list_display = ["user", "organisation", "role", "is_confirmed"]
    list_filter = ["role", "is_confirmed"]
    search_fields = ["user__last_name", "user__email", "organisation__name"]


class ConsentDocumentViewSet(ModelViewSet):
    model = ConsentDocument
    icon = "doc-full"
    menu_label = gettext_lazy("Consent texts")
    form_fields = ["purpose", "version", "title", "text", "published_at"]
    list_display = ["title", "purpose", "version", "published_at"]
    list_filter = ["purpose"]


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """The audit log is written only by core.services.audit; nobody edits it."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a == "view"])


class AuditLogViewSet(ModelViewSet):
    model = AuditLogEntry
    icon = "history"
    menu_label = gettext_lazy("Audit log")
    form_fields = ["action"]
    list_display = ["created", "actor_repr", "action", "target_repr", "ip"]
    list_filter = ["action"]
    search_fields = ["actor_repr", "action", "target_repr"]
    inspect_view_enabled = True


register_permission_policy(AuditLogEntry, ReadOnlyPermissionPolicy(AuditLogEntry))


class RegistryViewSetGroup(ModelViewSetGroup):
    menu_label = gettext_lazy("Registry")
    menu_icon = "folder-open-inverse"
    menu_order = 300
    items = (
        OrganisationViewSet("organisations"),
        DistrictViewSet("districts"),
        MembershipViewSet("memberships"),
        ConsentDocumentViewSet("consent_documents"),
        AuditLogViewSet("audit_log"),
    )


@hooks.register("register_admin_viewset")
def register_registry_viewsets():
    return RegistryViewSetGroup()


@permission_required("core.manage_registry")
def organisations_import_view(request):
    form = OrganisationCsvImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = organisations_import_csv(
                raw=form.cleaned_data["file"].read(), actor=request.user, request=request
            )
        except CsvImportError as error:
            form.add_error("file", str(error))
        else:
            if report.ok:
                messages.success(
                    request,
                    _(
                        "Import finished: %(created)d created, %(updated)d updated, "
                        "%(unchanged)d unchanged."
                    )
                    % {
                        "created": report.created,
                        "updated": report.updated,
                        "unchanged": report.unchanged,
                    },
                )
                return redirect("organisations:index")
    return render(request, "core/admin/organisations_import.html", {"form": form, "report": report})


@hooks.register("register_admin_urls")
def register_import_url():
    return [path("organisations-import/", organisations_import_view, name="organisations_import")]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        self.permission = permission
        super().__init__(*args, **kwargs)

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return PermissionMenuItem(
        gettext_lazy("Import organisations"),
        reverse("organisations_import"),
        icon_name="upload",
        order=310,
        permission="core.manage_registry",
    )
