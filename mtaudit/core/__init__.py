"""The core every layer may use and that uses no other part of mtaudit: the data model (``document``), the error
hierarchy (``errors``), safe output files (``outputs``), where packaged data lives (``resources``) and the small
helpers several layers need (``text``, ``options``)."""
