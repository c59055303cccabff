"""Optional cross-encoder reranking (off by default: no multilingual reranker can be fetched
here). A tiny BERT cross-encoder is built locally from a configuration — real
sentence-transformers and transformers code, untrained weights — to check the wiring: the
candidates come out in the order of the cross-encoder's own scores."""

import pytest

from assistant.retrieval import RerankError, search
from assistant.store import get_collection


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory):
    from sentence_transformers import CrossEncoder
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    folder = tmp_path_factory.mktemp("cross-encoder")
    words = "jours formation durée trois module public programme attribution logement".split()
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]) + "\n")
    tokenizer = BertTokenizerFast(vocab_file=str(vocab))
    config = BertConfig(
        vocab_size=len(words) + 5,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        num_labels=1,
    )
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder), CrossEncoder(str(folder), device="cpu")


def test_reranking_orders_by_the_cross_encoder(programme_index, tiny_cross_encoder):
    folder, model = tiny_cross_encoder
    question = "Combien de jours dure la formation ?"
    reranked = search(programme_index.model_copy(update={"rerank_model": folder}), question, 5)
    # Scored on the chunks as stored (the passages shown may be extended by their neighbours).
    got = get_collection(programme_index).get(ids=[p.chunk_id for p in reranked])
    text = dict(zip(got["ids"], got["documents"], strict=True))
    scores = [float(s) for s in model.predict([(question, text[p.chunk_id]) for p in reranked])]
    assert len(scores) == 5 and scores == sorted(scores, reverse=True)
    # The whole programme is among the candidates: the first passage is the model's favourite.
    everything = get_collection(programme_index).get()
    best = max(model.predict([(question, t) for t in everything["documents"]]))
    assert scores[0] == pytest.approx(float(best), abs=1e-5)


def test_a_missing_reranker_is_a_clear_error(programme_index, tmp_path):
    settings = programme_index.model_copy(update={"rerank_model": str(tmp_path / "absent")})
    with pytest.raises(RerankError, match="reclassement"):
        search(settings, "Combien de jours dure la formation ?", 5)
