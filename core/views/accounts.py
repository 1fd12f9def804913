from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms import LoginForm, RegistrationForm, ResendConfirmationForm
from core.services.accounts import user_confirm_email, user_register, user_resend_confirmation
from core.services.consent import ConsentUnavailable


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "core/account/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    template_name = "core/account/logged_out.html"


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "core/account/password_reset.html"
    email_template_name = "core/email/password_reset.txt"
    subject_template_name = "core/email/password_reset_subject.txt"
    success_url = reverse_lazy("core:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "core/account/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "core/account/password_reset_confirm.html"
    success_url = reverse_lazy("core:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "core/account/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/account/password_change.html"
    success_url = reverse_lazy("core:profile")

    def form_valid(self, form):
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return redirect("core:cabinet")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user_register(
                email=data["email"],
                password=data["password1"],
                last_name=data["last_name"],
                first_name=data["first_name"],
                patronymic=data["patronymic"],
                position=data["position"],
                organisation=data["organisation"],
                mailing_consent=data["mailing_consent"],
                request=request,
            )
        except ConsentUnavailable:
            form.add_error(
                None, _("Registration is closed: the consent text is not published yet.")
            )
        else:
            return render(request, "core/account/register_done.html", {"email": data["email"]})
    return render(request, "core/account/register.html", {"form": form})


def confirm_email(request, uidb64, token):
    user = user_confirm_email(uidb64=uidb64, token=token, request=request)
    if user is None:
        return render(request, "core/account/confirm_invalid.html", status=400)
    messages.success(request, _("Your email is confirmed. You can sign in now."))
    return redirect("core:login")


@require_http_methods(["GET", "POST"])
def resend_confirmation(request):
    form = ResendConfirmationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_resend_confirmation(email=form.cleaned_data["email"])
        # The same answer whether or not the address is known.
        messages.info(
            request,
            _("If an unconfirmed account uses this address, a new link is on its way."),
        )
        return redirect("core:login")
    return render(request, "core/account/resend_confirmation.html", {"form": form})
