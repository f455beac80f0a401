"""Helpers for the person-name detectors: word lists, corpus statistics, romanisation keys, glossaries."""
