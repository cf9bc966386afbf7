# The test's stand-ins for Tempo, Loki and Grafana (AGPL: they cannot be built here), inside the compose
# tests' own Docker engine only; test/support/compose/stand-ins.yml puts them in place of the official
# images and mounts the repository at /kit. Each keeps its official image's entrypoint path and user, so
# the healthchecks of docker-compose.yml run unchanged: /tempo (uid 10001), /usr/bin/loki (uid 10001),
# /run.sh (uid 472, with busybox's wget as the official image's). What each does is
# test/support/images/stand-in.ts.
ARG NODE_IMAGE
FROM ${NODE_IMAGE}
COPY busybox /bin/busybox
RUN ln -s /bin/busybox /usr/bin/wget \
 && for role in tempo:/tempo loki:/usr/bin/loki grafana:/run.sh; do \
      printf '#!/bin/sh\nexec node /kit/test/support/images/stand-in.ts %s "$@"\n' "${role%%:*}" > "${role#*:}" \
      && chmod 755 "${role#*:}"; \
    done
