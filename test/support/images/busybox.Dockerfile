# Stands in for the official `busybox:1.37.0` image (docker-library/busybox), which cannot be pulled here:
# built only inside the compose tests' own Docker engine (test/support/stack-images.ts), never published.
# Mirrors the official image's facts: FROM scratch, busybox's applets under /bin, /etc/passwd and
# /etc/group with root (0) and nobody (65534), CMD ["sh"]. Differs in version: Debian's busybox-static
# (1.35.0 in bookworm) is the busybox this machine can provision.
FROM scratch
COPY busybox /bin/busybox
COPY passwd group /etc/
RUN ["/bin/busybox", "--install", "-s", "/bin"]
CMD ["sh"]
