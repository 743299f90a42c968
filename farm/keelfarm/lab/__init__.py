"""The local lab: coordinator, exporter and virtual boards on loopback."""
