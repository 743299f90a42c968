"""Stage timings as `farm boot` prints them."""

from keelfarm.console import ConsoleRecorder
from keelfarm.stages import LABELS, format_stages


def test_format_in_boot_order_with_deltas():
    text = format_stages({"harts_online": 3.5, "opensbi": 0.25, "banner": 3.25,
                          "uboot_prompt": 1.0})
    lines = text.splitlines()
    assert [line.split("  ")[1].strip() for line in lines] == [
        "OpenSBI banner", "U-Boot prompt", "Keel banner", "all harts online"]
    assert lines[1].endswith("1.00 s  (+0.75)")
    assert lines[3].endswith("3.50 s  (+0.25)")


def test_nothing_reached():
    assert format_stages({}) == "  (no boot stage reached)"


def test_every_stage_the_console_records_has_a_label():
    """A stage console.py learns to record must get a name here, or it would vanish
    from `farm boot`'s table."""
    from keelfarm import console

    assert set(console.STAGES) <= set(LABELS)


def test_recorded_stages_print_from_a_console_stream():
    t = iter([0.0, 0.4, 0.9, 2.0, 2.1])
    rec = ConsoleRecorder(clock=lambda: next(t))
    rec.feed(b"OpenSBI v1.1\r\n")
    rec.feed(b"Bytes transferred = 50912 (c6e0 hex)\r\n")
    rec.feed(b"Keel 0.1.0 (abc) on riscv-virtio: 4 harts [0,1,2,3], 512 MiB, "
             b"timebase 10000000 Hz\r\n")
    rec.feed(b"keel: all harts online\r\n")
    table = format_stages(rec.boot.stages)
    assert "OpenSBI banner       0.40 s" in table
    assert "TFTP done            0.90 s  (+0.50)" in table
    assert "all harts online     2.10 s  (+0.10)" in table
