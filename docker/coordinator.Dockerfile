# Demo farm: the labgrid coordinator (see compose.yaml).
#
# Built FROM the local Keel build image (docker/build.sh makes it from the local Debian
# base; nothing is pulled), which already holds the project venv with labgrid.  The
# coordinator keeps its places and reservations in its working directory; in the demo
# they live as long as the container.
ARG BUILD_IMAGE=keel/build:latest
FROM ${BUILD_IMAGE}

WORKDIR /var/lib/keel-coordinator
ENV KEEL_COORDINATOR_LISTEN=127.0.0.1:20428
STOPSIGNAL SIGTERM
CMD ["sh", "-c", "exec labgrid-coordinator -l \"$KEEL_COORDINATOR_LISTEN\""]
