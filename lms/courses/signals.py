"""Signals other parts of the site may listen to (certificates, reports).

``course_completed`` is sent once per enrollment, after the transaction that
recorded the completion commits (``lms.courses.services.progress``). Keyword
argument: ``enrollment`` (a ``courses.Enrollment`` with status «completed»).
"""

from django.dispatch import Signal

course_completed = Signal()
