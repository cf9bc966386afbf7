"""The reference detainee-locator MCP server in Python, on FastMCP, instrumented with mcp-telemetry-kit's
Python package: the port of ../detainee-locator/server.ts (same tools, same inputs, same answers, same
telemetry), so the traffic generator, the dashboards and the alerts work with either server.

    python examples/detainee-locator-py/server.py [--transport stdio|http] [--port 8080] [--host 127.0.0.1]

Needs the kit's package (`pip install ./python`, or PYTHONPATH=python/src) and the pinned packages of
test/support/python/requirements.txt (FastMCP, rapidfuzz, purgatory). Environment: UPSTREAM_URL (the
locator to query, required: `npm run example:upstream -- --port 8090` runs the simulated
one), LOCATOR_TOKENS / LOCATOR_TOKEN (or their _FILE twins) as for the TypeScript server (`principal:token`
pairs; `label*N:secret` a pool of N derived agents, see ../detainee-locator/agent-pool.ts; at least 16
characters each; required over HTTP), the OTEL_* variables and MCP_KIT_PSEUDONYM_KEY (or _FILE).

Not ported yet from the TypeScript server: its per-principal rate and session limits, idle expiry,
failed-authentication limit, and Host/Origin checks (docs/privacy.md, "Layer 1 in Python").
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import logging
import os
import re
import sys

from fastmcp import FastMCP
from fastmcp.server.auth import AccessToken, TokenVerifier
from mcp_telemetry_kit import PseudonymKeyError, instrument_mcp_server, start_telemetry
from tools import TOOL_POLICIES, register_locator_tools
from upstream_client import UpstreamClient

MIN_TOKEN_LENGTH = 16
"""Bearer tokens shorter than this are refused at start: a guessable token is no authentication."""


class ServerSettingError(Exception):
    """A setting the server cannot start with; said in one line."""


def env_secret(name: str, env: dict[str, str]) -> str | None:
    """The variable, else the file `<NAME>_FILE` names, without its trailing newline (../env-secret.ts)."""
    if env.get(name):
        return env[name]
    file = env.get(f"{name}_FILE")
    if not file:
        return None
    try:
        with open(file, encoding="utf-8") as handle:
            return re.sub(r"\r?\n$", "", handle.read())
    except OSError as error:
        raise ServerSettingError(f"{name}_FILE: cannot read {file} ({error.strerror or 'error'})") from None


def agent_token(secret: str, index: int) -> str:
    """Agent `index`'s bearer token in the pool keyed by `secret`: HMAC-SHA256, base64url, as agent-pool.ts."""
    digest = hmac.new(secret.encode(), f"agent-{index}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def tokens_from_environment(env: dict[str, str]) -> dict[str, str]:
    """Bearer tokens by principal, from LOCATOR_TOKENS or LOCATOR_TOKEN; a short token is refused."""
    listed, single = env_secret("LOCATOR_TOKENS", env), env_secret("LOCATOR_TOKEN", env)
    tokens: dict[str, str] = {}
    if listed:
        for pair in listed.split(","):
            parts = pair.split(":")
            if len(parts) != 2 or not all(parts):
                continue
            principal, token = parts
            pool = re.fullmatch(r"([^*]+)\*(\d+)", principal)
            if pool:
                for index in range(1, int(pool[2]) + 1):
                    tokens[f"{pool[1]}-{index}"] = agent_token(token, index)
            else:
                tokens[principal] = token
    elif single:
        tokens["default"] = single
    for principal, token in tokens.items():
        if len(token) < MIN_TOKEN_LENGTH:
            raise ServerSettingError(
                f"the token of principal {principal} is shorter than {MIN_TOKEN_LENGTH} characters "
                f"({len(token)}); at least {MIN_TOKEN_LENGTH} are required"
            )
    return tokens


class BearerTokens(TokenVerifier):
    """The principal whose token the request presents, compared in constant time. FastMCP's own
    StaticTokenVerifier is a dictionary lookup, whose timing tells how much of a guess was right."""

    def __init__(self, tokens: dict[str, str]) -> None:
        super().__init__()
        self._tokens = [(principal, token.encode()) for principal, token in tokens.items()]

    async def verify_token(self, token: str) -> AccessToken | None:
        presented = token.encode()
        found = None
        for principal, expected in self._tokens:
            if hmac.compare_digest(presented, expected) and found is None:
                found = principal
        return AccessToken(token="", client_id=found, scopes=[]) if found else None


def create_locator_server(upstream: UpstreamClient, auth: TokenVerifier | None = None) -> FastMCP:
    """One MCP server with the locator's tools, instrumented with the kit."""
    server = FastMCP("detainee-locator", version="1.0.0", auth=auth)
    register_locator_tools(server, upstream)
    return instrument_mcp_server(
        server,
        tools=TOOL_POLICIES,
        # The caller is the token's principal; the kit keeps only a keyed pseudonym of it.
        identify=lambda request: getattr(getattr(request["auth_info"], "access_token", None), "client_id", None),
    )


def main(argv: list[str] | None = None, env: dict[str, str] | None = None) -> None:
    env = dict(os.environ if env is None else env)
    parser = argparse.ArgumentParser(description="The detainee-locator MCP server, in Python")
    parser.add_argument("--transport", choices=["stdio", "http"], default="http")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--host", default="127.0.0.1")
    options = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="detainee-locator: %(message)s")
    # The HTTP client logs every request's URL at INFO, and a lookup's URL names whom it looks up.
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    upstream_url = env.get("UPSTREAM_URL")
    if not upstream_url:
        raise ServerSettingError("UPSTREAM_URL is required (npm run example:upstream runs the simulated one)")
    tokens = tokens_from_environment(env) if options.transport == "http" else {}
    if options.transport == "http" and not tokens:
        raise ServerSettingError("LOCATOR_TOKENS or LOCATOR_TOKEN is required for the HTTP transport")
    start_telemetry(
        service_name=env.get("OTEL_SERVICE_NAME", "detainee-locator"),
        service_version="1.0.0",
        # The server's own metrics (upstream_client.py): only known namespaces are exported.
        metric_prefixes=["locator[.]"],
        env=env,
    )
    server = create_locator_server(UpstreamClient(upstream_url), BearerTokens(tokens) if tokens else None)
    if options.transport == "stdio":
        server.run("stdio", show_banner=False)
    else:
        logging.info("serving MCP over HTTP")
        server.run("http", host=options.host, port=options.port, show_banner=False, log_level="warning")


if __name__ == "__main__":
    try:
        main()
    except (ServerSettingError, PseudonymKeyError) as error:
        # A setting it cannot start with is one line, never a stack trace; anything else keeps its stack.
        print(f"detainee-locator: {error}", file=sys.stderr)
        sys.exit(1)
