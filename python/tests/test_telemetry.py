"""The pseudonym key is found where the TypeScript library finds it, and its absence stops start-up in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcp_telemetry_kit import PseudonymKeyError, Pseudonymizer, start_telemetry
from mcp_telemetry_kit.privacy import pseudonym_secret

KEY = "a-pseudonym-key-of-at-least-32-bytes!"


def test_without_a_key_start_up_stops_with_one_line_naming_the_variables() -> None:
    with pytest.raises(PseudonymKeyError) as refused:
        start_telemetry(env={})
    message = str(refused.value)
    assert "\n" not in message
    assert "MCP_KIT_PSEUDONYM_KEY" in message and "MCP_KIT_EPHEMERAL_PSEUDONYMS" in message


def test_a_short_key_is_refused_without_showing_it() -> None:
    with pytest.raises(PseudonymKeyError) as refused:
        pseudonym_secret(env={"MCP_KIT_PSEUDONYM_KEY": "hunter2"})
    assert "hunter2" not in str(refused.value)
    assert "7 bytes" in str(refused.value)


def test_a_key_file_gives_the_same_pseudonyms_as_the_variable(tmp_path: Path) -> None:
    key_file = tmp_path / "pseudonym_key"
    key_file.write_text(KEY + "\n")
    from_file = Pseudonymizer(pseudonym_secret(env={"MCP_KIT_PSEUDONYM_KEY_FILE": str(key_file)}))
    from_variable = Pseudonymizer(pseudonym_secret(env={"MCP_KIT_PSEUDONYM_KEY": KEY}))
    assert from_file.pseudonym("session", "abc") == from_variable.pseudonym("session", "abc")


def test_an_unreadable_key_file_is_named_with_its_error_code() -> None:
    with pytest.raises(PseudonymKeyError, match="ENOENT"):
        pseudonym_secret(env={"MCP_KIT_PSEUDONYM_KEY_FILE": "/nonexistent/key"})


def test_ephemeral_pseudonyms_are_random_per_process_only_when_asked_for() -> None:
    assert len(pseudonym_secret(env={"MCP_KIT_EPHEMERAL_PSEUDONYMS": "true"})) == 32
    assert pseudonym_secret(env={"MCP_KIT_EPHEMERAL_PSEUDONYMS": "true"}) != pseudonym_secret(ephemeral=True, env={})


def test_a_disabled_sdk_starts_nothing() -> None:
    handle = start_telemetry(env={"OTEL_SDK_DISABLED": "true"})
    assert handle.tracer_provider is None


def test_a_remembered_clean_text_is_scrubbed_again_once_a_word_in_it_is_tainted() -> None:
    from mcp_telemetry_kit import PrivacyGuard

    guard = PrivacyGuard(Pseudonymizer(KEY))
    assert guard.scrub("lookup for tsizmax") == "lookup for tsizmax"
    assert guard.scrub("lookup for tsizmax") == "lookup for tsizmax"  # from the memo
    guard.taint.add({"last_name": "Tsizmax"})
    assert guard.scrub("lookup for tsizmax") == "lookup for [redacted]"
    guard.taint.add({"first_name": "Other"})
    assert guard.scrub("tools/call search") == "tools/call search"
    for index in range(300):  # more new words than the memo keeps track of
        guard.taint.add({"q": f"word{index:04d}"})
    assert guard.scrub("tools/call search") == "tools/call search"
    guard.taint.add({"q": "search"})
    assert guard.scrub("tools/call search") == "tools/call [redacted]"
