"""Keel board farm: builds on labgrid to boot and test Keel on QEMU and boards."""
