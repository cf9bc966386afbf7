"""The attribute allow-list of privacy layer 1, the port of PrivacyGuard.sanitizeAttributes (src/privacy/guard.ts).

Keys off the allow-list are dropped; keys with a closed set keep a value of the set or become `other`;
id keys are pseudonymised unless they already hold a pseudonym; shaped keys keep a value in their shape
verbatim and pseudonymise any other; every other kept string must fit its key's value shape (or the
attribute is dropped) and is scrubbed. At most 64 attributes, values cut at 256 UTF-16 code units, as
JavaScript counts them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from opentelemetry.sdk.resources import Resource

from .privacy import (
    PSEUDONYM_BODY,
    PSEUDONYM_FORMAT,
    RULES,
    _words,
    fold,
    Pseudonymizer,
    TaintRegistry,
    javascript_regex,
    javascript_string,
    scrub_text,
)

OTHER = "other"
_ATTRIBUTES = RULES["attributes"]
_LIMITS = RULES["limits"]
_CLIENT_NAME = "mcpkit.client.name"
# Ids give one series per session or request: never a metric attribute (rules.json metrics.deniedAttributes).
METRIC_FORBIDDEN_IDS = tuple(RULES["metrics"]["deniedAttributes"])

# Clean-text memo bounds: the same few values (method and tool names, enum values) recur on every call.
_CLEAN_MEMO_SIZE = 1024
_CLEAN_MEMO_MAX_LENGTH = 128

_DROPPED = "dropped"
_PSEUDONYMISED = "pseudonymised"
_SCRUBBED = "scrubbed"


class _InShape:
    def __init__(self, shape: re.Pattern[str]) -> None:
        self.shape = shape


def _unanchored(source: str) -> str:
    return re.sub(r"\$$", "", re.sub(r"^\^", "", source))


def _value_shape_source(name: str) -> str:
    if name == "name":
        return RULES["names"]["shape"]
    if name == "id":
        return f"^(?:-?[0-9]{{1,19}}|{PSEUDONYM_BODY})$"
    return _ATTRIBUTES["shapes"]["patterns"][name]


def _value_shape_of(key: str) -> re.Pattern[str] | None:
    shapes = _ATTRIBUTES["shapes"]
    name = shapes["keys"].get(key)
    if name is None:
        name = next((shape for prefix, shape in shapes["prefixes"].items() if key.startswith(prefix)), None)
    if name is None:
        return None
    every_key = _unanchored(shapes["everyKey"])
    return javascript_regex(f"^(?:{every_key}|{_unanchored(_value_shape_source(name))})$", ignore_case=False)


def known_clients_from_env(env: Mapping[str, str] = os.environ) -> list[str]:
    """MCP_KIT_KNOWN_CLIENTS: client names separated by `|`, as the library and the collector read it."""
    return [entry.strip() for entry in env.get("MCP_KIT_KNOWN_CLIENTS", "").split("|") if entry.strip()]


def _utf16_cut(text: str, limit: int) -> str:
    """`text` cut to `limit` UTF-16 code units (JavaScript's length), with `…` when it was longer."""
    if len(text.encode("utf-16-le")) // 2 <= limit:
        return text
    kept: list[str] = []
    units = 0
    for char in text:
        width = 2 if ord(char) > 0xFFFF else 1
        if units + width > limit:
            break
        kept.append(char)
        units += width
    return "".join(kept) + "…"


class PrivacyGuard:
    """The allow-list, scrubber and pseudonymizer of one process, read from rules.json."""

    def __init__(
        self,
        pseudonymizer: Pseudonymizer,
        extra_attributes: list[str] | None = None,
        known_clients: list[str] | None = None,
    ) -> None:
        self.pseudonymizer = pseudonymizer
        self.taint = TaintRegistry()
        self._allowed = {
            "resource": set(_ATTRIBUTES["resource"]),
            "record": {*_ATTRIBUTES["record"], *(extra_attributes or [])},
        }
        clients = known_clients if known_clients is not None else known_clients_from_env()
        self._closed_sets = {
            key: [*values, *clients] if key == _CLIENT_NAME else list(values)
            for key, values in _ATTRIBUTES["values"]["keys"].items()
        }
        self._pseudonymised = set(_ATTRIBUTES["pseudonymised"])
        self._shaped = {
            key: javascript_regex(shape, ignore_case=False) for key, shape in _ATTRIBUTES["shaped"]["keys"].items()
        }
        self._formats = {
            key: javascript_regex(shape, ignore_case=False) for key, shape in _ATTRIBUTES["formats"]["keys"].items()
        }
        self._treatments: dict[tuple[str, str], object] = {}
        self._clean_without_taint: dict[str, None] = {}
        self._clean_with_taint: dict[str, tuple[int, frozenset[str]]] = {}
        self._resources: dict[int, tuple[Resource, Resource]] = {}

    def closed_value(self, key: str, value: str) -> str:
        """A value of a key with a closed set (an MCP method, a client name): itself when in the set, else `other`."""
        values = self._closed_sets.get(key)
        return value if values is None or value in values else OTHER

    def formatted_value(self, key: str, value: str) -> str:
        """A value of a key kept only in a format (a client version): itself when it fits, else `other`."""
        shape = self._formats.get(key)
        return value if shape is None or shape.search(value) else OTHER

    def sanitize_metric_attributes(self, attributes: Mapping[str, object] | None) -> dict[str, object]:
        """The allow-list of records, without the ids that would make a series per session or request."""
        result = self.sanitize_attributes(attributes, "record")
        for key in METRIC_FORBIDDEN_IDS:
            result.pop(key, None)
        return result

    def is_allowed(self, key: str, location: str) -> bool:
        if key in self._allowed[location]:
            return True
        return location == "record" and any(key.startswith(prefix) for prefix in _ATTRIBUTES["recordPrefixes"])

    def _treatment(self, key: str, location: str) -> object:
        found = self._treatments.get((key, location))
        if found is None:
            if not self.is_allowed(key, location):
                found = _DROPPED
            elif key in self._closed_sets:
                found = self._closed_sets[key]
            elif key in self._pseudonymised:
                found = _PSEUDONYMISED
            elif key in self._shaped:
                found = self._shaped[key]
            else:
                shape = _value_shape_of(key)
                found = _InShape(shape) if shape is not None else _SCRUBBED
            if len(self._treatments) >= 4096:
                self._treatments.clear()
            self._treatments[(key, location)] = found
        return found

    def scrub(self, text: str, taint: bool = True) -> str:
        """Free text with PII patterns and (unless `taint` is false) tainted values removed, then cut.

        Short texts scrubbing left unchanged are remembered (the same method and tool names, enum values
        and ids recur on every call): without taint for good, the patterns being fixed; with taint until a
        word in them starts to taint. They are exported verbatim anyway, so the memory holds nothing the
        backends do not get; bounded, oldest first.
        """
        memorable = len(text) <= _CLEAN_MEMO_MAX_LENGTH
        if memorable:
            if not taint:
                if text in self._clean_without_taint:
                    return text
            else:
                known = self._clean_with_taint.get(text)
                if known is not None:
                    changed = self.taint.tainted_since(known[0], known[1])
                    if changed is False:
                        self._clean_with_taint[text] = (self.taint.generation, known[1])
                        return text
        scrubbed = scrub_text(text, self.taint if taint else None)
        if memorable and scrubbed == text:
            memo = self._clean_with_taint if taint else self._clean_without_taint
            if len(memo) >= _CLEAN_MEMO_SIZE:
                del memo[next(iter(memo))]
            memo[text] = (
                (self.taint.generation, frozenset(fold(text[a:b]) for a, b in _words(text))) if taint else None
            )
        return _utf16_cut(scrubbed, _LIMITS["attributeValueLength"])

    def sanitize_resource(self, resource: Resource) -> Resource:
        """The resource as exported: its allow-listed attributes only (computed once per resource)."""
        known = self._resources.get(id(resource))
        if known is None or known[0] is not resource:
            known = (resource, Resource(self.sanitize_attributes(resource.attributes, "resource")))
            self._resources[id(resource)] = known
        return known[1]

    def scrub_value(self, value: object) -> object:
        """Free text of any shape (a log body, an event name) with every string leaf scrubbed."""
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, (bytes, bytearray)):
            return "[bytes]"
        if isinstance(value, (list, tuple)):
            return [self.scrub_value(item) for item in value]
        if isinstance(value, Mapping):
            return {self.scrub(str(key)): self.scrub_value(item) for key, item in value.items()}
        return value

    def sanitize_attributes(self, attributes: Mapping[str, object] | None, location: str) -> dict[str, object]:
        """Allow-listed keys only, id keys pseudonymised, strings in their shape and scrubbed, at most 64."""
        result: dict[str, object] = {}
        if not attributes:
            return result
        count = 0
        for key, value in attributes.items():
            if value is None:
                continue
            treatment = self._treatment(key, location)
            if treatment is _DROPPED:
                continue
            if count >= _LIMITS["attributeCount"]:
                break
            sanitized = self._sanitize_value(key, value, treatment)
            if sanitized is None:
                continue
            count += 1
            result[key] = sanitized
        return result

    def _sanitize_value(self, key: str, value: object, treatment: object) -> object | None:
        if isinstance(treatment, _InShape):
            # Free text under a kept key fits no shape: the attribute is dropped, as the collector drops it.
            def fits(item: object) -> bool:
                return not isinstance(item, str) or treatment.shape.search(item) is not None

            if not (all(fits(item) for item in value) if isinstance(value, (list, tuple)) else fits(value)):
                return None
            return self._sanitize_value(key, value, _SCRUBBED)
        if treatment is _SCRUBBED:
            if isinstance(value, str):
                return self.scrub(value)
            if isinstance(value, (list, tuple)):
                return [self.scrub(item) if isinstance(item, str) else item for item in value]
            return value
        text = javascript_string(value)
        if treatment is _PSEUDONYMISED:
            return text if PSEUDONYM_FORMAT.match(text) else self.pseudonymizer.pseudonym(key, text)
        if isinstance(treatment, re.Pattern):
            return text if treatment.search(text) else self.pseudonymizer.pseudonym(key, text)
        return text if text in treatment else OTHER
