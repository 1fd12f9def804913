from django.urls import path

from lms.courses.views import enrollment

app_name = "courses"

# Learner and staff tools live under /cabinet/ so they never clash with page paths;
# enroll/withdraw are routes of the course page itself (CoursePage, RoutablePageMixin).
urlpatterns: list = [
    path("cabinet/dpo/", enrollment.learner_profile_view, name="learner_profile"),
    path("cabinet/cohorts/", enrollment.cohort_list_view, name="cohort_list"),
    path(
        "cabinet/cohorts/<int:cohort_id>/roster/",
        enrollment.cohort_roster_view,
        name="cohort_roster",
    ),
    path(
        "cabinet/cohorts/<int:cohort_id>/roster/<int:enrollment_id>/",
        enrollment.cohort_decide_view,
        name="cohort_decide",
    ),
]
