from django.urls import path

from monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("monitoring/", views.campaigns, name="campaigns"),
    path("expertise/", views.expertise, name="expertise"),
    path("expertise/registry/", views.registry, name="registry"),
]
