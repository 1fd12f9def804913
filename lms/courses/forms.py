"""Forms of enrollment: the learner's ДПО data, the enroll form, staff decisions."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from core.models import User
from core.roles import role_group_name
from lms.courses.models import LearnerProfile
from lms.courses.validators import normalise_snils

# Roles whose members can teach a cohort (others appear once someone adds them by hand).
TEACHING_ROLES = ("methodist", "moderator", "expert", "head", "administrator")

PROFILE_FIELDS = [
    "education_level",
    "diploma_surname",
    "diploma_series",
    "diploma_number",
    "snils",
    "birth_date",
    "sex",
    "citizenship",
]


def _consent_field() -> forms.BooleanField:
    return forms.BooleanField(
        required=True,
        label=_("I agree to the processing of my personal data for the training"),
        help_text=format_html(
            '<a href="{}">{}</a>',
            reverse("core:consent_current", args=["personal_data"]),
            _("Read the consent text"),
        ),
        error_messages={"required": _("Without this consent we cannot enroll you.")},
    )


class LearnerProfileForm(forms.ModelForm):
    """Only what the certificate and the ФИС ФРДО record need (152-ФЗ: nothing more).

    ``ask_consent`` adds the consent checkbox when the user has no active consent.
    """

    class Meta:
        model = LearnerProfile
        fields = PROFILE_FIELDS
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "snils": forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "autocomplete": "off",
                    "placeholder": "123-456-789 01",
                }
            ),
            "diploma_surname": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "citizenship": forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
        }
        help_texts = {
            "diploma_surname": _("As written in your diploma, if it differs from today's."),
            "snils": _("11 digits; dashes and spaces are optional."),
            "education_level": _(
                "Additional professional education is open to people with, or studying "
                "for, higher or secondary vocational education."
            ),
        }

    def __init__(self, *args, ask_consent: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].input_formats = ["%Y-%m-%d", "%d.%m.%Y"]
        if ask_consent:
            self.fields["consent"] = _consent_field()

    def clean_snils(self) -> str:
        return normalise_snils(self.cleaned_data.get("snils", "").strip())

    def clean_citizenship(self) -> str:
        return self.cleaned_data.get("citizenship", "").strip()

    def profile_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in PROFILE_FIELDS}


class EnrollForm(forms.Form):
    """The confirmation form of the enroll page: an invitation code and consent, as needed."""

    def __init__(self, *args, ask_code: bool = False, ask_consent: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if ask_code:
            self.fields["invitation_code"] = forms.CharField(
                label=_("Invitation code"),
                max_length=40,
                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
                help_text=_("The department sends the code to the invited participants."),
            )
        if ask_consent:
            self.fields["consent"] = _consent_field()


class DecisionForm(forms.Form):
    """A methodist's or teacher's decision on one roster entry."""

    ACTIONS = (("approve", _("approve")), ("reject", _("decline")), ("promote", _("move up")))

    action = forms.ChoiceField(choices=ACTIONS)
    note = forms.CharField(label=_("Note for the learner"), max_length=500, required=False)


class CohortAdminForm(WagtailAdminModelForm):
    """The cohort form of the Wagtail admin: teachers are chosen among the staff roles."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Deadline forms validate against this cohort's course and dates
        # (CohortDeadline.clean); the child formset does not link them by itself.
        deadlines = getattr(self, "formsets", {}).get("deadlines")
        for form in deadlines.forms if deadlines is not None else ():
            form.instance.cohort = self.instance
        teachers = self.fields.get("teachers")
        if teachers is not None:
            current = self.instance.teachers.all() if self.instance.pk else User.objects.none()
            teachers.queryset = (
                User.objects.filter(
                    Q(groups__name__in=[role_group_name(code) for code in TEACHING_ROLES])
                    | Q(pk__in=current.values("pk")),
                    is_active=True,
                )
                .distinct()
                .order_by("last_name", "first_name", "pk")
            )
