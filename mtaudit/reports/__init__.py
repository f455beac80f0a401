"""Reports: the JSONL record contract (``records``), the report object built from it (``base``) and the writers:
JSONL streamed as documents finish (``jsonl``), the terminal table (``terminal``), the HTML review report (``html``)
and the review spreadsheet (``spreadsheet``), the files among them registered in ``writers.WRITERS``."""
