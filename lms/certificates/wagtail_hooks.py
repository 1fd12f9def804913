"""Wagtail admin wiring of certificates: templates (snippets with revisions) and a menu
link to the register in the cabinet."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import ProtectedError
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
)
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import DeleteView, SnippetViewSet

from lms.certificates.models import CertificateTemplate


class TemplateDeleteView(DeleteView):
    """A template that issued documents point at stays: the register must render them."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                _("“%(object)s” was used for issued documents and cannot be deleted.")
                % {"object": self.object},
            )
            return redirect(self.get_success_url())


class CertificateTemplateViewSet(SnippetViewSet):
    model = CertificateTemplate
    icon = "doc-full-inverse"
    menu_label = gettext_lazy("Certificate templates")
    menu_order = 310
    add_to_admin_menu = True
    delete_view_class = TemplateDeleteView
    list_display = ["title", "kind", "is_default", "orientation"]
    list_filter = ["kind", "is_default"]
    search_fields = ["title", "heading"]
    copy_view_enabled = True
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("is_default")]),
            FieldPanel("orientation"),
            MultiFieldPanel(
                [
                    FieldPanel("organisation"),
                    FieldPanel("city"),
                    FieldPanel("organisation_details"),
                    FieldRowPanel([FieldPanel("logo"), FieldPanel("background")]),
                ],
                heading=gettext_lazy("Issuer"),
            ),
            MultiFieldPanel(
                [FieldPanel("heading"), FieldPanel("subheading"), FieldPanel("body")],
                heading=gettext_lazy("Text"),
            ),
            InlinePanel(
                "signatories",
                heading=gettext_lazy("Signatories"),
                label=gettext_lazy("signatory"),
            ),
        ]
    )


register_snippet(CertificateTemplateViewSet)


@hooks.register("register_admin_menu_item")
def register_certificate_registry_menu_item():
    class RegistryMenuItem(MenuItem):
        def is_shown(self, request):
            from core.plugins import disabled_app_labels

            return "certificates" not in disabled_app_labels() and request.user.has_perm(
                "certificates.view_certificate"
            )

    return RegistryMenuItem(
        gettext_lazy("Register of certificates"),
        reverse_lazy("lms:certificates:registry"),
        icon_name="list-ul",
        order=311,
    )
