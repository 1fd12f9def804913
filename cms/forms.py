"""Forms of the public site's content sections."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cms.models.practices import PracticeCategory
from core.uploads import DOCUMENT_KINDS, IMAGE_KINDS, UPLOAD_KINDS, validate_upload

ATTACHMENT_KINDS = DOCUMENT_KINDS | IMAGE_KINDS


def _labels(kinds) -> str:
    return ", ".join(UPLOAD_KINDS[kind].label for kind in sorted(kinds))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none were chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_clean = super().clean
        items = data if isinstance(data, list | tuple) else [data]
        return [cleaned for item in items if (cleaned := single_clean(item, initial))]


class PracticeProposalForm(forms.Form):
    # One-time key: sending the same form twice must not create a second practice.
    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title of the practice"), max_length=255)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=None,
        empty_label=None,
        help_text=_("The school or college whose library carries out the practice."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=PracticeCategory.choices)
    annotation = forms.CharField(
        label=_("Annotation"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Two or three sentences: what the practice is and whom it helps."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Goals, steps, partners, results. Separate paragraphs with an empty line; "
            "formatting is not kept."
        ),
    )
    files = MultipleFileField(label=_("Attached files"), required=False)
    cover = forms.ImageField(label=_("Cover image"), required=False)
    cover_alt = forms.CharField(
        label=_("What the cover image shows"),
        max_length=250,
        required=False,
        help_text=_("For people who cannot see the image."),
    )
    publish_name = forms.BooleanField(
        label=_("I agree to the publication of my name as the author of the practice"),
        required=False,
    )

    def __init__(self, *args, organisations, consent_available: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        limit = filesizeformat(settings.PORTAL_UPLOAD_MAX_SIZE)
        self.fields["files"].help_text = _(
            "Up to %(count)d files of up to %(size)s each: %(kinds)s."
        ) % {
            "count": settings.PORTAL_UPLOAD_MAX_FILES,
            "size": limit,
            "kinds": _labels(ATTACHMENT_KINDS),
        }
        self.fields["cover"].help_text = _("Optional. %(kinds)s, up to %(size)s.") % {
            "kinds": _labels(IMAGE_KINDS),
            "size": limit,
        }
        if consent_available:
            self.fields["publish_name"].help_text = format_html(
                '{} <a href="{}" target="_blank" rel="noopener">{}</a>',
                _("Without it the practice is published without your name."),
                reverse("core:consent_current", args=["publish_name"]),
                _("Consent text"),
            )
        else:
            del self.fields["publish_name"]

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > settings.PORTAL_UPLOAD_MAX_FILES:
            raise ValidationError(
                _("Attach at most %(count)d files."),
                code="too_many",
                params={"count": settings.PORTAL_UPLOAD_MAX_FILES},
            )
        errors = []
        for uploaded in files:
            try:
                validate_upload(
                    uploaded, kinds=ATTACHMENT_KINDS, max_size=settings.PORTAL_UPLOAD_MAX_SIZE
                )
            except ValidationError as error:
                errors.extend(
                    ValidationError(
                        "%(name)s: %(error)s", params={"name": uploaded.name, "error": message}
                    )
                    for message in error.messages
                )
        if errors:
            raise ValidationError(errors)
        return files

    def clean_cover(self):
        cover = self.cleaned_data.get("cover")
        if cover:
            validate_upload(cover, kinds=IMAGE_KINDS, max_size=settings.PORTAL_UPLOAD_MAX_SIZE)
        return cover or None

    def clean(self):
        cleaned = super().clean()
        chosen = any(self.files.getlist(name) for name in ("files", "cover"))
        if self.errors and chosen:
            self.add_error(
                None,
                _(
                    "Please check the fields marked below. For safety, browsers do not keep "
                    "chosen files after an error: choose the files again before sending."
                ),
            )
        return cleaned
