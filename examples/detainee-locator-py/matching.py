"""The search logic of the Python reference server, the port of ../detainee-locator/matching.ts: A-number
formats, name normalisation (accents, case, hyphenated and compound surnames), fuzzy matching, and
parsing of natural-language queries in English and Spanish. Both servers give the same answer to the same
request (test/e2e/python-locator.test.ts drives both with one seed).

JavaScript's `\\b`, `\\d` and `/i` are ASCII, so the patterns that use them are compiled with re.ASCII; the
Unicode-property patterns (`\\p{Lu}`) use the `regex` package, as the kit's privacy core does.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

import regex
from rapidfuzz.distance import Levenshtein

# The countries of birth of the simulated upstream's population (../detainee-locator/dataset.ts).
COUNTRIES = (
    "México",
    "Guatemala",
    "Honduras",
    "El Salvador",
    "Venezuela",
    "Colombia",
    "Ecuador",
    "Haiti",
    "Cuba",
    "Nicaragua",
)

_ALIEN_NUMBER = re.compile(r"^\s*a?\s*[-#.]?\s*((?:\d[\s.-]?){7,8}\d)\s*$", re.IGNORECASE | re.ASCII)


def parse_alien_number(text: str) -> str | None:
    """The canonical form `A` + 9 digits of an A-number written any common way, or None."""
    match = _ALIEN_NUMBER.match(text)
    if not match:
        return None
    digits = re.sub(r"\D", "", match.group(1), flags=re.ASCII)
    if not 8 <= len(digits) <= 9:
        return None
    return f"A{digits.zfill(9)}"


_MARKS = regex.compile(r"\p{M}")
_SEPARATORS = re.compile(r"[-'’.]")
_SPACES = re.compile(r"\s+")


def normalise_name(name: str) -> str:
    """Lowercase, without accents, hyphens and extra spaces: "Mbëzchen-Mbáxchorñath" → "mbezchen mbaxchornath"."""
    stripped = _MARKS.sub("", unicodedata.normalize("NFD", name)).lower()
    return _SPACES.sub(" ", _SEPARATORS.sub(" ", stripped)).strip()


def _similarity(a: str, b: str) -> float:
    return 1 - Levenshtein.distance(a, b) / max(len(a), len(b))


def name_similarity(query: str, candidate: str) -> float:
    """Similarity 0..1 of two names; a compound surname matches either of its parts well."""
    a, b = normalise_name(query), normalise_name(candidate)
    if not a or not b:
        return 0
    return max(_similarity(a, b), *(_similarity(a, part) * 0.95 for part in b.split(" ")))


MatchType = Literal["exact", "fuzzy"]
FUZZY_THRESHOLD = 0.8


def match_name(query: dict[str, str], candidate: dict[str, str], fuzzy: bool) -> MatchType | None:
    if normalise_name(query["first_name"]) == normalise_name(candidate["first_name"]) and normalise_name(
        query["last_name"]
    ) == normalise_name(candidate["last_name"]):
        return "exact"
    if not fuzzy:
        return None
    score = (
        name_similarity(query["first_name"], candidate["first_name"])
        + name_similarity(query["last_name"], candidate["last_name"])
    ) / 2
    return "fuzzy" if score >= FUZZY_THRESHOLD else None


_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
    "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
}  # fmt: skip

_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", re.ASCII)
_US = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b", re.ASCII)
_LONG_ENGLISH = re.compile(r"\b([a-z]+)\s+(\d{1,2}),?\s+(\d{4})\b", re.IGNORECASE | re.ASCII)
_LONG_SPANISH = re.compile(r"\b(\d{1,2})\s+de\s+([a-z]+)\s+(?:de\s+)?(\d{4})\b", re.IGNORECASE | re.ASCII)


def _iso(year: str, month: int | str, day: str) -> str:
    return f"{int(year)}-{int(month):02d}-{int(day):02d}"


def parse_date(text: str) -> str | None:
    """A date of birth in ISO, US (MM/DD/YYYY), long English or long Spanish form, as ISO."""
    if m := _ISO.search(text):
        return _iso(m[1], m[2], m[3])
    if m := _US.search(text):
        return _iso(m[3], m[1], m[2])
    # As JavaScript's exec(): the first place the pattern matches, month name or not.
    if (m := _LONG_ENGLISH.search(text)) and m[1].lower() in _MONTHS:
        return _iso(m[3], _MONTHS[m[1].lower()], m[2])
    if (m := _LONG_SPANISH.search(text)) and m[2].lower() in _MONTHS:
        return _iso(m[3], _MONTHS[m[2].lower()], m[1])
    return None


@dataclass
class ParsedQuery:
    """What a person typed about who they look for; None fields were not understood."""

    language: Literal["en", "es"]
    first_name: str | None = None
    last_name: str | None = None
    date_of_birth: str | None = None
    country_of_birth: str | None = None
    alien_number: str | None = None


_SPANISH = re.compile(
    r"\b(busco|mi|hermano|hermana|madre|padre|nacid[oa]|número|extranjero|de)\b", re.IGNORECASE | re.ASCII
)
_QUERY_NUMBER = re.compile(r"\b(a?[-#\s]?\d{3}[-\s]?\d{3}[-\s]?\d{3})\b", re.IGNORECASE | re.ASCII)
_FILLER = frozenset(
    "can you find please my brother sister mother father son daughter born in on the a an from dob a-number "
    "number busco a mi hermano hermana madre padre hijo hija nacido nacida el en de número extranjero por "
    "favor".split(" ")
)
_LAST_COMMA_FIRST = regex.compile(r"([\p{Lu}][\p{L}'-]+(?:\s[\p{Lu}][\p{L}'-]+)?),\s*([\p{Lu}][\p{L}'-]+)")
_WORD = regex.compile(r"[\p{L}][\p{L}'-]*")
_CAPITALISED = regex.compile(r"^\p{Lu}")


def parse_natural_query(query: str) -> ParsedQuery:
    parsed = ParsedQuery(language="es" if _SPANISH.search(query) else "en")
    if number := _QUERY_NUMBER.search(query):
        parsed.alien_number = parse_alien_number(number[1])
    parsed.date_of_birth = parse_date(query)
    normalised = normalise_name(query)
    parsed.country_of_birth = next((c for c in COUNTRIES if normalise_name(c) in normalised), None)
    # "LAST, First" or the capitalised words that are not filler, dates or numbers.
    if comma := _LAST_COMMA_FIRST.search(query):
        parsed.last_name, parsed.first_name = comma[1], comma[2]
        return parsed
    country_words = {word for country in COUNTRIES for word in normalise_name(country).split(" ")}
    words = [
        word
        for word in _WORD.findall(query)
        if _CAPITALISED.match(word)
        and word.lower() not in _FILLER
        and word.lower() not in _MONTHS
        and normalise_name(word) not in country_words
    ]
    if len(words) >= 2:
        parsed.first_name, parsed.last_name = words[0], words[-1]
    return parsed
