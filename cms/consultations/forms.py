"""Forms of the consultation desk: asking, and the methodist's assign, answer and publish forms."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cms.consultations.models import QUESTION_MAX_LENGTH
from cms.consultations.selectors import consultants
from cms.models import Topic
from core.uploads import DOCUMENT_KINDS, IMAGE_KINDS, UPLOAD_KINDS, validate_upload

ATTACHMENT_KINDS = DOCUMENT_KINDS | IMAGE_KINDS
ANSWER_MAX_LENGTH = 20000


class AskForm(forms.Form):
    # One-time key: sending the same form twice must not create a second question.
    client_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=Topic.objects.all(), empty_label=_("Choose a topic")
    )
    text = forms.CharField(
        label=_("Your question"),
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    attachment = forms.FileField(label=_("Attachment"), required=False)
    consent = forms.BooleanField(
        label=_("I agree to the processing of my personal data to get a consultation"),
        required=True,
    )

    def __init__(self, *args, needs_consent: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.attachment_kind = ""
        self.fields["text"].help_text = _(
            "Describe the situation: the type of your library, what you have already tried. "
            "Up to %(count)d characters."
        ) % {"count": QUESTION_MAX_LENGTH}
        self.fields["attachment"].help_text = _(
            "Optional: a document or a photo, up to %(size)s: %(kinds)s."
        ) % {
            "size": filesizeformat(settings.PORTAL_UPLOAD_MAX_SIZE),
            "kinds": ", ".join(UPLOAD_KINDS[kind].label for kind in sorted(ATTACHMENT_KINDS)),
        }
        if needs_consent:
            self.fields["consent"].help_text = format_html(
                '<a href="{}">{}</a>',
                reverse("core:consent_current", args=["personal_data"]),
                _("Consent text"),
            )
        else:
            del self.fields["consent"]

    def clean_attachment(self):
        attachment = self.cleaned_data.get("attachment")
        if attachment:
            self.attachment_kind = validate_upload(
                attachment, kinds=ATTACHMENT_KINDS, max_size=settings.PORTAL_UPLOAD_MAX_SIZE
            )
        return attachment or None

    def clean(self):
        cleaned = super().clean()
        if self.errors and self.files.get("attachment"):
            # Browsers never refill a file input: say so rather than lose the file silently.
            self.add_error(None, _("Please choose the file to attach again."))
        return cleaned


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Methodist"), queryset=None, empty_label=None)
    # Who had the question when the page was shown; a change meanwhile is a conflict.
    expected_assignee = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_assign_%s")
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = consultants()


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"),
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "The asker gets it in the site and by e-mail. Separate paragraphs with an empty line."
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_reply_%s")
        super().__init__(*args, **kwargs)


class PublishForm(forms.Form):
    title = forms.CharField(
        label=_("Title of the FAQ entry"),
        max_length=255,
        help_text=_("A short question, e.g. «How do we write off outdated textbooks?»"),
    )
    question_text = forms.CharField(
        label=_("Question (anonymised)"),
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "E-mails, phone numbers and the asker's name have been removed automatically. "
            "Check for other details that could identify the person or the school."
        ),
    )
    answer = forms.CharField(
        label=_("Answer"), max_length=ANSWER_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 12})
    )
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.all(), empty_label=None)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_faq_%s")
        super().__init__(*args, **kwargs)
