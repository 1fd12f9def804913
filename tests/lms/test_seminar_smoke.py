import datetime as dt

import pytest
from asgiref.sync import async_to_sync
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from lms.realtime.routing import websocket_urlpatterns
from lms.services.events import event_register

pytestmark = pytest.mark.django_db

app = URLRouter(websocket_urlpatterns)


def connect(event_id, user, after=None):
    path = f"/ws/seminars/{event_id}/" + (f"?after={after}" if after is not None else "")
    communicator = WebsocketCommunicator(app, path)
    communicator.scope["user"] = user
    return communicator


def test_chat_round_trip(make_event, participant, make_user):
    event = make_event(start=timezone.now() - dt.timedelta(minutes=5))
    event_register(event_id=event.pk, user=participant)
    moderator = make_user("moderator")

    async def scenario():
        a = connect(event.pk, participant)
        ok, _ = await a.connect()
        assert ok
        hello = await a.receive_json_from()
        assert hello["type"] == "hello", hello
        history = await a.receive_json_from()
        assert history == {"type": "history", "messages": []}
        m = connect(event.pk, moderator)
        await m.connect()
        frames = []
        await a.send_json_to({"type": "message.send", "text": "Привет <b>", "client_id": "c1"})
        for _ in range(10):
            frame = await a.receive_json_from(timeout=3)
            frames.append(frame)
            if frame["type"] == "message":
                break
        print(frames)
        assert frames[-1]["text"] == "Привет <b>" and frames[-1]["seq"] == 1
        await a.disconnect()
        await m.disconnect()

    async_to_sync(scenario)()
