"""The vboard PDU speaks labgrid's simplerest and rest power protocols over HTTP."""

import json

import pytest
import requests
from labgrid.driver.power import rest, simplerest

from keelfarm.vboard.board import DiskError, PowerError
from keelfarm.vboard.pdu import PduServer, parse_value


class FakeOutlet:
    def __init__(self, fail=False):
        self.power = False
        self.switches = []
        self.fail = fail

    def set_power(self, on):
        if self.fail:
            raise PowerError("board: power on did not complete within 10 s")
        self.switches.append(on)
        self.power = on

    def reset_disk(self):
        if self.disk is None:
            raise DiskError("fake has no disk", missing=True)
        if self.power:
            raise DiskError("fake is on: power it off before its disk is reset")
        self.resets += 1

    disk = "/run/fake.disk"
    resets = 0

    def status(self):
        return {"name": "fake", "power": self.power}


@pytest.fixture
def pdu():
    outlet = FakeOutlet()
    server = PduServer(outlet)
    server.start()
    yield server, outlet
    server.stop()


def test_simplerest_as_labgrid_drives_it(pdu):
    server, outlet = pdu
    host = server.url("simplerest")
    assert host.startswith("http://127.0.0.1:")
    assert simplerest.power_get(host, None, 0) is False
    simplerest.power_set(host, None, 0, True)
    assert outlet.switches == [True]
    assert simplerest.power_get(host, None, 0) is True
    simplerest.power_set(host, None, 0, False)
    assert simplerest.power_get(host, None, 0) is False
    assert outlet.switches == [True, False]


def test_rest_as_labgrid_drives_it(pdu):
    server, outlet = pdu
    host = server.url("rest")
    rest.power_set(host, None, 0, True)
    assert rest.power_get(host, None, 0) is True
    rest.power_set(host, None, 0, False)
    assert outlet.switches == [True, False]


def test_only_outlet_zero_exists(pdu):
    server, _ = pdu
    r = requests.get(f"http://127.0.0.1:{server.port}/relay/1/1", timeout=5)
    assert r.status_code == 404
    r = requests.get(f"http://127.0.0.1:{server.port}/nothing", timeout=5)
    assert r.status_code == 404


def test_bad_values_are_rejected(pdu):
    server, outlet = pdu
    r = requests.get(f"http://127.0.0.1:{server.port}/relay/0/7", timeout=5)
    assert r.status_code == 400
    r = requests.put(f"http://127.0.0.1:{server.port}/relay/0/value", data=b"maybe", timeout=5)
    assert r.status_code == 400
    r = requests.put(f"http://127.0.0.1:{server.port}/relay/0/1", data=b"1", timeout=5)
    assert r.status_code == 400
    assert outlet.switches == []


def test_status_is_json(pdu):
    server, _ = pdu
    r = requests.get(f"http://127.0.0.1:{server.port}/", timeout=5)
    assert json.loads(r.text) == {"name": "fake", "power": False}


def test_a_power_timeout_is_a_gateway_timeout():
    server = PduServer(FakeOutlet(fail=True))
    server.start()
    try:
        r = requests.get(server.url().format(index=0, value=1), timeout=5)
        assert r.status_code == 504
        assert "did not complete" in r.text
    finally:
        server.stop()


@pytest.mark.parametrize("text,value", [("1", True), ("on", True), ("0", False),
                                        ("OFF", False), ("", None), ("value", None)])
def test_parse_value(text, value):
    assert parse_value(text) is value


def test_disk_reset_answers_what_happened(pdu):
    server, outlet = pdu
    base = server.url().split("/relay/")[0]
    assert requests.post(base + "/disk/reset", timeout=5).text == "reset\n"
    assert outlet.resets == 1
    outlet.power = True
    r = requests.post(base + "/disk/reset", timeout=5)
    assert r.status_code == 409 and "power it off" in r.text
    outlet.power, outlet.disk = False, None
    r = requests.post(base + "/disk/reset", timeout=5)
    assert r.status_code == 404 and "has no disk" in r.text
    assert requests.post(base + "/relay/0", timeout=5).status_code == 404
    assert outlet.resets == 1
