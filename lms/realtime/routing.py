from django.urls import re_path

from lms.realtime.consumers import SeminarConsumer

websocket_urlpatterns = [
    # Any id reaches the consumer, so a bad one gets the documented 4404 close code.
    re_path(r"^ws/seminars/(?P<event_id>[^/]+)/$", SeminarConsumer.as_asgi()),
]
