"""Process-local fan-out for seminar rooms.

A WebSocket server process keeps one :class:`SeminarHub` per room that has
local connections. The hub holds one channel-layer channel subscribed to the
room's group, so the layer carries each broadcast once per *process*, not
once per socket; the hub encodes the frame once and writes it to every local
socket (PITFALLS.md: per-socket ``group_send`` is what makes 500 listeners
slow). The hub also

* delivers chat messages strictly in ``seq`` order: an early arrival waits
  in a buffer, and a gap that does not close within a moment is filled from
  the database (two processes may publish in a different order than they
  committed);
* keeps presence: each process announces its local participants (on change,
  at most once a second, and as a heartbeat), and each hub merges the
  announcements and tells its sockets, coalesced, at most once a second;
* coalesces vote updates of questions and polls into one frame per item per
  ``COALESCE`` seconds.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import time
import uuid

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from lms.realtime import schemas
from lms.services import seminars as services

logger = logging.getLogger(__name__)

PROCESS_ID = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
GAP_WAIT = 0.25  # seconds an out-of-order message waits before the gap is read from the database
PRESENCE_INTERVAL = 1.0
PRESENCE_HEARTBEAT = 10.0
PRESENCE_EXPIRY = 30.0
PRESENCE_LIST_MAX = 100
COALESCE = 0.5


def group_name(event_id: int) -> str:
    return f"seminar.{event_id}"


def encode(frame: dict) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


class SeminarHub:
    def __init__(self, event_id: int):
        self.event_id = event_id
        self.group = group_name(event_id)
        self.layer = get_channel_layer()
        self.consumers: set = set()
        self.channel: str | None = None
        self.tasks: list[asyncio.Task] = []
        self.last_seq = 0
        self.early: dict[int, dict] = {}
        self.gap_task: asyncio.Task | None = None
        # Presence: my sockets per user, and what every process last announced.
        self.local_users: dict[int, list] = {}
        self.local_changed = False
        self.snapshots: dict[str, tuple[float, dict[int, str]]] = {}
        self.presence_sent: tuple | None = None
        self.presence_due = False
        self.dirty: dict[str, set[int]] = {"question": set(), "poll": set()}
        self.item_state: dict[tuple[str, int], dict] = {}
        self.flush_task: asyncio.Task | None = None

    # --- lifecycle -------------------------------------------------------------

    async def start(self) -> None:
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(self.group, self.channel)
        # Read the counter only after subscribing: anything numbered later reaches us.
        self.last_seq = await database_sync_to_async(_room_last_seq)(self.event_id)
        self.tasks = [
            asyncio.create_task(self._read()),
            asyncio.create_task(self._presence_loop()),
        ]

    async def stop(self) -> None:
        await self._publish({"kind": "presence", "process": PROCESS_ID, "users": []})
        for task in self.tasks + [t for t in (self.gap_task, self.flush_task) if t]:
            task.cancel()
        await self.layer.group_discard(self.group, self.channel)

    async def join(self, consumer) -> None:
        self.consumers.add(consumer)
        person = consumer.participant
        entry = self.local_users.setdefault(person.user_id, [person.name, 0])
        entry[1] += 1
        self.local_changed = True

    async def leave(self, consumer) -> bool:
        """Returns True when the hub has no local sockets left."""
        self.consumers.discard(consumer)
        person = getattr(consumer, "participant", None)
        if person is not None and person.user_id in self.local_users:
            self.local_users[person.user_id][1] -= 1
            if self.local_users[person.user_id][1] <= 0:
                del self.local_users[person.user_id]
            self.local_changed = True
        return not self.consumers

    # --- publishing (any process) ---------------------------------------------

    async def _publish(self, payload: dict) -> None:
        await self.layer.group_send(self.group, {"type": "seminar.broadcast", **payload})

    async def publish_message(self, frame: dict) -> None:
        await self._publish({"kind": "message", "seq": frame["seq"], "frame": frame})

    async def publish_frame(self, frame: dict, *, moderators_only: bool = False) -> None:
        await self._publish({"kind": "frame", "frame": frame, "moderators": moderators_only})

    async def publish_kick(self, user_id: int) -> None:
        await self._publish({"kind": "kick", "user_id": user_id})

    def mark_dirty(self, kind: str, item_id: int) -> None:
        self.dirty[kind].add(item_id)
        if self.flush_task is None or self.flush_task.done():
            self.flush_task = asyncio.create_task(self._flush_dirty())

    async def _flush_dirty(self) -> None:
        await asyncio.sleep(COALESCE)
        dirty, self.dirty = self.dirty, {"question": set(), "poll": set()}
        for question_id in dirty["question"]:
            frame = await database_sync_to_async(services.question_state)(question_id=question_id)
            if frame:
                await self.publish_frame(frame)
        for poll_id in dirty["poll"]:
            frame = await database_sync_to_async(services.poll_state)(poll_id=poll_id)
            if frame:
                await self.publish_frame(frame)

    # --- receiving (this process) ---------------------------------------------

    async def _read(self) -> None:
        while True:
            try:
                payload = await self.layer.receive(self.channel)
                await self._dispatch(payload)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("seminar hub %s: broadcast failed", self.event_id)
                await asyncio.sleep(0.1)

    async def _dispatch(self, payload: dict) -> None:
        kind = payload.get("kind")
        if kind == "message":
            await self._on_message(payload["seq"], payload["frame"])
        elif kind == "frame":
            frame = self._monotonic(payload["frame"])
            await self._deliver(None, encode(frame), payload.get("moderators", False))
        elif kind == "presence":
            self.snapshots[payload["process"]] = (
                time.monotonic(),
                {int(uid): name for uid, name in payload["users"]},
            )
            self.presence_due = True
        elif kind == "kick":
            for consumer in [
                c for c in self.consumers if c.participant.user_id == payload["user_id"]
            ]:
                await consumer.close(code=4403)

    def _monotonic(self, frame: dict) -> dict:
        """Question and poll frames are snapshots read at different moments (votes are
        coalesced, processes race), so a late one may be older than one already sent.
        Their fields only ever grow (votes, answered) or end (open), so merging makes
        any arrival order converge on the newest state."""
        kind = frame.get("type")
        if kind not in ("question", "poll"):
            return frame
        key = (kind, frame["id"])
        previous = self.item_state.get(key)
        if previous is not None:
            if kind == "question":
                frame = {
                    **frame,
                    "votes": max(frame["votes"], previous["votes"]),
                    "answered": frame["answered"] or previous["answered"],
                }
            else:
                votes = {option["id"]: option["votes"] for option in previous["options"]}
                frame = {
                    **frame,
                    "open": frame["open"] and previous["open"],
                    "options": [
                        {**option, "votes": max(option["votes"], votes.get(option["id"], 0))}
                        for option in frame["options"]
                    ],
                }
        self.item_state[key] = frame
        return frame

    async def _on_message(self, seq: int, frame: dict) -> None:
        if seq <= self.last_seq:
            return
        if seq != self.last_seq + 1:
            self.early[seq] = frame
            if self.gap_task is None or self.gap_task.done():
                self.gap_task = asyncio.create_task(self._fill_gap())
            return
        await self._deliver_message(seq, frame)
        while self.last_seq + 1 in self.early:
            next_seq = self.last_seq + 1
            await self._deliver_message(next_seq, self.early.pop(next_seq))

    async def _deliver_message(self, seq: int, frame: dict | None) -> None:
        self.last_seq = seq
        if frame is not None:
            await self._deliver(seq, encode(frame), False)

    async def _fill_gap(self) -> None:
        await asyncio.sleep(GAP_WAIT)
        if not self.early:
            return
        rows = await database_sync_to_async(services.messages_range)(
            event_id=self.event_id, after=self.last_seq, upto=max(self.early)
        )
        for seq, frame in rows:
            if seq == self.last_seq + 1:
                await self._deliver_message(seq, frame)
        self.early = {seq: f for seq, f in self.early.items() if seq > self.last_seq}
        while self.last_seq + 1 in self.early:
            next_seq = self.last_seq + 1
            await self._deliver_message(next_seq, self.early.pop(next_seq))
        if self.early:
            self.gap_task = asyncio.create_task(self._fill_gap())

    async def _deliver(self, seq: int | None, text: str, moderators_only: bool) -> None:
        # One encoded frame and one send event for every socket (servers only read it).
        message = {"type": "websocket.send", "text": text}
        for consumer in list(self.consumers):
            if moderators_only and not consumer.participant.is_moderator:
                continue
            try:
                await consumer.push(seq, text, message)
            except Exception:
                # One broken (usually just closed) socket must not cost the others
                # this frame; its disconnect handler removes it.
                logger.debug(
                    "seminar %s: delivery to a socket failed", self.event_id, exc_info=True
                )

    # --- presence --------------------------------------------------------------

    async def _presence_loop(self) -> None:
        announced = 0.0
        while True:
            await asyncio.sleep(PRESENCE_INTERVAL)
            now = time.monotonic()
            if self.local_changed or now - announced >= PRESENCE_HEARTBEAT:
                self.local_changed = False
                announced = now
                users = [[uid, entry[0]] for uid, entry in self.local_users.items()]
                await self._publish({"kind": "presence", "process": PROCESS_ID, "users": users})
            if self.presence_due:
                self.presence_due = False
                await self._send_presence(now)

    async def _send_presence(self, now: float) -> None:
        online: dict[int, str] = {}
        for process, (seen, users) in list(self.snapshots.items()):
            if now - seen > PRESENCE_EXPIRY:
                del self.snapshots[process]
                continue
            online.update(users)
        key = tuple(sorted(online))
        if key == self.presence_sent:
            return
        self.presence_sent = key
        await self._deliver(None, _presence_frame(online).encode(), False)

    def presence_now(self) -> dict:
        """The last merged presence, for a socket that just connected."""
        online: dict[int, str] = {}
        for _seen, users in self.snapshots.values():
            online.update(users)
        for uid, entry in self.local_users.items():
            online[uid] = entry[0]
        return _presence_frame(online).to_dict()


def _presence_frame(online: dict[int, str]) -> schemas.Presence:
    """The exact count and, sorted by name, at most PRESENCE_LIST_MAX people."""
    people = sorted(online.items(), key=lambda item: item[1])[:PRESENCE_LIST_MAX]
    return schemas.Presence(
        count=len(online), online=[{"id": uid, "name": name} for uid, name in people]
    )


def _room_last_seq(event_id: int) -> int:
    from lms.models import SeminarRoom

    return SeminarRoom.objects.filter(pk=event_id).values_list("last_seq", flat=True).first() or 0


# One registry per event loop: tests run consumers in fresh loops.
_hubs: dict[tuple[int, int], SeminarHub] = {}
_locks: dict[tuple[int, int], asyncio.Lock] = {}


def _key(event_id: int) -> tuple[int, int]:
    return (id(asyncio.get_running_loop()), event_id)


async def hub_join(event_id: int, consumer) -> SeminarHub:
    key = _key(event_id)
    lock = _locks.setdefault(key, asyncio.Lock())
    async with lock:
        hub = _hubs.get(key)
        if hub is None:
            hub = SeminarHub(event_id)
            await hub.start()
            _hubs[key] = hub
        await hub.join(consumer)
        return hub


async def hub_leave(event_id: int, consumer) -> None:
    key = _key(event_id)
    lock = _locks.setdefault(key, asyncio.Lock())
    async with lock:
        hub = _hubs.get(key)
        if hub is None:
            return
        if await hub.leave(consumer):
            del _hubs[key]
            await hub.stop()
