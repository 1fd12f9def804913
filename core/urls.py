from django.urls import path

from core.views import accounts, cabinet, site

app_name = "core"

urlpatterns = [
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", accounts.LogoutView.as_view(), name="logout"),
    path("accounts/register/", accounts.register, name="register"),
    path("accounts/confirm/resend/", accounts.resend_confirmation, name="resend_confirmation"),
    path("accounts/confirm/<uidb64>/<token>/", accounts.confirm_email, name="confirm_email"),
    path("accounts/password/reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/done/",
        accounts.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        accounts.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "accounts/password/change/",
        accounts.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path("cabinet/", cabinet.cabinet, name="cabinet"),
    path("cabinet/profile/", cabinet.profile, name="profile"),
    path("cabinet/consents/", cabinet.consents, name="consents"),
    path("cabinet/notifications/", cabinet.notifications, name="notifications"),
    path(
        "cabinet/notifications/read/",
        cabinet.notifications_mark_read,
        name="notifications_mark_read",
    ),
    path("cabinet/dashboard/", cabinet.dashboard, name="dashboard"),
    path("search/", site.search, name="search"),
    path("healthz", site.healthz, name="healthz"),
    path("robots.txt", site.robots_txt, name="robots_txt"),
    path("accessibility/", site.accessibility, name="accessibility"),
    path("organisations/", site.organisation_list, name="organisation_list"),
    path("organisations/<int:pk>/", site.organisation_detail, name="organisation_detail"),
    path("consent/<int:pk>/", site.consent_document, name="consent_document"),
    path("consent/<slug:purpose>/", site.consent_current, name="consent_current"),
]
