from django import forms
from django.utils.translation import gettext_lazy as _

from cms.association import selectors


class JoinForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("College"),
        queryset=None,
        empty_label=None,
        help_text=_("Colleges you work at according to your profile."),
    )
    motivation = forms.CharField(
        label=_("What would you like to bring to or get from the association?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    consent = forms.BooleanField(
        label=_("I agree to the processing of my personal data for membership in the association"),
        required=True,
    )

    def __init__(self, *args, user, needs_consent: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = selectors.user_college_organisations(user)
        if not needs_consent:
            del self.fields["consent"]


class DecisionForm(forms.Form):
    DECISIONS = (("approve", _("Approve")), ("reject", _("Reject")))

    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS)
    comment = forms.CharField(
        label=_("Comment for the applicant"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you reject a request."),
    )

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("decision") == "reject" and not cleaned_data.get("comment", "").strip():
            self.add_error("comment", _("Tell the applicant why the request is rejected."))
        return cleaned_data


class RemoveForm(forms.Form):
    comment = forms.CharField(
        label=_("Reason (sent to the person)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
