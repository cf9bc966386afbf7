# Stands in for the official `prom/prometheus` image of the release scripts/provision/prometheus.ts builds
# (its Go module build), inside the compose tests' own Docker engine only. Mirrors prometheus/prometheus's
# Dockerfile of the 3.x releases: a busybox base (so `wget` serves the compose healthcheck), the binaries
# in /bin, the config in /etc/prometheus, WORKDIR and VOLUME /prometheus owned by nobody (65534) and
# group-writable, USER nobody, ENTRYPOINT /bin/prometheus with the same default CMD.
FROM busybox:1.37.0
COPY prometheus promtool /bin/
COPY prometheus.yml /etc/prometheus/prometheus.yml
WORKDIR /prometheus
RUN chown -R nobody:nobody /etc/prometheus /prometheus && chmod g+w /prometheus
USER nobody
EXPOSE 9090
VOLUME ["/prometheus"]
ENTRYPOINT ["/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
