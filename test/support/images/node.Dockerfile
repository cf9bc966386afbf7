# Stands in for the official `node:<version>-slim` image, inside the compose tests' own Docker engine only:
# a Debian bookworm rootfs from debootstrap (minbase; the official slim images are bookworm too) plus the
# `node` binary of the kit's pinned `node` devDependency in /usr/local/bin, npm in
# /usr/local/lib/node_modules/npm with its /usr/local/bin link (the machine's npm), and the official
# image's `node` user (uid and gid 1000, home /home/node). Differs: no corepack or yarn; and, so that
# examples/Dockerfile builds unchanged with no registry in reach, root's npm cache holds exactly the
# packages that Dockerfile installs (scripts/provision/examples-npm-cache.ts) and npm is set offline.
FROM mcp-telemetry-kit/debian:bookworm-minbase
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY npm-cache /root/.npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && echo 'node:x:1000:' >> /etc/group \
 && echo 'node:x:1000:1000::/home/node:/bin/bash' >> /etc/passwd \
 && mkdir -p /home/node && chown 1000:1000 /home/node
ENV npm_config_offline=true
CMD ["node"]
