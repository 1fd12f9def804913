"""Scoring of one question of an attempt's snapshot against the learner's answer.

Pure functions: they read only the snapshot (the question as it was when the
attempt started) and the stored answer, so a past attempt scores the same
whatever happens to the question bank later.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
_SPACES = re.compile(r"\s+")


def normalise_text(value: str) -> str:
    """Short answers compare without case, ё/е difference and extra spaces."""
    return _SPACES.sub(" ", value.casefold().replace("ё", "е")).strip()


def _share(numerator: int, denominator: int) -> Decimal:
    if denominator <= 0:
        return Decimal(0)
    return Decimal(max(0, numerator)) / Decimal(denominator)


def _single(question: dict, answer: Any) -> Decimal:
    correct = {option["id"] for option in question["options"] if option["correct"]}
    return Decimal(1) if isinstance(answer, str) and answer in correct else Decimal(0)


def _multiple(question: dict, answer: Any) -> Decimal:
    """(correct chosen − wrong chosen) / all correct, never below zero."""
    chosen = set(answer) if isinstance(answer, list) else set()
    correct = {option["id"] for option in question["options"] if option["correct"]}
    known = {option["id"] for option in question["options"]}
    right = len(chosen & correct)
    wrong = len((chosen & known) - correct)
    return _share(right - wrong, len(correct))


def _true_false(question: dict, answer: Any) -> Decimal:
    expected = "true" if question["correct"] else "false"
    return Decimal(1) if answer == expected else Decimal(0)


def _short_answer(question: dict, answer: Any) -> Decimal:
    if not isinstance(answer, str) or not normalise_text(answer):
        return Decimal(0)
    accepted = {normalise_text(variant) for variant in question["variants"]}
    return Decimal(1) if normalise_text(answer) in accepted else Decimal(0)


def _matching(question: dict, answer: Any) -> Decimal:
    """Share of pairs matched right: ``answer`` maps pair ids to choice ids. Two pairs
    with the same right-hand text are interchangeable, so texts are compared."""
    chosen = answer if isinstance(answer, dict) else {}
    texts = {choice["id"]: normalise_text(choice["text"]) for choice in question["choices"]}
    matched = sum(
        1
        for pair in question["pairs"]
        if texts.get(chosen.get(pair["id"])) == normalise_text(pair["right"])
    )
    return _share(matched, len(question["pairs"]))


def _ordering(question: dict, answer: Any) -> Decimal:
    """Share of items put in their right position (1-based)."""
    positions = answer if isinstance(answer, dict) else {}
    in_place = sum(
        1
        for index, item in enumerate(question["items"], start=1)
        if positions.get(item["id"]) == index
    )
    return _share(in_place, len(question["items"]))


SCORERS = {
    "single": _single,
    "multiple": _multiple,
    "true_false": _true_false,
    "short_answer": _short_answer,
    "matching": _matching,
    "ordering": _ordering,
}


def question_points(question: dict, answer: Any) -> Decimal:
    """Points earned for ``answer`` (``None`` when unanswered), rounded to hundredths."""
    if answer is None:
        return Decimal(0).quantize(CENT)
    fraction = SCORERS[question["kind"]](question, answer)
    return (Decimal(question["points"]) * fraction).quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(score: Decimal, max_score: Decimal) -> Decimal:
    if max_score <= 0:
        return Decimal(0).quantize(CENT)
    return (score * 100 / max_score).quantize(CENT, rounding=ROUND_HALF_UP)
