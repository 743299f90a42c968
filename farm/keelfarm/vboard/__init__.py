"""Virtual HiFive Unmatched boards: a PDU over HTTP, a serial pty, a QEMU machine."""
