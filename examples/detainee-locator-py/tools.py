"""The reference server's tools on FastMCP, the port of ../detainee-locator/tools.ts: the tool surface of
the ICE Locator MCP server (same names, same inputs, same answers) over the simulated upstream. Each tool
declares its outcome to the kit and runs its stages in their own spans, so a trace shows where the time
goes.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone
from typing import Annotated, Any, Literal

from fastmcp import FastMCP
from fastmcp.exceptions import ToolError
from fastmcp.server.dependencies import get_access_token
from matching import MatchType, match_name, normalise_name, parse_alien_number, parse_natural_query
from mcp_telemetry_kit import current_tool_call
from opentelemetry import trace
from pydantic import BaseModel, Field
from upstream_client import UpstreamClient, UpstreamError

_tracer = trace.get_tracer("detainee-locator")
Language = Literal["en", "es"]
LANGUAGES = ["en", "es"]


def person_key(query: Any) -> str | None:
    """Who a search looks for, as the kit's enumeration count needs it (one key per person, however it is
    spelled); the kit keeps it only as a keyed pseudonym in memory and never exports it."""
    if not isinstance(query, dict):
        return None
    number = query.get("alien_number")
    canonical = parse_alien_number(number) if isinstance(number, str) else None
    if canonical:
        return f"a:{canonical}"
    parts = [query.get("first_name"), query.get("last_name"), query.get("country_of_birth")]
    if not all(isinstance(part, str) and part for part in parts):
        return None
    return "n:" + "|".join(normalise_name(part) for part in parts)


def _smart_key(args: Any) -> str | None:
    query = args.get("query")
    if not isinstance(query, str):
        return None
    parsed = parse_natural_query(query)
    return person_key({key: value for key, value in vars(parsed).items() if value is not None})


def _bulk_keys(args: Any) -> list[str] | None:
    requests = args.get("search_requests")
    if not isinstance(requests, list):
        return None
    return [key for request in requests if (key := person_key(request))]


# What each tool may export: enums, booleans, counts and sizes only; as tools.ts.
TOOL_POLICIES: dict[str, dict[str, Any]] = {
    "search_detainee_by_name": {
        "lookup_keys": person_key,
        "arguments": {"language": {"enum": LANGUAGES}, "fuzzy_search": "boolean"},
        "results": {"match_type": {"enum": ["exact", "fuzzy", "none"]}, "language": {"enum": LANGUAGES}},
    },
    "search_detainee_by_alien_number": {
        "lookup_keys": person_key,
        "arguments": {"language": {"enum": LANGUAGES}},
        "results": {"format_valid": "boolean", "language": {"enum": LANGUAGES}},
    },
    "smart_detainee_search": {
        "lookup_keys": _smart_key,
        "arguments": {"language": {"enum": LANGUAGES}, "suggest_corrections": "boolean", "query": "size"},
        "results": {
            "parse_success": "boolean",
            "query_language": {"enum": LANGUAGES},
            "match_type": {"enum": ["exact", "fuzzy", "none"]},
        },
    },
    "bulk_search_detainees": {
        "lookup_keys": _bulk_keys,
        "arguments": {
            "search_requests": "count",
            "max_concurrent": {"enum": [1, 2, 3, 4, 5]},
            "continue_on_error": "boolean",
        },
        "results": {"failed": "count"},
    },
    "generate_search_report": {
        "arguments": {
            "report_type": {"enum": ["legal", "advocacy", "family"]},
            "format": {"enum": ["markdown", "json"]},
            "results": "count",
        },
    },
}


def _found(count: int, language: Language) -> str:
    if language == "es":
        s = "" if count == 1 else "s"
        return f"Se encontraron {count} posible{s} coincidencia{s}."
    return f"Found {count} possible match{'' if count == 1 else 'es'}."


MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "none": "No one in custody matches these details. Check the spelling, the date of birth and the country of birth.",
        "invalid_number": "That is not a valid A-number. It has 8 or 9 digits, often written A-123-456-789.",
        "upstream": "The detainee locator is not answering right now. Please try again in a few minutes.",
        "not_understood": "I could not tell who you are looking for. Please give a full name and country of birth, or an A-number.",
    },
    "es": {
        "none": "Nadie bajo custodia coincide con estos datos. Revise la ortografía, la fecha y el país de nacimiento.",
        "invalid_number": "Ese no es un número de extranjero válido. Tiene 8 o 9 dígitos, a menudo escrito A-123-456-789.",
        "upstream": "El localizador no responde en este momento. Inténtelo de nuevo en unos minutos.",
        "not_understood": "No pude saber a quién busca. Indique el nombre completo y el país de nacimiento, o el número de extranjero.",
    },
}


def describe(record: dict[str, Any], language: Language) -> str:
    facility = record["facility"]
    where = f"{facility['name']}, {facility['city']}, {facility['state']} ({facility['phone']})"
    name = " ".join(part for part in (record["first_name"], record["middle_name"], record["last_name"]) if part)
    born = "nacido el" if language == "es" else "born"
    place = "en" if language == "es" else "in"
    return f"{name} — {record['alien_number']} — {born} {record['date_of_birth']} {place} {record['country_of_birth']} — {where}"


def _caller() -> str:
    """Whose cache entries a call may hit (upstream_client.py): the token's principal, else everyone's."""
    token = get_access_token()
    return token.client_id if token is not None else ""


async def _find_by_name(upstream: UpstreamClient, criteria: dict[str, Any], fuzzy: bool) -> list[tuple[dict[str, Any], MatchType]]:
    candidates = await upstream.search(criteria["country_of_birth"], criteria.get("date_of_birth"), _caller())
    with _tracer.start_as_current_span("match names"):
        matches = [(record, kind) for record in candidates if (kind := match_name(criteria, record, fuzzy))]
    # Exact matches first (a stable sort, as JavaScript's).
    return sorted(matches, key=lambda match: match[1] != "exact")


def _upstream_failure(language: Language) -> ToolError:
    call = current_tool_call()
    if call is not None:
        call.set_outcome("upstream_failure")
    return ToolError(MESSAGES[language]["upstream"])


def _rejected(message: str) -> ToolError:
    call = current_tool_call()
    if call is not None:
        call.set_outcome("rejected")
    return ToolError(message)


def _normalise_dob(value: str) -> str:
    """A date of birth in any form the matcher understands, as ISO; unknown forms pass unchanged."""
    return parse_natural_query(value).date_of_birth or value


class BulkRequest(BaseModel):
    first_name: str | None = None
    last_name: str | None = None
    date_of_birth: str | None = None
    country_of_birth: str | None = None
    alien_number: str | None = None


NonEmpty = Annotated[str, Field(min_length=1)]


def register_locator_tools(server: FastMCP, upstream: UpstreamClient) -> None:
    @server.tool(description="Search for a person in immigration detention by name, date and country of birth.")
    async def search_detainee_by_name(
        first_name: NonEmpty,
        last_name: NonEmpty,
        country_of_birth: NonEmpty,
        date_of_birth: str | None = None,
        middle_name: str | None = None,
        language: Language | None = None,
        fuzzy_search: bool | None = None,
    ) -> str:
        lang: Language = language or "en"
        call = current_tool_call()
        if call:
            call.set_result_attribute("language", lang)
        with _tracer.start_as_current_span("normalise criteria"):
            criteria = {
                "first_name": first_name,
                "last_name": last_name,
                "country_of_birth": country_of_birth,
                "date_of_birth": _normalise_dob(date_of_birth) if date_of_birth else None,
            }
        try:
            matches = await _find_by_name(upstream, criteria, True if fuzzy_search is None else fuzzy_search)
        except UpstreamError:
            raise _upstream_failure(lang) from None
        if call:
            call.set_result_count(len(matches))
            call.set_result_attribute("match_type", matches[0][1] if matches else "none")
        if not matches:
            if call:
                call.set_outcome("no_match")
            return MESSAGES[lang]["none"]
        return "\n".join([_found(len(matches), lang), *(describe(record, lang) for record, _ in matches)])

    @server.tool(description="Search for a person in immigration detention by A-number (alien registration number).")
    async def search_detainee_by_alien_number(alien_number: NonEmpty, language: Language | None = None) -> str:
        lang: Language = language or "en"
        call = current_tool_call()
        canonical = parse_alien_number(alien_number)
        if call:
            call.set_result_attribute("language", lang)
            call.set_result_attribute("format_valid", canonical is not None)
        if canonical is None:
            raise _rejected(MESSAGES[lang]["invalid_number"])
        try:
            record = await upstream.by_alien_number(canonical, _caller())
        except UpstreamError:
            raise _upstream_failure(lang) from None
        if call:
            call.set_result_count(1 if record else 0)
        if record is None:
            if call:
                call.set_outcome("no_match")
            return MESSAGES[lang]["none"]
        return describe(record, lang)

    @server.tool(description="Search from a natural-language request in English or Spanish.")
    async def smart_detainee_search(
        query: NonEmpty,
        context: str | None = None,
        suggest_corrections: bool | None = None,
        language: Language | None = None,
    ) -> str:
        call = current_tool_call()
        with _tracer.start_as_current_span("parse query"):
            parsed = parse_natural_query(query)
        lang: Language = language or parsed.language
        if call:
            call.set_result_attribute("query_language", parsed.language)
        try:
            if parsed.alien_number:
                if call:
                    call.set_result_attribute("parse_success", True)
                record = await upstream.by_alien_number(parsed.alien_number, _caller())
                if call:
                    call.set_result_count(1 if record else 0)
                    call.set_result_attribute("match_type", "exact" if record else "none")
                    if record is None:
                        call.set_outcome("no_match")
                return describe(record, lang) if record else MESSAGES[lang]["none"]
            if parsed.first_name and parsed.last_name and parsed.country_of_birth:
                criteria = {
                    "first_name": parsed.first_name,
                    "last_name": parsed.last_name,
                    "date_of_birth": parsed.date_of_birth,
                    "country_of_birth": parsed.country_of_birth,
                }
                if call:
                    call.set_result_attribute("parse_success", True)
                fuzzy = True if suggest_corrections is None else suggest_corrections
                matches = await _find_by_name(upstream, criteria, fuzzy)
                if call:
                    call.set_result_count(len(matches))
                    call.set_result_attribute("match_type", matches[0][1] if matches else "none")
                    if not matches:
                        call.set_outcome("no_match")
                return "\n".join(describe(record, lang) for record, _ in matches) if matches else MESSAGES[lang]["none"]
        except UpstreamError:
            raise _upstream_failure(lang) from None
        if call:
            call.set_result_attribute("parse_success", False)
        raise _rejected(MESSAGES[lang]["not_understood"])

    @server.tool(description="Run several searches at once (at most 5 in parallel, politely).")
    async def bulk_search_detainees(
        search_requests: Annotated[list[BulkRequest], Field(min_length=1, max_length=50)],
        max_concurrent: Annotated[int, Field(ge=1, le=5)] | None = None,
        continue_on_error: bool | None = None,
    ) -> str:
        call = current_tool_call()
        limit = asyncio.Semaphore(max_concurrent or 3)
        failed = 0
        found = 0

        async def one(index: int, request: BulkRequest) -> str:
            nonlocal failed, found
            async with limit:
                try:
                    canonical = parse_alien_number(request.alien_number) if request.alien_number else None
                    if canonical:
                        record = await upstream.by_alien_number(canonical, _caller())
                        if record:
                            found += 1
                        return f"{index + 1}. {describe(record, 'en') if record else MESSAGES['en']['none']}"
                    if request.first_name and request.last_name and request.country_of_birth:
                        matches = await _find_by_name(upstream, request.model_dump(), True)
                        found += len(matches)
                        text = "; ".join(describe(record, "en") for record, _ in matches) or MESSAGES["en"]["none"]
                        return f"{index + 1}. {text}"
                    failed += 1
                    return f"{index + 1}. incomplete request"
                except UpstreamError:
                    failed += 1
                    if not continue_on_error:
                        raise
                    return f"{index + 1}. {MESSAGES['en']['upstream']}"

        try:
            lines = await asyncio.gather(*(one(index, request) for index, request in enumerate(search_requests)))
        except UpstreamError:
            if call:
                call.set_result_attribute("failed", failed)
            raise _upstream_failure("en") from None
        if call:
            call.set_result_attribute("failed", failed)
            call.set_result_count(found)
            if found == 0:
                call.set_outcome("no_match")
        return "\n".join(lines)

    @server.tool(description="Write a report of a search for a lawyer, an advocate or a family.")
    async def generate_search_report(
        search_criteria: dict[str, Any],
        results: list[Any],
        report_type: Literal["legal", "advocacy", "family"],
        format: Literal["markdown", "json"] | None = None,  # noqa: A002 - the reference tool's input name
    ) -> str:
        titles = {
            "legal": "Detention search record (legal)",
            "advocacy": "Detention search summary (advocacy)",
            "family": "What we found",
        }
        generated = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        if format == "json":
            report = {"title": titles[report_type], "generated": generated, "criteria": search_criteria, "results": results}
            return json.dumps(report, indent=2, ensure_ascii=False)
        criteria = [f"- {key}: {value}" for key, value in search_criteria.items()]
        lines = [
            f"{index + 1}. {result if isinstance(result, str) else json.dumps(result, ensure_ascii=False)}"
            for index, result in enumerate(results)
        ] or ["No results."]
        call = current_tool_call()
        if call:
            call.set_result_count(len(results))
        return "\n".join(
            [f"# {titles[report_type]}", f"Generated {generated}", "## Search criteria", *criteria, "## Results", *lines]
        )
