"""Root of the association section (/association/); its records live in cms.association."""

from django.utils.translation import gettext_lazy as _
from wagtail.contrib.routable_page.models import RoutablePageMixin, path

from cms.models.sections import SectionIndexPage


class AssociationIndexPage(RoutablePageMixin, SectionIndexPage):
    """About the association, its announcements and meetings; joining and members below it."""

    subpage_types = ["cms.StandardPage", "association.AssociationSectionPage"]

    class Meta:
        verbose_name = _("association of college library workers")
        verbose_name_plural = _("associations of college library workers")

    def get_template(self, request, *args, **kwargs):
        return "association/association_index_page.html"

    def get_context(self, request, *args, **kwargs):
        from cms.association.views import index_context

        context = super().get_context(request, *args, **kwargs)
        context.update(index_context(request, self))
        return context

    # --- routes --------------------------------------------------------------

    @path("join/", name="join")
    def join_route(self, request):
        from cms.association.views import join_view

        return join_view(request, self)

    @path("leave/", name="leave")
    def leave_route(self, request):
        from cms.association.views import leave_view

        return leave_view(request, self)

    @path("members/", name="members")
    def members_route(self, request):
        from cms.association.views import members_view

        return members_view(request, self)

    @path("members/<int:membership_id>/remove/", name="member_remove")
    def member_remove_route(self, request, membership_id):
        from cms.association.views import member_remove_view

        return member_remove_view(request, self, membership_id)

    @path("requests/", name="requests")
    def requests_route(self, request):
        from cms.association.views import requests_view

        return requests_view(request, self)

    @path("requests/<int:membership_id>/", name="decide")
    def decide_route(self, request, membership_id):
        from cms.association.views import decide_view

        return decide_view(request, self, membership_id)
