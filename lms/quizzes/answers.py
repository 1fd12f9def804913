"""Checking a learner's answer against the attempt's snapshot before it is stored.

Answers are keyed by the question's stable id and refer to options, pairs and
items by their ids. Anything that is not in the snapshot is a forged or stale
request and is refused as a whole, so it changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

MAX_TEXT_ANSWER = 1000


class InvalidAnswer(ValueError):
    """The answer does not fit the question; ``message`` is safe to show."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _forged() -> InvalidAnswer:
    return InvalidAnswer(_("The answer refers to something that is not part of this attempt."))


def _ids(question: dict, key: str) -> list[str]:
    return [entry["id"] for entry in question.get(key, [])]


def clean_answer(question: dict, raw: Any) -> Any | None:
    """The stored form of ``raw`` for ``question``, or ``None`` for "not answered"."""
    kind = question["kind"]
    if raw is None or raw == "" or raw == [] or raw == {}:
        return None
    if kind == "single":
        if not isinstance(raw, str) or raw not in _ids(question, "options"):
            raise _forged()
        return raw
    if kind == "multiple":
        values = [raw] if isinstance(raw, str) else raw
        if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
            raise _forged()
        known = _ids(question, "options")
        if any(value not in known for value in values):
            raise _forged()
        chosen = [option for option in known if option in values]
        return chosen or None
    if kind == "true_false":
        if isinstance(raw, bool):
            raw = "true" if raw else "false"
        if raw not in ("true", "false"):
            raise _forged()
        return raw
    if kind == "short_answer":
        if not isinstance(raw, str):
            raise _forged()
        text = raw.strip()
        if len(text) > MAX_TEXT_ANSWER:
            raise InvalidAnswer(
                _("An answer may be at most %(length)d characters long.")
                % {"length": MAX_TEXT_ANSWER}
            )
        return text or None
    if kind == "matching":
        if not isinstance(raw, dict):
            raise _forged()
        pairs = set(_ids(question, "pairs"))
        choices = set(_ids(question, "choices"))
        chosen = {}
        for pair_id, choice_id in raw.items():
            if pair_id not in pairs or (choice_id and choice_id not in choices):
                raise _forged()
            if choice_id:
                chosen[pair_id] = choice_id
        return chosen or None
    if kind == "ordering":
        if not isinstance(raw, dict):
            raise _forged()
        items = set(_ids(question, "items"))
        positions = {}
        for item_id, position in raw.items():
            if item_id not in items:
                raise _forged()
            if position in ("", None):
                continue
            try:
                number = int(position)
            except (TypeError, ValueError):
                raise _forged() from None
            if not 1 <= number <= len(items):
                raise _forged()
            positions[item_id] = number
        return positions or None
    raise _forged()


def clean_answers(snapshot: dict, raw_answers: dict) -> dict[str, Any | None]:
    """Clean a batch of answers keyed by question id; unknown question ids are refused."""
    if not isinstance(raw_answers, dict):
        raise _forged()
    questions = {question["id"]: question for question in snapshot.get("questions", [])}
    cleaned = {}
    for question_id, raw in raw_answers.items():
        question = questions.get(question_id)
        if question is None:
            raise _forged()
        cleaned[question_id] = clean_answer(question, raw)
    return cleaned


def is_answered(answers: dict, question_id: str) -> bool:
    return answers.get(question_id) not in (None, "", [], {})
