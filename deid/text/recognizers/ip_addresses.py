"""IP_ADDRESS: IPv4 and IPv6 addresses."""

from __future__ import annotations

import ipaddress
import re

from deid.text._view import TextView
from deid.text.recognizers._base import DeidRecognizer, Span

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_V4 = re.compile(rf"(?<![\w.]){_OCTET}(?:\.{_OCTET}){{3}}(?:/\d{{1,2}})?(?![\w]|\.\d)")
_V6 = re.compile(r"(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?:%\w+)?(?![\w:])", re.IGNORECASE)


class IpAddressRecognizer(DeidRecognizer):
    """Find IPv4 and IPv6 addresses (IP_ADDRESS).

    >>> from deid.text._view import TextView
    >>> t = "from 10.0.12.7 and fe80::1ff:fe23:4567:890a at 14:03:11"
    >>> [t[s:e] for s, e, _, _ in IpAddressRecognizer().find(TextView(t))]
    ['10.0.12.7', 'fe80::1ff:fe23:4567:890a']
    """

    ENTITIES = ("IP_ADDRESS",)

    def find(self, view: TextView) -> list[Span]:
        text = view.text
        out: list[Span] = []
        if "." in text:
            for m in _V4.finditer(text):
                out.append((m.start(), m.end(), "IP_ADDRESS", 0.85))
        if ":" in text:
            for m in _V6.finditer(text):
                v = m.group()
                if v.count(":") < 2 or ("::" not in v and v.count(":") < 5):
                    continue  # times like 14:03:11 are not addresses
                try:
                    ipaddress.IPv6Address(v.split("%", 1)[0])
                except ValueError:
                    continue
                out.append((m.start(), m.end(), "IP_ADDRESS", 0.9))
        return out
