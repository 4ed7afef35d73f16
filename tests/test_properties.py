"""Property tests: arbitrary Unicode through every stage never crashes, offsets slice back."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitroom.pipeline import analyse, build_nlp
from sitroom.schema import Article
from sitroom.settings import Config

CFG = Config()
NLP = build_nlp(CFG)

news_words = st.sampled_from(["Julian King", "said", "ISIS", "(ISIL)", "on Tuesday", "“", "”", "\n\n",
                              "de Kerchove", ",", "the mayor of", "Mosul", "4,000", "Daesh", "'s", "’s"])
texts = st.one_of(st.text(max_size=300), st.lists(st.one_of(news_words, st.text(max_size=8)), max_size=60).map(" ".join))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, published=st.one_of(st.none(), st.dates().map(lambda d: d.isoformat())))
def test_any_text_is_processed_and_every_span_slices_back(text, published):
    (facts,) = list(analyse(NLP, [Article(text=text, published=published)], CFG))
    for m in facts.mentions:
        assert text[m.start:m.end] == m.text
        assert m.entity_id in facts.entity_names
    for r in facts.roles:
        assert text[r.start:r.end] == r.text
    for d in facts.dates:
        assert text[d.start:d.end] == d.text
        if published is None and d.value is not None:
            # without an anchor only absolute expressions may carry a value
            assert any(ch.isdigit() for ch in d.text)
