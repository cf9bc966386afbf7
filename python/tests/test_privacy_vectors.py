"""The Python privacy core makes exactly what the TypeScript library makes of the shared vectors.

test/vectors/privacy.json is written by scripts/generate-privacy-vectors.ts from the TypeScript side.
Run by test/e2e/python-package.test.ts (npm test), with the venv of test/support/python/requirements.txt.
"""

import json
from pathlib import Path

import pytest

from mcp_telemetry_kit import (
    PSEUDONYM_FORMAT,
    PrivacyGuard,
    PseudonymKeyError,
    Pseudonymizer,
    TaintRegistry,
    scrub_text,
)

VECTORS = json.loads((Path(__file__).parents[2] / "test/vectors/privacy.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", VECTORS["scrub"], ids=lambda case: case["text"][:40])
def test_scrubs_text_as_the_typescript_library_does(case):
    assert scrub_text(case["text"]) == case["scrubbed"]


@pytest.mark.parametrize("case", VECTORS["taint"], ids=lambda case: case["text"][:40])
def test_removes_what_a_tool_call_was_given_as_the_typescript_library_does(case):
    taint = TaintRegistry()
    taint.add(case["arguments"])
    assert scrub_text(case["text"], taint) == case["scrubbed"]


@pytest.mark.parametrize("case", VECTORS["pseudonyms"]["cases"], ids=lambda case: case["kind"])
def test_gives_the_same_pseudonym_under_the_same_key_and_period(case):
    pseudonyms = VECTORS["pseudonyms"]
    pseudonymizer = Pseudonymizer(pseudonyms["secret"], now=lambda: pseudonyms["nowMs"] / 1000)
    pseudonym = pseudonymizer.pseudonym(case["kind"], case["id"])
    assert pseudonym == case["pseudonym"]
    assert PSEUDONYM_FORMAT.match(pseudonym)


def test_gives_another_pseudonym_in_the_next_period():
    pseudonyms = VECTORS["pseudonyms"]
    case = pseudonyms["cases"][0]
    next_day = Pseudonymizer(pseudonyms["secret"], now=lambda: pseudonyms["nowMs"] / 1000 + 86_400)
    assert next_day.pseudonym(case["kind"], case["id"]) != case["pseudonym"]


def test_refuses_a_short_key_in_one_line_without_it():
    with pytest.raises(PseudonymKeyError) as refused:
        Pseudonymizer("too-short-secret")
    assert "too-short-secret" not in str(refused.value)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize("case", VECTORS["attributes"], ids=lambda case: case["location"])
def test_sanitizes_attributes_as_the_typescript_library_does(case):
    pseudonyms = VECTORS["pseudonyms"]
    guard = PrivacyGuard(
        Pseudonymizer(pseudonyms["secret"], now=lambda: pseudonyms["nowMs"] / 1000),
        known_clients=VECTORS["knownClients"],
    )
    assert guard.sanitize_attributes(case["attributes"], case["location"]) == case["sanitized"]
