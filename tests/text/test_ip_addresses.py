"""IpAddressRecognizer: IPv4 and IPv6 addresses; times, versions and decimals are not."""

from __future__ import annotations

import pytest

from deid.text.recognizers.ip_addresses import IpAddressRecognizer

from .conftest import NEGATIVE_NOTES, assert_finds, case_styles, check_presidio_compat, run_doctests, values


@pytest.fixture(scope="module")
def rec() -> IpAddressRecognizer:
    return IpAddressRecognizer()


POSITIVE = [
    ("Telehealth visit connected from 10.0.12.7 at home.", ["10.0.12.7"]),
    ("Device on subnet 192.168.1.254/24.", ["192.168.1.254/24"]),
    ("Login from fe80::1ff:fe23:4567:890a flagged.", ["fe80::1ff:fe23:4567:890a"]),
    ("IP 2001:0db8:85a3:0000:0000:8a2e:0370:7334 logged.", ["2001:0db8:85a3:0000:0000:8a2e:0370:7334"]),
    ("Pump reported 2001:db8::1 as its address.", ["2001:db8::1"]),
]


@pytest.mark.parametrize("style", ["mixed", "upper", "lower"])
@pytest.mark.parametrize(("note", "ips"), POSITIVE, ids=[p[0][:30] for p in POSITIVE])
def test_finds_ip_addresses_in_every_case_style(rec, note, ips, style):
    restyle = {"mixed": str, "upper": str.upper, "lower": str.lower}[style]
    assert_finds(rec, restyle(note), [restyle(i) for i in ips], "IP_ADDRESS")


def test_exact_spans(rec):
    text = "from 10.0.12.7 and fe80::1ff:fe23:4567:890a at 14:03:11"
    assert values(rec, text) == ["10.0.12.7", "fe80::1ff:fe23:4567:890a"]


@pytest.mark.parametrize(
    "note",
    [
        "Seen at 14:03:11, again 12:30:45.123.",
        "Software version 1.2.3.4.5 installed.",  # five parts: not an address
        "Octet out of range 256.1.1.1.",
        "Wt 72.5, temp 98.6, pH 7.38.",
        "I:E ratio 1:2, 1:2:3 dilution.",
    ],
)
def test_numbers_that_are_not_ip_addresses(rec, note):
    for _, styled in case_styles(note):
        assert values(rec, styled) == [], styled


@pytest.mark.parametrize("note", NEGATIVE_NOTES)
def test_nothing_in_clinical_text_without_phi(rec, note):
    assert values(rec, note) == []


def test_presidio_compatibility(rec):
    text = "from 10.0.12.7 and fe80::1ff:fe23:4567:890a at 14:03:11"
    check_presidio_compat(rec, text, [("10.0.12.7", "IP_ADDRESS"), ("fe80::1ff:fe23:4567:890a", "IP_ADDRESS")])


def test_docstring_examples():
    result = run_doctests("deid.text.recognizers.ip_addresses")
    assert result.attempted > 0 and result.failed == 0
