#!/bin/sh
# The compose stack's secrets, so `docker compose up` needs no file edited first. Run by the one-shot
# `secrets` service of docker-compose.yml (busybox, as root with CHOWN only) before every start.
#
# On first start it makes each secret (32 random bytes, hex) and keeps it in the `secrets` volume, which
# no other service mounts; `docker compose down -v` deletes them with the data. On every start it hands
# each service the files it needs, in a volume of that service's own, readable by its user only:
#   otel-collector (uid 10001)     collector_token, collector_hmac_key
#   detainee-locator (uid 1000)    pseudonym_key, locator_tokens, otlp_headers
#   traffic (uid 1000)             agents_token, prober_token
#   grafana (uid 472)              grafana_admin_password
# Nothing reaches a container's environment, where `docker inspect` would show it.
#
# Override: a value in .env (MCP_KIT_COLLECTOR_TOKEN, MCP_KIT_COLLECTOR_HMAC_KEY, MCP_KIT_PSEUDONYM_KEY,
# GRAFANA_ADMIN_PASSWORD, LOCATOR_AGENTS_TOKEN, LOCATOR_PROBER_TOKEN) replaces the kept one while it is
# set; it must have at least 32 characters of A-Z a-z 0-9 . _ ~ + / = - (it goes into bearer headers
# and comma-separated lists). MCP_KIT_OVERRIDES lists the names .env sets, so an empty one is refused
# too. Anything wrong stops here with one line naming the variable, never its value, and nothing starts.
set -eu
umask 077

# Where the volumes are mounted; test/unit/compose.test.ts runs this script on a folder of its own.
root="${MCP_KIT_SECRETS_DIR:-/secrets}"
kept="$root/kept"
names="MCP_KIT_COLLECTOR_TOKEN MCP_KIT_COLLECTOR_HMAC_KEY MCP_KIT_PSEUDONYM_KEY GRAFANA_ADMIN_PASSWORD LOCATOR_AGENTS_TOKEN LOCATOR_PROBER_TOKEN"

fail() {
  echo "secrets: $1" >&2
  exit 1
}

# Every override .env sets is checked before anything is written.
for name in ${MCP_KIT_OVERRIDES:-}; do
  case " $names " in *" $name "*) ;; *) fail "$name is not a secret this stack reads" ;; esac
  eval "value=\${$name:-}"
  [ -n "$value" ] || fail "$name is empty in .env: remove the line to use the generated secret, or give it at least 32 characters"
  [ "${#value}" -ge 32 ] || fail "$name in .env has ${#value} characters; at least 32 are required"
  case "$value" in *[!A-Za-z0-9._~+/=-]*) fail "$name in .env has a character outside A-Z a-z 0-9 . _ ~ + / = -" ;; esac
done

# The value of a secret: its .env override, else the kept one, made on first start.
secret() {
  eval "value=\${$1:-}"
  if [ -n "$value" ]; then
    printf '%s' "$value"
    return
  fi
  if [ ! -s "$kept/$1" ]; then
    head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n' >"$kept/$1.new"
    mv -f "$kept/$1.new" "$kept/$1"
  fi
  cat "$kept/$1"
}

# Writes stdin to <volume>/<file>, readable by <uid> only; replaced whole, never half-written.
hand() {
  cat >"$root/$1/$2.new"
  # chmod while root owns it: changing the mode of another user's file would need CAP_FOWNER.
  chmod 0400 "$root/$1/$2.new"
  chown "$3:$3" "$root/$1/$2.new"
  mv -f "$root/$1/$2.new" "$root/$1/$2"
}

mkdir -p "$kept"
chmod 0700 "$kept"

secret MCP_KIT_COLLECTOR_TOKEN | hand collector collector_token 10001
secret MCP_KIT_COLLECTOR_HMAC_KEY | hand collector collector_hmac_key 10001
secret MCP_KIT_PSEUDONYM_KEY | hand server pseudonym_key 1000
# The server's callers (LOCATOR_TOKENS_FILE): the pool of TRAFFIC_AGENTS everyday agents and the prober.
printf 'agents*%s:%s,prober:%s' "${TRAFFIC_AGENTS:-400}" "$(secret LOCATOR_AGENTS_TOKEN)" \
  "$(secret LOCATOR_PROBER_TOKEN)" | hand server locator_tokens 1000
# Its OTLP headers (MCP_KIT_OTLP_HEADERS_FILE): the collector's bearer token.
printf 'Authorization=Bearer %s' "$(secret MCP_KIT_COLLECTOR_TOKEN)" | hand server otlp_headers 1000
secret LOCATOR_AGENTS_TOKEN | hand traffic agents_token 1000
secret LOCATOR_PROBER_TOKEN | hand traffic prober_token 1000
secret GRAFANA_ADMIN_PASSWORD | hand grafana grafana_admin_password 472
echo "secrets: handed to otel-collector, detainee-locator, traffic and grafana"
