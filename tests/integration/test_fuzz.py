"""Property-based fuzzing of every registered reader and detector (a longer run: `make fuzz`)."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from helpers import FIXTURES_DIR

from mtaudit.detectors import build_detectors
from mtaudit.readers import READERS
from tools.fuzzing import audit_text, read_payload

DETECTORS = build_detectors()
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like news, broken in the ways real files are: control characters, mixed scripts, long tokens.
news_chars = st.sampled_from(list("abcdefghij ABCXYZ .,;:!?\"'“”‘’()[]«»-–—0123456789%$€£¥\n\t\r\x00\x0b\u200b\ufeff"
                                  "北京习近平亿万年月日。，Путинمرحبا한국어éü"))
news_text = st.text(news_chars, max_size=400) | st.text(max_size=200)
long_token = st.integers(1000, 20000).map(lambda n: "x" * n)


@FAST
@given(st.lists(news_text | long_token, min_size=1, max_size=6), st.booleans())
def test_detectors_never_crash_and_offsets_stay_inside(paragraphs, with_source):
    sources = [p[::-1] for p in paragraphs] if with_source else None
    audit_text(paragraphs, sources, DETECTORS)


@pytest.mark.parametrize("reader", sorted(READERS))
def test_readers_survive_arbitrary_bytes(reader):
    @FAST
    @given(st.binary(max_size=2000) | news_text.map(lambda t: t.encode("utf-8", "surrogatepass")))
    def check(payload):
        read_payload(reader, payload, DETECTORS)

    check()


def test_fuzz_finds_stay_fixed():
    """Inputs that once crashed a reader (found by `make fuzz`) now give a clean refusal or a document."""
    from pathlib import Path

    for path in sorted((FIXTURES_DIR / "fuzz").iterdir()):
        reader = next(name for name, cls in READERS.items() if path.name.endswith(cls.extensions))
        read_payload(reader, path.read_bytes(), DETECTORS)
