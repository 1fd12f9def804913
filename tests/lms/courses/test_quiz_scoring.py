"""Scoring of each question kind, the editors' answer text and answer checking.

Pure functions over snapshots: no database needed."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from lms.quizzes.answers import InvalidAnswer, clean_answer, clean_answers
from lms.quizzes.bank import answers_text, parse_answers_text
from lms.quizzes.scoring import normalise_text, percent_of, question_points


@pytest.fixture(autouse=True)
def _english(settings):
    """The assertions quote the English messages; the site's default is Russian."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def choice(kind, correct_flags, points=1):
    return {
        "id": "q1",
        "kind": kind,
        "points": points,
        "options": [
            {"id": f"o{n}", "text": f"Вариант {n}", "correct": flag}
            for n, flag in enumerate(correct_flags, start=1)
        ],
    }


# --- single, true/false ---------------------------------------------------------------


def test_single_choice_is_all_or_nothing():
    question = choice("single", [False, True, False], points=2)
    assert question_points(question, "o2") == Decimal("2.00")
    assert question_points(question, "o1") == Decimal("0.00")
    assert question_points(question, None) == Decimal("0.00")
    assert question_points(question, ["o2"]) == Decimal("0.00")  # wrong shape scores nothing


def test_true_false():
    question = {"id": "q", "kind": "true_false", "points": 1, "correct": False}
    assert question_points(question, "false") == Decimal(1)
    assert question_points(question, "true") == Decimal(0)


# --- multiple choice with partial credit ------------------------------------------------


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (["o1", "o2"], "3.00"),  # both correct
        (["o1"], "1.50"),  # one of two correct
        (["o1", "o3"], "0.00"),  # one right, one wrong cancel out
        (["o1", "o2", "o3"], "1.50"),  # (2 − 1) / 2
        (["o3", "o4"], "0.00"),  # only wrong: never below zero
        (["o1", "o2", "o3", "o4"], "0.00"),  # ticking everything earns nothing
        ([], "0.00"),
        (["o1", "forged"], "1.50"),  # ids outside the question are ignored
    ],
)
def test_multiple_choice_partial_credit(chosen, expected):
    question = choice("multiple", [True, True, False, False], points=3)
    assert question_points(question, chosen) == Decimal(expected)


def test_partial_credit_rounds_to_hundredths():
    question = choice("multiple", [True, True, True, False], points=1)
    assert question_points(question, ["o1"]) == Decimal("0.33")
    assert question_points(question, ["o1", "o2"]) == Decimal("0.67")


# --- short answer ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["ГОСТ Р 7.0.100-2018", "  гост р   7.0.100-2018 ", "ГОСТ  Р 7.0.100-2018\t", "7.0.100-2018"],
)
def test_short_answer_ignores_case_spaces(typed):
    question = {
        "id": "q",
        "kind": "short_answer",
        "points": 2,
        "variants": ["ГОСТ Р 7.0.100-2018", "7.0.100-2018"],
    }
    assert question_points(question, typed) == Decimal(2)


def test_short_answer_treats_yo_as_ye_and_rejects_other_answers():
    question = {"id": "q", "kind": "short_answer", "points": 1, "variants": ["Учёт фонда"]}
    assert question_points(question, "учет фонда") == Decimal(1)
    assert question_points(question, "УЧЁТ ФОНДА") == Decimal(1)
    assert question_points(question, "учёт") == Decimal(0)
    assert question_points(question, "   ") == Decimal(0)
    assert normalise_text("  Ёлка\n  зелёная ") == "елка зеленая"


# --- matching and ordering --------------------------------------------------------------


def matching():
    """Pairs a–d; the right-hand choices have ids of their own (ca–cd)."""
    pairs = [
        ("a", "Инвентарная книга", "Учёт экземпляров"),
        ("b", "Формуляр", "Учёт выдачи"),
        ("c", "Каталог", "Поиск"),
        ("d", "Электронный каталог", "Поиск"),
    ]
    return {
        "id": "q",
        "kind": "matching",
        "points": 4,
        "pairs": [{"id": key, "left": left, "right": right} for key, left, right in pairs],
        "choices": [{"id": f"c{key}", "text": right} for key, _left, right in reversed(pairs)],
    }


def test_matching_scores_the_share_of_right_pairs():
    question = matching()
    assert question_points(question, {"a": "ca", "b": "cb", "c": "cc", "d": "cd"}) == Decimal(4)
    assert question_points(question, {"a": "cb", "b": "ca", "c": "cc", "d": "cd"}) == Decimal(2)
    assert question_points(question, {"a": "ca"}) == Decimal(1)
    assert question_points(question, {"a": "zzz", "b": "b"}) == Decimal(0)


def test_matching_pairs_with_the_same_right_side_are_interchangeable():
    question = matching()
    assert question_points(question, {"a": "ca", "b": "cb", "c": "cd", "d": "cc"}) == Decimal(4)


def test_ordering_scores_items_in_their_right_place():
    question = {
        "id": "q",
        "kind": "ordering",
        "points": 4,
        "items": [{"id": x, "text": x} for x in "abcd"],
    }
    assert question_points(question, {"a": 1, "b": 2, "c": 3, "d": 4}) == Decimal(4)
    assert question_points(question, {"a": 2, "b": 1, "c": 3, "d": 4}) == Decimal(2)
    assert question_points(question, {"a": 4, "b": 3, "c": 2, "d": 1}) == Decimal(0)
    assert question_points(question, {"a": 1, "b": 1, "c": 1, "d": 1}) == Decimal(1)


def test_percent():
    assert percent_of(Decimal("7.5"), Decimal(10)) == Decimal("75.00")
    assert percent_of(Decimal(2), Decimal(3)) == Decimal("66.67")
    assert percent_of(Decimal(0), Decimal(0)) == Decimal(0)


# --- the editors' answer text -----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        ("single", "*А\n*Б\nВ", "exactly one correct"),
        ("single", "А\nБ", "exactly one correct"),
        ("single", "*А", "at least two options"),
        ("multiple", "А\nБ\nВ", "at least one correct"),
        ("multiple", "*\nБ", "no text after the *"),
        ("true_false", "может быть", "«true» or «false»"),
        ("true_false", "верно\nневерно", "«true» or «false»"),
        ("short_answer", "  \n ", "at least one accepted answer"),
        ("matching", "Каталог = Поиск\nФормуляр", "«left = right»"),
        ("matching", "Каталог = Поиск", "at least two pairs"),
        ("matching", "Каталог = \nФормуляр = Выдача", "«left = right»"),
        ("ordering", "Только один шаг", "at least two items"),
    ],
)
def test_answer_text_is_checked_per_kind_with_a_clear_message(kind, text, message):
    with pytest.raises(ValidationError) as error:
        parse_answers_text(kind, text)
    assert message in " ".join(error.value.messages)


def test_answer_text_parses_every_kind():
    single = parse_answers_text("single", "А\n *Б \n\nВ")
    assert [(o["text"], o["correct"]) for o in single["options"]] == [
        ("А", False),
        ("Б", True),
        ("В", False),
    ]
    assert len({o["id"] for o in single["options"]}) == 3
    assert parse_answers_text("true_false", "Неверно") == {"correct": False}
    assert parse_answers_text("true_false", "true") == {"correct": True}
    assert parse_answers_text("short_answer", "а\nб")["variants"] == ["а", "б"]
    pairs = parse_answers_text("matching", "Каталог = Поиск = по автору\nФормуляр=Выдача")["pairs"]
    assert [(p["left"], p["right"]) for p in pairs] == [
        ("Каталог", "Поиск = по автору"),
        ("Формуляр", "Выдача"),
    ]
    items = parse_answers_text("ordering", "Первый\nВторой")["items"]
    assert [i["text"] for i in items] == ["Первый", "Второй"]


def test_editing_the_text_keeps_the_ids_of_unchanged_lines():
    before = parse_answers_text("multiple", "*Автор\n*Дата\nДизайн")
    ids = {o["text"]: o["id"] for o in before["options"]}
    # Reordered, a correct mark moved, one option renamed, one added.
    after = parse_answers_text("multiple", "Дизайн\n*Дата\nАвтор статьи\n*Ссылки", before)
    by_text = {o["text"]: o for o in after["options"]}
    assert by_text["Дизайн"]["id"] == ids["Дизайн"]
    assert by_text["Дата"]["id"] == ids["Дата"]
    assert by_text["Автор статьи"]["id"] not in ids.values()
    assert by_text["Ссылки"]["id"] not in ids.values()

    pairs = parse_answers_text("matching", "А = 1\nБ = 2")
    edited = parse_answers_text("matching", "Б = 3\nА = 1", pairs)
    assert {p["left"]: p["id"] for p in edited["pairs"]} == {
        p["left"]: p["id"] for p in pairs["pairs"]
    }


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("single", "А\n*Б"),
        ("multiple", "*А\n*Б\nВ"),
        ("true_false", "false"),
        ("short_answer", "а\nб"),
        ("matching", "А = 1\nБ = 2"),
        ("ordering", "Первый\nВторой\nТретий"),
    ],
)
def test_answer_text_round_trips(kind, text):
    data = parse_answers_text(kind, text)
    assert parse_answers_text(kind, answers_text(kind, data), data) == data


# --- checking learners' answers ----------------------------------------------------------


def test_answers_naming_anything_outside_the_snapshot_are_refused():
    question = choice("multiple", [True, False])
    assert clean_answer(question, ["o2", "o1", "o1"]) == ["o1", "o2"]
    assert clean_answer(question, []) is None
    with pytest.raises(InvalidAnswer):
        clean_answer(question, ["o1", "forged"])
    with pytest.raises(InvalidAnswer):
        clean_answer(choice("single", [True, False]), "o9")
    with pytest.raises(InvalidAnswer):
        clean_answer({"id": "q", "kind": "true_false"}, "maybe")
    ordering = {"id": "q", "kind": "ordering", "items": [{"id": "a"}, {"id": "b"}]}
    assert clean_answer(ordering, {"a": "2", "b": ""}) == {"a": 2}
    with pytest.raises(InvalidAnswer):
        clean_answer(ordering, {"a": "3"})
    with pytest.raises(InvalidAnswer):
        clean_answer(ordering, {"zz": "1"})
    snapshot = {"questions": [question]}
    with pytest.raises(InvalidAnswer):
        clean_answers(snapshot, {"not-a-question": "o1"})
    with pytest.raises(InvalidAnswer):
        clean_answer({"id": "q", "kind": "short_answer"}, "х" * 1001)
