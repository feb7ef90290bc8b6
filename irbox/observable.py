"""An observable as every layer names it: its type and its normalised value (an IP, a domain, a
hash…). Alerts carry them, cases collect them, the index records where each was seen: the one
value type those share, below all of them."""

from __future__ import annotations

import msgspec


class Observable(msgspec.Struct):
    type: str
    value: str
