"""The live seminar WebSocket (CONTRACTS.md: ``/ws/seminars/<event page id>/``)."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.sessions import InstanceSessionWrapper

from lms.realtime import schemas
from lms.realtime.hub import hub_join, hub_leave
from lms.services import seminars as services
from lms.services.seminars import AccessDenied, SeminarError

#: Largest frame accepted from a client, in characters (a message plus JSON overhead).
FRAME_MAX = 16_384


#: Ids and sequence numbers are ASCII digits that fit a 64-bit integer column.
NUMBER = re.compile(r"[0-9]{1,18}")


def _after(scope) -> int | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("after")
    raw = values[0] if values else ""
    if not (raw.isascii() and raw.isdigit()):
        return None
    # Beyond any stored number: nothing is newer (and the query stays in range).
    return min(int(raw), 2**63 - 1)


class SeminarConsumer(AsyncWebsocketConsumer):
    participant: services.Participant | None = None
    hub = None
    connection_id: int | None = None
    #: The highest message seq this socket has been sent.
    sent_seq = 0

    async def connect(self):
        raw_id = self.scope["url_route"]["kwargs"]["event_id"]
        self.ready = False
        self.pending: list[tuple[int | None, str]] = []
        # Close codes reach the client only after the handshake, so accept first.
        await self.accept()
        self.frame_send = _server_send(self.base_send)
        if not NUMBER.fullmatch(raw_id):
            await self.close(code=4404)
            return
        self.event_id = int(raw_id)
        try:
            participant = await database_sync_to_async(services.seminar_enter)(
                event_id=self.event_id, user=self.scope.get("user")
            )
        except AccessDenied as denied:
            await self.close(code=denied.close_code)
            return
        self.participant = participant
        self.hub = await hub_join(self.event_id, self)
        after = _after(self.scope)
        # The counter first, the history second: the history then holds every message
        # numbered up to the counter, and anything later arrives through the hub.
        last_seq, chat_open = await database_sync_to_async(_room_status)(self.event_id)
        history = await database_sync_to_async(services.messages_history)(
            event_id=self.event_id, after=after
        )
        seen = max([after or 0, *(m["seq"] for m in history)])
        await self._send(
            schemas.Hello(
                seminar=self.event_id,
                user=participant.person(),
                last_seq=max(last_seq, seen),
                chat_open=chat_open,
            ).to_dict()
        )
        await self._send(schemas.History(messages=history).to_dict())
        if after:
            for message_id in await database_sync_to_async(services.messages_deleted)(
                event_id=self.event_id, upto=after
            ):
                await self._send(schemas.MessageDeleted(id=message_id).to_dict())
        for frame in await database_sync_to_async(services.room_state)(event_id=self.event_id):
            await self._send(frame)
        if participant.is_moderator:
            log = await database_sync_to_async(services.moderation_log)(event_id=self.event_id)
            for frame in log:
                await self._send(frame)
        await self._send(self.hub.presence_now())
        # Broadcasts that arrived while we were reading the history: skip what it held.
        # Sending may yield, and the hub keeps appending meanwhile; drain until empty.
        self.sent_seq = seen
        while self.pending:
            batch, self.pending = self.pending, []
            for seq, text in batch:
                if seq is None or seq > self.sent_seq:
                    await self.send(text_data=text)
                    self.sent_seq = max(self.sent_seq, seq or 0)
        self.ready = True
        self.connection_id = await database_sync_to_async(services.seminar_connection_open)(
            event_id=self.event_id, user_id=participant.user_id
        )

    async def disconnect(self, code):
        if self.hub is not None:
            await hub_leave(self.event_id, self)
            self.hub = None
        if self.connection_id is not None:
            await database_sync_to_async(services.seminar_connection_close)(
                connection_id=self.connection_id
            )
            self.connection_id = None

    async def push(self, seq: int | None, text: str, message: dict | None = None) -> None:
        """Called by the hub with a frame already encoded once for every socket.

        ``message`` is the hub's ``websocket.send`` event, one dict shared by all its
        sockets (servers only read it); it goes straight to the server's send.
        """
        if not self.ready:
            self.pending.append((seq, text))
            return
        if seq is not None:
            # A hub that filled a gap from the database may hand over a message this
            # socket already has (from its history): each socket gets a seq once.
            if seq <= self.sent_seq:
                return
            self.sent_seq = seq
        await self.frame_send(message or {"type": "websocket.send", "text": text})

    async def _send(self, frame: dict) -> None:
        await self.send(text_data=json.dumps(frame, ensure_ascii=False, separators=(",", ":")))

    async def _error(self, code: str, *, client_id=None, retry_after=None) -> None:
        await self._send(
            schemas.Error(
                code=code,
                client_id=client_id if isinstance(client_id, str) else None,
                retry_after=retry_after,
            ).to_dict()
        )

    # --- incoming frames -------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        if self.participant is None:
            return
        if text_data is None or len(text_data) > FRAME_MAX:
            await self._error("too_long" if text_data else "invalid")
            return
        try:
            data = json.loads(text_data)
        except ValueError:
            await self._error("invalid")
            return
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            await self._error("invalid")
            return
        handler = self.HANDLERS.get(data["type"])
        if handler is None:
            await self._error("invalid", client_id=data.get("client_id"))
            return
        try:
            await handler(self, data)
        except SeminarError as refused:
            await self._error(
                refused.code, client_id=data.get("client_id"), retry_after=refused.retry_after
            )

    def _call(self, service, **kwargs):
        return database_sync_to_async(service)(
            event_id=self.event_id, participant=self.participant, **kwargs
        )

    async def on_ping(self, data):
        await self._send(schemas.Pong().to_dict())

    async def on_message_send(self, data):
        posted = await self._call(
            services.seminar_message_post, text=data.get("text"), client_id=data.get("client_id")
        )
        if posted.created:
            await self.hub.publish_message(posted.frame)
        else:
            # A resend after a reconnect: the sender gets the original back, nobody else.
            await self._send(posted.frame)

    async def on_question_ask(self, data):
        posted = await self._call(
            services.seminar_question_ask, text=data.get("text"), client_id=data.get("client_id")
        )
        if posted.created:
            await self.hub.publish_frame(posted.frame)
        else:
            await self._send(posted.frame)

    async def on_question_vote(self, data):
        question_id = await self._call(services.seminar_question_vote, question_id=data.get("id"))
        self.hub.mark_dirty("question", question_id)

    async def on_question_answer(self, data):
        log = await self._call(services.seminar_question_answer, question_id=data.get("id"))
        frame = await database_sync_to_async(services.question_state)(question_id=log["target_id"])
        await self.hub.publish_frame(frame)
        await self.hub.publish_frame(log, moderators_only=True)

    async def on_message_delete(self, data):
        log = await self._call(services.seminar_message_delete, message_id=data.get("id"))
        await self.hub.publish_frame(schemas.MessageDeleted(id=log["target_id"]).to_dict())
        await self.hub.publish_frame(log, moderators_only=True)

    async def on_user_mute(self, data):
        log = await self._call(
            services.seminar_user_sanction, user_id=data.get("user_id"), minutes=data.get("minutes")
        )
        await self.hub.publish_frame(log, moderators_only=True)

    async def on_user_ban(self, data):
        log = await self._call(
            services.seminar_user_sanction, user_id=data.get("user_id"), ban=True
        )
        await self.hub.publish_kick(log["target_user"]["id"])
        await self.hub.publish_frame(log, moderators_only=True)

    async def on_chat_close(self, data):
        await self._set_chat(False)

    async def on_chat_open(self, data):
        await self._set_chat(True)

    async def _set_chat(self, is_open: bool):
        log = await self._call(services.seminar_chat_set_open, is_open=is_open)
        await self.hub.publish_frame(schemas.Chat(open=is_open).to_dict())
        await self.hub.publish_frame(log, moderators_only=True)

    async def on_poll_create(self, data):
        frame, log = await self._call(
            services.seminar_poll_create, question=data.get("question"), options=data.get("options")
        )
        await self.hub.publish_frame(frame)
        await self.hub.publish_frame(log, moderators_only=True)

    async def on_poll_close(self, data):
        frame, log = await self._call(services.seminar_poll_close, poll_id=data.get("id"))
        await self.hub.publish_frame(frame)
        if log is not None:
            await self.hub.publish_frame(log, moderators_only=True)

    async def on_poll_vote(self, data):
        poll_id = await self._call(
            services.seminar_poll_vote, poll_id=data.get("id"), option_id=data.get("option_id")
        )
        self.hub.mark_dirty("poll", poll_id)

    HANDLERS = {
        "ping": on_ping,
        "message.send": on_message_send,
        "question.ask": on_question_ask,
        "question.vote": on_question_vote,
        "question.answer": on_question_answer,
        "message.delete": on_message_delete,
        "user.mute": on_user_mute,
        "user.ban": on_user_ban,
        "chat.close": on_chat_close,
        "chat.open": on_chat_open,
        "poll.create": on_poll_create,
        "poll.close": on_poll_close,
        "poll.vote": on_poll_vote,
    }


def _server_send(send):
    """The ASGI server's own send, for the fan-out hot path.

    ``AuthMiddlewareStack`` wraps ``send`` in channels' session wrapper, which acts only
    on ``http.response.start`` yet costs a third of a frame's server time (lazy session
    lookups on every call); a WebSocket frame needs none of it. Anything else is kept.
    """
    wrapper = getattr(send, "__self__", None)
    if isinstance(wrapper, InstanceSessionWrapper):
        return wrapper.real_send
    return send


def _room_status(event_id: int) -> tuple[int, bool]:
    from lms.models import SeminarRoom

    room = SeminarRoom.objects.get(pk=event_id)
    return room.last_seq, room.chat_open
