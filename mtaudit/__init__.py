"""mtaudit: find the sentences of machine-translated news that a human must review first, and why."""

__version__ = "0.1.0"
