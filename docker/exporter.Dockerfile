# Demo farm: a labgrid exporter with virtual Unmatched boards inside (see compose.yaml).
#
# FROM the local Keel build image: QEMU, OpenSBI, U-Boot, ser2net and the project venv
# are there already; the farm package (installed editable at /opt/keel/farm) gets its
# source from the build context, which is farm/.  The container's main process is
# `farm lab serve --external`: vboards (QEMU per board, started and stopped by the PDU)
# and an exporter for the coordinator at $LG_COORDINATOR; it creates the places
# (board=vboard) and stays in the foreground until SIGTERM, then stops everything.
ARG BUILD_IMAGE=keel/build:latest
FROM ${BUILD_IMAGE}

COPY . /opt/keel/farm/
RUN farm --help >/dev/null

WORKDIR /opt/keel
ENV PYTHONUNBUFFERED=1 \
    LG_COORDINATOR=127.0.0.1:20428 \
    KEEL_DEMO_TFTP=/tmp/keel-demo-tftp \
    KEEL_DEMO_NAME=keel-demo \
    KEEL_DEMO_FIRST=1 \
    KEEL_DEMO_BOARDS=2
STOPSIGNAL SIGTERM
CMD ["sh", "-c", "exec farm -c \"$LG_COORDINATOR\" lab serve --external --name \"$KEEL_DEMO_NAME\" --first \"$KEEL_DEMO_FIRST\" --boards \"$KEEL_DEMO_BOARDS\" --dir /run/keel-lab --tftp \"$KEEL_DEMO_TFTP\""]
