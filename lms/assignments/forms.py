"""Forms of assignments: the editor's page form, the learner's hand-in, the teacher's
review, the message to a cohort. They parse input; the services decide."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from core.uploads import DOCUMENT_KINDS, IMAGE_KINDS, UPLOAD_KINDS

TEXT_MAX_LENGTH = 20_000


def new_client_token() -> str:
    return uuid.uuid4().hex


class AssignmentPageForm(WagtailAdminPageForm):
    """Edits ``file_kinds`` (comma-separated in the column) as checkboxes."""

    file_kinds = forms.MultipleChoiceField(
        label=_("accepted file types"),
        choices=[
            (kind, UPLOAD_KINDS[kind].label)
            for kind in UPLOAD_KINDS
            if kind in DOCUMENT_KINDS | IMAGE_KINDS
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            stored = self.initial.get("file_kinds") or ""
            if isinstance(stored, str):
                self.initial["file_kinds"] = [kind for kind in stored.split(",") if kind]

    def clean_file_kinds(self) -> str:
        return ",".join(self.cleaned_data.get("file_kinds") or [])

    def clean(self):
        cleaned_data = super().clean()
        if not cleaned_data.get("text_allowed") and not cleaned_data.get("files_allowed"):
            self.add_error("files_allowed", _("Allow a text answer, files, or both."))
        if cleaned_data.get("files_allowed") and not cleaned_data.get("file_kinds"):
            self.add_error("file_kinds", _("Choose at least one file type."))
        max_points, pass_points = cleaned_data.get("max_points"), cleaned_data.get("pass_points")
        if max_points is not None and pass_points is not None and pass_points > max_points:
            self.add_error("pass_points", _("The pass mark cannot exceed the maximum points."))
        return cleaned_data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; checks of type and size are the service's."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class SubmissionForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    files = MultipleFileField(label=_("Files"), required=False)
    client_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        if not self.is_bound:
            self.initial["client_token"] = new_client_token()
        if not assignment.text_allowed:
            del self.fields["text"]
        if assignment.accepts_files:
            files = self.fields["files"]
            files.help_text = _(
                "Up to %(count)d files; types: %(types)s; at most %(size)d MB each."
            ) % {
                "count": settings.PORTAL_UPLOAD_MAX_FILES,
                "types": ", ".join(assignment.accepted_labels),
                "size": assignment.max_file_size_mb,
            }
            accept = sorted(
                f".{extension}"
                for kind in assignment.accepted_kinds
                for extension in UPLOAD_KINDS[kind].extensions
            )
            files.widget.attrs["accept"] = ",".join(accept)
        else:
            del self.fields["files"]

    def clean(self):
        cleaned_data = super().clean()
        if not (cleaned_data.get("text") or "").strip() and not cleaned_data.get("files"):
            if "text" in self.fields and not self.has_error("text"):
                raise forms.ValidationError(_("Write an answer or attach a file."))
            if "files" in self.fields and not self.has_error("files"):
                raise forms.ValidationError(_("Attach a file."))
        return cleaned_data


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    points = forms.IntegerField(label=_("Points"), required=False, min_value=0)
    comment = forms.CharField(
        label=_("Comment for the learner"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Required when the work is returned or not accepted."),
    )

    def __init__(self, *args, assignment, **kwargs):
        from lms.assignments.models import ReviewDecision

        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = ReviewDecision.choices
        points = self.fields["points"]
        points.validators.append(MaxValueValidator(assignment.max_points))
        points.widget.attrs["max"] = assignment.max_points
        points.help_text = _("From 0 to %(max)d; an accepted work needs at least %(pass)d.") % {
            "max": assignment.max_points,
            "pass": assignment.pass_points,
        }


class CohortMessageForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8})
    )
    client_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["client_token"] = new_client_token()
