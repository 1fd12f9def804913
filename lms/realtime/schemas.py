"""Every frame the seminar WebSocket sends, one dataclass per ``type`` (CONTRACTS.md)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class Frame:
    type: ClassVar[str]

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, **asdict(self)}

    def encode(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    role: str = "participant"


@dataclass(frozen=True)
class Hello(Frame):
    type: ClassVar[str] = "hello"
    seminar: int
    user: Person
    last_seq: int
    chat_open: bool


@dataclass(frozen=True)
class Message(Frame):
    type: ClassVar[str] = "message"
    seq: int
    id: int
    author: Person
    text: str
    created: str
    client_id: str


@dataclass(frozen=True)
class History(Frame):
    type: ClassVar[str] = "history"
    messages: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class MessageDeleted(Frame):
    type: ClassVar[str] = "message.deleted"
    id: int


@dataclass(frozen=True)
class Question(Frame):
    type: ClassVar[str] = "question"
    id: int
    text: str
    author: Person
    votes: int
    answered: bool
    created: str
    client_id: str


@dataclass(frozen=True)
class PollOption:
    id: int
    text: str
    votes: int


@dataclass(frozen=True)
class Poll(Frame):
    type: ClassVar[str] = "poll"
    id: int
    question: str
    options: list[PollOption]
    open: bool


@dataclass(frozen=True)
class Presence(Frame):
    type: ClassVar[str] = "presence"
    count: int
    online: list[dict]


@dataclass(frozen=True)
class Chat(Frame):
    """The chat was closed or opened by a moderator."""

    type: ClassVar[str] = "chat"
    open: bool


@dataclass(frozen=True)
class Moderation(Frame):
    """For moderators only: an entry of the room's moderation log."""

    type: ClassVar[str] = "moderation"
    action: str
    actor: Person
    target_user: Person | None
    target_id: int | None
    created: str
    # Details of the action, e.g. {"minutes": 10} for a mute.
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Pong(Frame):
    type: ClassVar[str] = "pong"


ERROR_CODES = frozenset(
    {"invalid", "too_long", "rate_limited", "muted", "chat_closed", "forbidden", "not_found"}
)


@dataclass(frozen=True)
class Error(Frame):
    type: ClassVar[str] = "error"
    code: str
    client_id: str | None = None
    retry_after: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {"type": self.type, "code": self.code}
        if self.client_id is not None:
            data["client_id"] = self.client_id
        if self.retry_after is not None:
            data["retry_after"] = self.retry_after
        return data
