"""Measuring the review order against human MQM judgements (``mtaudit eval``) and learning the risk formula from
them (``mtaudit calibrate``).

``mqm`` reads Google's MQM TSV into gold segments and in-memory Documents, ``features`` audits them and turns each
segment's sentences into one feature row, ``metrics`` holds the rank statistics, ``evaluate`` and ``calibrate``
build the plain report objects the CLI prints.
"""
