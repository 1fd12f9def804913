from django.urls import path

from lms.assignments.views import learner, teacher

app_name = "assignments"

# Under /cabinet/ so they never clash with page paths; the assignment page itself
# (instructions, history, the hand-in form) is served by AssignmentPage.
urlpatterns = [
    path("cabinet/assignments/files/<int:file_id>/", learner.file_download, name="file"),
    path("cabinet/reviews/", teacher.review_queue, name="review_queue"),
    path("cabinet/reviews/<int:submission_id>/", teacher.review_detail, name="review"),
    path("cabinet/cohorts/<int:cohort_id>/gradebook/", teacher.gradebook, name="gradebook"),
    path(
        "cabinet/cohorts/<int:cohort_id>/message/",
        teacher.cohort_message,
        name="cohort_message",
    ),
]
