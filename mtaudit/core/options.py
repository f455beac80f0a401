"""On/off option values, as they arrive from the command line (``--set``) or a config file."""
from __future__ import annotations

ON = frozenset({"1", "true", "yes", "on"})
OFF = frozenset({"0", "false", "no", "off"})


def switch(value) -> bool:
    """An on/off option as a component receives it: a bool, or text in which "off", "no", "0", "false" and the empty
    string are off and anything else is on."""
    if isinstance(value, str):
        return value.strip().lower() not in OFF | {""}
    return bool(value)


def parse_switch(raw: str) -> bool:
    """An on/off word given by a user, strictly: ValueError when ``raw`` is neither one of ON nor one of OFF."""
    if raw.lower() in ON:
        return True
    if raw.lower() in OFF:
        return False
    raise ValueError(raw)
