# Demo farm: the labgrid coordinator with the farm's lease sweeper and campaign scheduler
# beside it, as one process (`farm lab coordinator`, keelfarm/lab/station.py; see
# compose.yaml).
#
# Built FROM the local Keel build image (docker/build.sh makes it from the local Debian
# base; nothing is pulled), which already holds the project venv with labgrid; the farm
# package (installed editable at /opt/keel/farm) gets its source from the build context,
# which is farm/.  The coordinator's places and tags and the sweeper's lease record live
# in /var/lib/keel-coordinator, a volume in the demo, so a container started again gets
# its reservations back.
ARG BUILD_IMAGE=keel/build:latest
FROM ${BUILD_IMAGE}

COPY . /opt/keel/farm/
RUN farm --help >/dev/null

WORKDIR /opt/keel
ENV PYTHONUNBUFFERED=1 \
    KEEL_COORDINATOR_LISTEN=127.0.0.1:20428
STOPSIGNAL SIGTERM
# The scheduler runs when $KEEL_SCHEDULE names a file that is there (compose.yaml mounts
# a directory for it); its campaigns run here, on the tree's tests/ and build/os, which
# compose.yaml mounts at /opt/keel.
CMD ["sh", "-c", "if [ -f \"$KEEL_SCHEDULE\" ]; then set -- --schedule \"$KEEL_SCHEDULE\"; fi; exec farm -c \"$KEEL_COORDINATOR_LISTEN\" lab coordinator --dir /var/lib/keel-coordinator \"$@\""]
