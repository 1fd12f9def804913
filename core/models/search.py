from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    """What site search knows of a live page (kept by core.search_signals).

    An index, not a record: it goes with its page. Whether the page may be shown
    (live, public, of an enabled plugin) is decided at query time.
    """

    page = models.OneToOneField(
        "wagtailcore.Page",
        verbose_name=_("page"),
        on_delete=models.CASCADE,
        related_name="search_entry",
    )
    title = models.CharField(_("title"), max_length=255)
    text = models.TextField(_("text"), blank=True, help_text=_("Plain text for excerpts."))
    stems = models.TextField(
        _("stems"),
        help_text=_("Distinct word stems of the title and text, most frequent first."),
    )
    title_stems = models.TextField(_("title stems"))
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        ordering = ["page_id"]
        constraints = [
            # Matching looks for " stem " — a stem at either end needs the padding too.
            models.CheckConstraint(
                condition=models.Q(stems__startswith=" ", stems__endswith=" ")
                & models.Q(title_stems__startswith=" ", title_stems__endswith=" "),
                name="core_searchentry_stems_padded",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.page.url
