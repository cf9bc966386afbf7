# Stands in for the official `prom/alertmanager` image of the release scripts/provision/prometheus.ts
# builds, inside the compose tests' own Docker engine only. Mirrors prometheus/alertmanager's Dockerfile at
# tag v0.31.1: a busybox base (wget for the healthcheck), amtool and alertmanager in /bin, /alertmanager
# owned by nobody and group-writable, USER nobody, WORKDIR and VOLUME /alertmanager, the same
# ENTRYPOINT and CMD. (Later releases moved to a distroless base without wget: see docker-compose.yml.)
FROM busybox:1.37.0
COPY amtool alertmanager /bin/
COPY alertmanager.yml /etc/alertmanager/alertmanager.yml
RUN mkdir -p /alertmanager && chown -R nobody:nobody /etc/alertmanager /alertmanager && chmod -R g+w /alertmanager
USER nobody
EXPOSE 9093
VOLUME ["/alertmanager"]
WORKDIR /alertmanager
ENTRYPOINT ["/bin/alertmanager"]
CMD ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"]
