"""Helpers for the person-name detectors: word lists, corpus statistics, romanisation keys, glossaries."""


def enabled(value) -> bool:
    """An on/off detector option that may arrive from the command line or a config file as text."""
    if isinstance(value, str):
        return value.strip().lower() not in ("false", "0", "no", "off", "")
    return bool(value)
