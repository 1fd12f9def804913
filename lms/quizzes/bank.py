"""The question bank's answer data: the editors' one-line-per-answer text, its
validation, and the copy of a question an attempt keeps (its snapshot).

Every option, pair and item gets an id once; editing the text keeps the id of
each line whose text is unchanged, so stored answers keep pointing at the
same thing.
"""

from __future__ import annotations

import random
import uuid
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lms.quizzes.scoring import normalise_text

if TYPE_CHECKING:
    from lms.quizzes.models import Question

MAX_LINES = 30
MAX_LINE_LENGTH = 500
TRUE_WORDS = {"true", "yes", "верно", "да", "правда", "истина"}
FALSE_WORDS = {"false", "no", "неверно", "нет", "ложь"}


def _lines(text: str) -> list[str]:
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
    lines = [line for line in lines if line]
    if len(lines) > MAX_LINES:
        raise ValidationError(_("At most %(count)d lines, please.") % {"count": MAX_LINES})
    if any(len(line) > MAX_LINE_LENGTH for line in lines):
        raise ValidationError(
            _("A line may be at most %(length)d characters long.") % {"length": MAX_LINE_LENGTH}
        )
    return lines


class _Ids:
    """Hands out the previous id of a text once, a new id otherwise."""

    def __init__(self, previous: list[dict], key: str):
        self._free: dict[str, list[str]] = {}
        for entry in previous:
            self._free.setdefault(normalise_text(entry.get(key, "")), []).append(entry["id"])

    def take(self, text: str) -> str:
        ids = self._free.get(normalise_text(text))
        return ids.pop(0) if ids else uuid.uuid4().hex


def _options(lines: list[str], previous: dict) -> list[dict]:
    ids = _Ids(previous.get("options", []), "text")
    options = []
    for line in lines:
        correct = line.startswith("*")
        text = line.lstrip("*").strip()
        if not text:
            raise ValidationError(_("An option line has no text after the *."))
        options.append({"id": ids.take(text), "text": text, "correct": correct})
    if len(options) < 2:
        raise ValidationError(_("Give at least two options, one per line."))
    return options


def parse_answers_text(kind: str, text: str, previous: dict | None = None) -> dict:
    """Turn the editors' text into the question's ``data``; ``ValidationError`` says why not."""
    previous = previous or {}
    lines = _lines(text or "")
    if kind in ("single", "multiple"):
        options = _options(lines, previous)
        correct = sum(1 for option in options if option["correct"])
        if kind == "single" and correct != 1:
            raise ValidationError(
                _("A single-choice question needs exactly one correct option marked with *.")
            )
        if kind == "multiple" and correct < 1:
            raise ValidationError(
                _("Mark at least one correct option with * at the start of its line.")
            )
        return {"options": options}
    if kind == "true_false":
        word = normalise_text(lines[0]) if len(lines) == 1 else ""
        if word in TRUE_WORDS:
            return {"correct": True}
        if word in FALSE_WORDS:
            return {"correct": False}
        raise ValidationError(_("Write one word: «true» or «false» (or «верно» / «неверно»)."))
    if kind == "short_answer":
        if not lines:
            raise ValidationError(_("Give at least one accepted answer, one per line."))
        return {"variants": lines}
    if kind == "matching":
        ids = _Ids(previous.get("pairs", []), "left")
        pairs = []
        for line in lines:
            left, separator, right = line.partition("=")
            left, right = left.strip(), right.strip()
            if not separator or not left or not right:
                raise ValidationError(
                    _("Each matching line needs the form «left = right»: %(line)s") % {"line": line}
                )
            pairs.append({"id": ids.take(left), "left": left, "right": right})
        if len(pairs) < 2:
            raise ValidationError(_("Give at least two pairs, one per line."))
        return {"pairs": pairs}
    if kind == "ordering":
        ids = _Ids(previous.get("items", []), "text")
        items = [{"id": ids.take(line), "text": line} for line in lines]
        if len(items) < 2:
            raise ValidationError(_("Give at least two items, one per line, in the right order."))
        return {"items": items}
    raise ValidationError(_("Unknown kind of question."))


def answers_text(kind: str, data: dict) -> str:
    """The editors' text for existing ``data`` (the inverse of :func:`parse_answers_text`)."""
    if kind in ("single", "multiple"):
        return "\n".join(
            ("*" if option["correct"] else "") + option["text"]
            for option in data.get("options", [])
        )
    if kind == "true_false":
        return "" if "correct" not in data else ("true" if data["correct"] else "false")
    if kind == "short_answer":
        return "\n".join(data.get("variants", []))
    if kind == "matching":
        return "\n".join(f"{pair['left']} = {pair['right']}" for pair in data.get("pairs", []))
    if kind == "ordering":
        return "\n".join(item["text"] for item in data.get("items", []))
    return ""


def question_snapshot(question: Question, *, rng: random.Random, shuffle: bool) -> dict:
    """The question as an attempt keeps it: text, answers, points and the display order."""
    data = question.data
    entry = {
        "id": question.uid,
        "question_pk": question.pk,
        "version": question.version,
        "kind": question.kind,
        "text": question.text,
        "points": question.points,
        "feedback": question.feedback,
    }

    def shuffled(values: list) -> list:
        values = list(values)
        if shuffle:
            rng.shuffle(values)
        return values

    if question.kind in ("single", "multiple"):
        entry["options"] = shuffled(data["options"])
    elif question.kind == "true_false":
        entry["correct"] = bool(data["correct"])
    elif question.kind == "short_answer":
        entry["variants"] = list(data["variants"])
    elif question.kind == "matching":
        entry["pairs"] = shuffled(data["pairs"])
        # The right-hand column gets ids of its own (the pairs' ids would name the answer
        # in the page's HTML) and is always mixed, or its order would give it away.
        choices = [
            {"id": f"{rng.getrandbits(64):016x}", "text": pair["right"]} for pair in data["pairs"]
        ]
        rng.shuffle(choices)
        entry["choices"] = choices
    elif question.kind == "ordering":
        entry["items"] = list(data["items"])
        # Never show the right order as the starting order.
        display = list(data["items"])
        for _attempt in range(5):
            rng.shuffle(display)
            if display != entry["items"]:
                break
        entry["display"] = display
    return entry
