"""Site search with Russian morphology, the same on SQLite and PostgreSQL.

Every live page has a :class:`~core.models.SearchEntry`: its plain text and the
Snowball stems of its words (Russian for Cyrillic words, English for Latin
ones). A query matches when every one of its stems is among the page's stems;
the last word also matches as a prefix, so a half-typed word finds its page.
Plain ``LIKE`` over a space-padded stem list needs nothing from the database:
no FTS5 tables, no PostgreSQL dictionaries (measured in docs/performance.md).
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import snowballstemmer
from django.db import transaction
from django.db.models import Manager
from django.utils.encoding import force_str
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from wagtail.models import Page
from wagtail.search import index

from core.models import SearchEntry

#: Characters of page text kept for excerpts; stems come from up to INDEX_MAX.
TEXT_MAX = 20_000
INDEX_MAX = 200_000
#: A last query word this long or longer also matches as a prefix.
PREFIX_MIN = 3
#: More words than this in a query are ignored (each one is a LIKE).
QUERY_WORDS_MAX = 8

# Words of running text (letters and digits), with the stress marks and soft
# hyphens that sit inside Russian words.
WORD = re.compile(r"(?:[^\W_]|[\u00ad\u0300-\u036f])+")
# Connectives that occur on every page: a query word like these narrows nothing.
_STOPWORDS_TEXT = (
    "а в во да для до же за и из или к ко ли на над не ни но о об обо от по под при про с "
    "со то у что чтобы это a an and as at by for from in is of on or the to with"
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
# Text that lower() and «ё» → «е» already normalise: ASCII and the Russian alphabet.
_PLAIN = re.compile(r"[\x00-\x7f\u0401\u0410-\u044f\u0451]*")
_BREVE = "\u0306"  # keeps «й» a letter of its own while other diacritics go
_local = threading.local()


def normalise(text: str) -> str:
    """Lowercase, «ё» as «е», without stress marks, accents and soft hyphens."""
    if _PLAIN.fullmatch(text):
        return text.lower().replace("ё", "е")
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text).lower())
    kept = "".join(
        char
        for char in decomposed
        if char == _BREVE or unicodedata.category(char) not in ("Mn", "Cf")
    )
    return unicodedata.normalize("NFC", kept)


@functools.lru_cache(maxsize=100_000)
def _normalise_word(word: str) -> str:
    return normalise(word)


def tokens(text: str) -> list[str]:
    """The normalised words of ``text`` in order."""
    return [_normalise_word(word) for word in WORD.findall(text)]


def _stemmer(language: str):
    # Snowball stemmers keep state between calls: one per thread.
    stemmers = _local.__dict__.setdefault("stemmers", {})
    if language not in stemmers:
        stemmers[language] = snowballstemmer.stemmer(language)
    return stemmers[language]


@functools.lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The stem of a normalised word: Russian or English Snowball, numbers as they are."""
    if not word.isalpha():
        return word
    if any("\u0400" <= char <= "\u04ff" for char in word):
        return _stemmer("russian").stemWord(word)
    if word.isascii():
        return _stemmer("english").stemWord(word)
    return word


def stem_counts(text: str) -> Counter[str]:
    return Counter(stem(word) for word in tokens(text) if word not in STOPWORDS)


def stems_of(text: str) -> set[str]:
    return set(stem_counts(text))


def padded(stems: Iterable[str]) -> str:
    """Stems as stored: space-delimited with a space on either side (``" a b "``)."""
    return f" {' '.join(stems)} "


@dataclass(frozen=True)
class SearchQuery:
    """The stems every result must contain, and the stem the last word begins with."""

    stems: tuple[str, ...] = ()
    prefix: str = ""

    def __bool__(self) -> bool:
        return bool(self.stems or self.prefix)

    @property
    def patterns(self) -> list[str]:
        """What ``stems`` must contain, one pattern per query word."""
        return [f" {s} " for s in self.stems] + ([f" {self.prefix}"] if self.prefix else [])

    @functools.cached_property
    def candidates(self) -> re.Pattern:
        """Where a matching word may begin in lowercased text.

        Snowball changes at most the last letters of a word, so a word whose stem is
        one of ours begins with that stem less two letters; only such words get stemmed.
        """
        heads = {s[: max(1, len(s) - 2)] for s in (*self.stems, self.prefix) if s}
        alternatives = "|".join(re.escape(head) for head in sorted(heads, key=len, reverse=True))
        return re.compile(rf"(?<![^\W_])(?:{alternatives or '(?!)'})")

    def matches(self, word: str) -> bool:
        """Whether a normalised word of a page is one the query asks for."""
        if self.prefix and word.startswith(self.prefix):
            return True
        if not self.candidates.match(word):
            return False
        found = stem(word)
        return found in self.stems or bool(self.prefix and found.startswith(self.prefix))


def parse_query(text: str) -> SearchQuery:
    words = [word for word in tokens(text) if word not in STOPWORDS][:QUERY_WORDS_MAX]
    if not words:
        return SearchQuery()
    *others, last = words
    stems = list(dict.fromkeys(stem(word) for word in others))
    last_stem = stem(last)
    if last_stem in stems:
        return SearchQuery(stems=tuple(stems))
    if len(last) < PREFIX_MIN:
        return SearchQuery(stems=(*stems, last_stem))
    return SearchQuery(stems=tuple(stems), prefix=last_stem)


def _texts(value) -> Iterable[str]:
    if value is None:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list | tuple | set):
        for item in value:
            yield from _texts(item)
    else:
        yield force_str(value)


def _field_texts(obj, field) -> Iterable[str]:
    if isinstance(field, index.SearchField):
        yield from _texts(field.get_value(obj))
    elif isinstance(field, index.RelatedFields):
        related = field.get_value(obj)
        if related is None:
            return
        if isinstance(related, Manager):
            related = related.all()
        elif callable(related):
            related = related()
        for item in related if hasattr(related, "__iter__") else [related]:
            for sub_field in field.fields:
                yield from _field_texts(item, sub_field)


def page_search_text(page: Page) -> tuple[str, str]:
    """The title and the plain text of every other field the page type declares searchable."""
    specific = page.specific
    parts = [
        " ".join(text.split())
        for field in type(specific).get_search_fields()
        if getattr(field, "field_name", "") != "title"
        for text in _field_texts(specific, field)
    ]
    return specific.title, "\n".join(part for part in parts if part)


def highlight(text: str, query: SearchQuery, *, length: int = 240) -> SafeString:
    """An escaped excerpt of ``text`` around the first match, matched words in ``<mark>``."""
    text = " ".join(text.split())
    verdicts: dict[str, bool] = {}

    def hit(word: str) -> bool:
        if word not in verdicts:
            verdicts[word] = query.matches(_normalise_word(word))
        return verdicts[word]

    folded = text.lower().replace("ё", "е")
    if len(folded) == len(text):  # positions agree: let the regex find where hits may be
        starts = (WORD.match(text, c.start()) for c in query.candidates.finditer(folded))
    else:
        starts = WORD.finditer(text)
    first = next((m for m in starts if m and hit(m.group())), None)
    start = 0
    if first is not None and first.end() > length:
        start = text.rfind(" ", 0, max(0, first.start() - length // 4)) + 1
    end = len(text) if start + length >= len(text) else text.rfind(" ", start, start + length)
    if end <= start:
        end = min(len(text), start + length)
    excerpt, out, position = text[start:end], [], 0
    for match in WORD.finditer(excerpt):
        if hit(match.group()):
            out.append(escape(excerpt[position : match.start()]))
            out.append(f"<mark>{escape(match.group())}</mark>")
            position = match.end()
    out.append(escape(excerpt[position:]))
    return mark_safe(  # noqa: S308 - every piece of page text above went through escape()
        ("… " if start else "") + "".join(out) + (" …" if end < len(text) else "")
    )


# --- services ---------------------------------------------------------------------------------


@transaction.atomic
def search_entry_update(*, page: Page) -> SearchEntry | None:
    """Index the page as it is now; a page that is not live leaves the index."""
    if not page.live:
        search_entry_delete(page=page)
        return None
    title, text = page_search_text(page)
    counts = stem_counts(f"{title}\n{text[:INDEX_MAX]}")
    # Most frequent first: the position of a stem in the list ranks the results.
    ordered = sorted(counts, key=lambda s: (-counts[s], s))
    entry, _created = SearchEntry.objects.update_or_create(
        page_id=page.pk,
        defaults={
            "title": title[:255],
            "text": text[:TEXT_MAX],
            "stems": padded(ordered),
            "title_stems": padded(sorted(stems_of(title))),
        },
    )
    return entry


@transaction.atomic
def search_entry_delete(*, page: Page) -> None:
    SearchEntry.objects.filter(page_id=page.pk).delete()


@transaction.atomic
def search_index_rebuild() -> int:
    """Index every live page again and drop entries of pages that are not live; the count."""
    SearchEntry.objects.exclude(page__in=Page.objects.live()).delete()
    count = 0
    for page in Page.objects.live().filter(depth__gt=1).specific().iterator(chunk_size=200):
        search_entry_update(page=page)
        count += 1
    return count
