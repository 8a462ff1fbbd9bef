import pytest

from autocomplete import Suggester
from autocomplete.engine import inference_file
from autocomplete.engine.document_cache import DocumentCache

DOCUMENT = (
    "Reunião com a Quintanilha sobre o orçamento. A Quintanilha pediu o relatório "
    "trimestral, e o relatório trimestral sai amanhã. "
)


def test_the_documents_words_come_back_and_pairs_count_most():
    cache = DocumentCache()
    cache.read(DOCUMENT)
    assert "quintanilha" in cache.candidates(None, "qu", 5)
    assert cache.written_form("quintanilha") == "Quintanilha"
    probs = cache.probabilities("relatório", ["trimestral", "orçamento"])
    assert probs["trimestral"] > 0.5 > probs["orçamento"] > 0
    everything = cache.probabilities(None, cache.candidates(None, "", 1000))
    assert sum(everything.values()) == pytest.approx(1.0)


def test_reading_as_typed_counts_as_reading_at_once():
    typed, whole = DocumentCache(decay=5.0), DocumentCache(decay=5.0)
    for end in range(0, len(DOCUMENT), 7):
        cut = DOCUMENT.rfind(" ", 0, end) + 1
        typed.read(DOCUMENT[:cut])
    typed.read(DOCUMENT)
    whole.read(DOCUMENT)
    words = whole.candidates(None, "", 1000)
    assert sorted(typed.candidates(None, "", 1000)) == sorted(words)
    for previous in (None, "relatório", "a"):
        assert typed.probabilities(previous, words) == pytest.approx(
            whole.probabilities(previous, words)
        )


def test_nearer_words_weigh_more_and_the_text_after_the_cursor_counts():
    cache = DocumentCache(decay=10.0)
    cache.read("casa " * 20 + "bola " * 20)
    near = cache.probabilities(None, ["casa", "bola"])
    assert near["bola"] > near["casa"]
    cache.read("Escrevo ", after=" e depois falo do Quintanilha")
    assert "quintanilha" in cache.candidates(None, "qui", 3)


def test_a_name_used_earlier_in_the_document_comes_back_after_two_letters():
    if not inference_file.DEFAULT_MODEL.exists():
        pytest.skip("no shipped checkpoint")
    loaded = inference_file.read(inference_file.DEFAULT_MODEL)
    bare = Suggester.from_inference(loaded)
    cached = Suggester.from_inference(loaded, document_cache=DocumentCache())
    text = DOCUMENT + "Amanhã falo de novo com a Qu"
    assert "Quintanilha" not in [s.word for s in bare.suggest(text, 3)]
    assert "Quintanilha" in [s.word for s in cached.suggest(text, 3)]


def test_the_caches_weight_grows_with_the_document():
    cache = DocumentCache()
    weights = []
    for text in ("Segue documento em ", DOCUMENT, DOCUMENT * 10):
        cache.read(text)
        weights.append(cache.weight)
    assert 0 < weights[0] < weights[1] < weights[2] < cache.parameters.max_weight
    cache.read("", after=DOCUMENT)  # the text after the cursor is the document's too
    assert cache.weight > 0


def test_a_short_texts_own_words_do_not_outrank_the_model():
    if not inference_file.DEFAULT_MODEL.exists():
        pytest.skip("no shipped checkpoint")
    loaded = inference_file.read(inference_file.DEFAULT_MODEL)
    cached = Suggester.from_inference(loaded, document_cache=DocumentCache())
    words = [s.word for s in cached.suggest("Segue documento em ", 3)]
    assert "documento" not in words and "anexo" in words
