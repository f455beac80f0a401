"""A figure found in a text, how two figures agree, and the scanning helpers every language's parser shares.

Every parser returns ``Quantity`` objects located by character offsets in the text it was given. A quantity carries
a *set* of values it may stand for, because a figure can be read more than one way ("1,234" in a German source is
1.234 or 1234; "half" is 0.5 or 50 %; "two decades" is 2 or 20), and a comparison succeeds when any readings agree.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Quantity:
    """A figure found in a text. ``kind`` is "num", "pct", "date" (values encode month*100+day) or "month"."""

    start: int
    end: int
    text: str
    values: tuple[float, ...]
    kind: str = "num"
    unit: str | None = None  # currency code ("USD", "CNY", ...) or a measure ("km", "ft", ...)
    approx: bool = False  # "about", "nearly", 约, 多 ...: tolerate rounding
    digits: bool = True  # written with digits (as opposed to words or Chinese numerals)

    @property
    def value(self) -> float:
        return self.values[0]


def values_agree(a: Quantity, b: Quantity) -> bool:
    """True when some reading of ``a`` equals some reading of ``b``, up to rounding or stated approximation."""
    if a.kind in ("date", "month") or b.kind in ("date", "month"):
        if a.kind == "date" and b.kind == "date":
            return bool(set(a.values) & set(b.values))
        if {a.kind, b.kind} == {"date", "num"}:  # "am 15. Dezember": a bare day number against a full date
            date, number = (a, b) if a.kind == "date" else (b, a)
            return any(int(d) % 100 == n for d in date.values for n in number.values)
        if "month" in (a.kind, b.kind):  # a month alone agrees with a date in that month
            months = lambda q: {int(v) // 100 if q.kind == "date" else int(v) for v in q.values}  # noqa: E731
            return bool(months(a) & months(b))
        return False
    return any(_close(x, y, a.approx or b.approx) for x in a.values for y in b.values)


def _close(x: float, y: float, approx: bool) -> bool:
    if x == y:
        return True
    if x == 0 or y == 0:
        return False
    rel = abs(x - y) / max(abs(x), abs(y))
    if rel <= (0.1 if approx else 0.005):
        return True
    # rounding: either one rounded to the other's significant digits gives the other ("123.4 million" ~ "123 million")
    return _rounds_to(x, y) or _rounds_to(y, x)


def _rounds_to(precise: float, rounded: float) -> bool:
    digits = _significant_digits(rounded)
    if digits >= _significant_digits(precise):
        return False
    magnitude = math.floor(math.log10(abs(precise)))
    factor = 10 ** (magnitude - digits + 1)
    return math.isclose(round(precise / factor) * factor, rounded, rel_tol=1e-9)


def _significant_digits(x: float) -> int:
    text = f"{abs(x):.10g}".replace(".", "").lstrip("0").rstrip("0")
    return max(1, len(text))


# A clock time in a source: 15:30, French 15h30, German 15.30 Uhr (a dot alone is a decimal: 3.50 Euro).
CLOCK_TIME = re.compile(r"(?<![\d:.,])([01]?\d|2[0-3])(?::|h|\.(?=\d\d\s?Uhr))([0-5]\d)(?![\d])")


def hour_readings(hour: int) -> tuple[float, ...]:
    """15:30 may become "3:30 p.m." in English."""
    return (float(hour), float(hour - 12)) if hour > 12 else (float(hour),)


def mark_covered(covered: bytearray, start: int, end: int) -> None:
    covered[start:end] = b"\x01" * (end - start)


def in_text_order(quantities: list[Quantity]) -> list[Quantity]:
    """In text order, without the absurd (a 400-digit "number" overflows a float)."""
    return sorted((q for q in quantities if all(math.isfinite(v) for v in q.values)), key=lambda q: q.start)


def trim_decimals(x: float) -> str:
    return f"{x:.3f}".rstrip("0").rstrip(".")
