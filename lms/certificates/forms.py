"""Forms of the register: its filters, revocation, issuing a duplicate and recording
the blank a document was printed on."""

from __future__ import annotations

from django import forms
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from lms.certificates.models import CertificateKind, CertificateStatus
from lms.certificates.selectors.registry import (
    courses_with_certificates,
    events_with_certificates,
)
from lms.certificates.services.blanks import validate_blank_number, validate_blank_series


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # The ISO format is what <input type="date"> sends and shows.
        super().__init__(attrs, format="%Y-%m-%d")


class EventChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({date_format(localtime(obj.start), 'SHORT_DATE_FORMAT')})"


class RegistryFilterForm(forms.Form):
    """The register's GET filters; every field may stay empty."""

    date_from = forms.DateField(label=_("Issued from"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("Issued till"), required=False, widget=DateInput)
    course = forms.ModelChoiceField(
        label=_("Course"), queryset=None, required=False, empty_label=_("all")
    )
    event = EventChoiceField(label=_("Event"), queryset=None, required=False, empty_label=_("all"))
    kind = forms.ChoiceField(
        label=_("Kind of document"),
        choices=[("", _("all")), *CertificateKind.choices],
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("all")), *CertificateStatus.choices], required=False
    )
    q = forms.CharField(
        label=_("Number or surname"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses_with_certificates()
        self.fields["event"].queryset = events_with_certificates()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period is before its start."))
        return cleaned

    def filters(self) -> dict:
        """Keyword arguments of ``registry_certificates``; call after ``is_valid``."""
        data = self.cleaned_data
        return {
            "date_from": data["date_from"],
            "date_to": data["date_to"],
            "course": data["course"],
            "event": data["event"],
            "kind": data["kind"],
            "status": data["status"],
            "query": data["q"],
        }


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revocation"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the public verification page."),
    )


class DuplicateForm(forms.Form):
    """The new blank, when the duplicate goes on a numbered form."""

    blank_series = forms.CharField(label=_("Blank series"), max_length=20, required=False)
    blank_number = forms.CharField(label=_("Blank number"), max_length=30, required=False)


class BlankForm(forms.Form):
    """The numbered blank an issued document was printed on. The field names differ
    from the duplicate form's, which shares the page: their ids must not clash."""

    series = forms.CharField(
        label=_("Blank series"),
        max_length=20,
        required=False,
        validators=[validate_blank_series],
        help_text=_("Letters and digits, as printed on the blank; leave empty if it has none."),
    )
    number = forms.CharField(
        label=_("Blank number"),
        max_length=30,
        validators=[validate_blank_number],
        help_text=_("Digits only."),
    )
