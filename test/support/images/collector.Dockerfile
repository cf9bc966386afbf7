# Stands in for the official `otel/opentelemetry-collector-contrib` image: the kit's ocb build of
# collector/builder-config.yaml (same release, the components the kit uses), inside the compose tests' own
# Docker engine only. Mirrors distributions/otelcol-contrib/Dockerfile of
# open-telemetry/opentelemetry-collector-releases: FROM scratch (no shell, no HTTP client), CA
# certificates, USER 10001:10001, the binary at /otelcol-contrib, the same ENTRYPOINT and CMD.
FROM scratch
USER 10001:10001
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY otelcol-contrib /otelcol-contrib
COPY config.yaml /etc/otelcol-contrib/config.yaml
ENTRYPOINT ["/otelcol-contrib"]
CMD ["--config", "/etc/otelcol-contrib/config.yaml"]
EXPOSE 4317 4318 55679
