from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from core.models import Organisation, User


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong email or password."),
        "unconfirmed": _(
            "Your email address is not confirmed yet. Follow the link in the letter we sent, "
            "or ask for a new one."
        ),
    }

    def clean(self):
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email and password:
            pending = User.objects.filter(
                email__iexact=email, is_active=False, email_confirmed_at__isnull=True
            ).first()
            if pending is not None and pending.check_password(password):
                raise forms.ValidationError(self.error_messages["unconfirmed"], code="unconfirmed")
        return super().clean()


class RegistrationForm(forms.Form):
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    patronymic = forms.CharField(label=_("Patronymic"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.filter(is_active=True).select_related("district"),
        required=False,
        help_text=_("Where you work. The department confirms the link later."),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    personal_data_consent = forms.BooleanField(
        label=_("I consent to the processing of my personal data"),
        required=True,
        error_messages={"required": _("Without this consent we cannot create an account.")},
    )
    mailing_consent = forms.BooleanField(
        label=_("I want to receive the department's information mailings"), required=False
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("An account with this email already exists. Sign in or reset the password.")
            )
        return email

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            candidate = User(
                email=cleaned.get("email") or "",
                last_name=cleaned.get("last_name") or "",
                first_name=cleaned.get("first_name") or "",
            )
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["last_name", "first_name", "patronymic", "position", "phone"]


class MembershipRequestForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.filter(is_active=True).select_related("district"),
    )


class OrganisationCsvImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: name; short_name; kind (school, college, other); district; inn; address; "
            "email; website. UTF-8 or Windows-1251, separated by semicolons or commas."
        ),
    )

    def clean_file(self):
        from django.conf import settings

        upload = self.cleaned_data["file"]
        if upload.size > settings.PORTAL_CSV_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large: at most %(mb)d MB.")
                % {"mb": settings.PORTAL_CSV_MAX_BYTES // (1024 * 1024)}
            )
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(_("Upload a .csv file."))
        return upload
