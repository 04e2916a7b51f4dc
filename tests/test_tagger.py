"""The local tagger with the real encoder: no mocks of the model."""

import numpy as np
import pytest
from helpers import add_source, item_rows, pipeline, setup_ward
from localserver import Reply

from networked_councillor.base import clock, paths
from networked_councillor.base.errors import TaggerError
from networked_councillor.store import tags as tag_store
from networked_councillor.tagger.encoder import OnnxEncoder, TorchEncoder, shipped_encoder_folder
from networked_councillor.tagger.hf_sentiment import HfSentimentModel, label_map
from networked_councillor.tagger.learning import load_tagger, retag, retrain
from networked_councillor.tagger.model import Heads, LocalTagger

POSTS = [
    "Huge pothole outside the Co-op on Station Road, nearly came off my bike",
    "Bins not collected again on our street, third week running. Absolutely fed up.",
    "Thank you to whoever fixed the street light on Church Walk, so much better walking home",
    "Planning application in for 40 flats on the old garage site, consultation closes Friday",
]


@pytest.fixture(scope="module")
def int8():
    return OnnxEncoder()


@pytest.fixture(scope="module")
def fp32():
    return TorchEncoder()


@pytest.fixture(scope="module")
def shipped(int8):
    return LocalTagger(int8, Heads.load(paths.models_dir()))


@pytest.mark.parametrize("which", ["int8", "fp32"])
def test_embeddings_are_deterministic_normalised_and_independent_of_batching(request, which):
    encoder = request.getfixturevalue(which)
    first = encoder.embed(POSTS)
    again = encoder.embed(POSTS)
    alone = np.vstack([encoder.embed([p]) for p in POSTS])
    assert first.shape == (4, 384) and first.dtype == np.float32
    assert np.array_equal(first, again)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    if which == "fp32":
        assert np.allclose(first, alone, atol=1e-4)  # padding in a batch changes nothing
    else:  # int8 activations are quantised per batch, so a batch-mate shifts a vector a little
        assert (first * alone).sum(axis=1).min() > 0.98
    assert encoder.embed([]).shape == (0, 384)


def test_int8_fast_path_stays_close_to_the_fp32_reference(int8, fp32):
    cosines = (int8.embed(POSTS) * fp32.embed(POSTS)).sum(axis=1)
    assert cosines.min() > 0.97


def test_shipped_model_tags_plain_posts(shipped):
    results = shipped.tag(POSTS)
    assert [r.topics[0][0] for r in results] == [
        "roads_pavements", "bins_recycling", "street_lighting", "planning_development"]
    assert [r.sentiment[0] for r in results] == ["negative", "negative", "positive", "neutral"]
    assert all(r.embedding is not None and r.embedding.shape == (384,) for r in results)
    assert all(len(r.topics) <= 3 and r.topics == sorted(r.topics, key=lambda t: -t[1]) for r in results)


def test_a_topic_defined_by_description_alone_attracts_matching_posts(int8):
    from networked_councillor.tagger.topics import make_user_topic

    heritage = make_user_topic("Local heritage", "Local history, blue plaques, war memorials, conservation of old "
                               "buildings and the heritage society")
    tagger = LocalTagger(int8, Heads.load(paths.models_dir()), user_topics=[heritage])
    matching = ["The war memorial by the church needs cleaning before Remembrance Sunday",
                "Heritage society want a blue plaque on the house where the poet lived"]
    unrelated = ["Pothole outside number 12 again", "Bins missed on Tuesday"]
    tagged = tagger.tag(matching + unrelated)
    assert [r.topics[0][0] for r in tagged[:2]] == ["local_heritage", "local_heritage"]
    assert all("local_heritage" not in dict(r.topics) for r in tagged[2:])


def _store_with_items(store, server, posts):
    setup_ward(store)
    body = "".join(f"<item><guid>{n}</guid><description>{p}</description></item>" for n, p in enumerate(posts))
    add_source(store, "Feed", server.route("/f", Reply(f'<rss version="2.0"><channel>{body}</channel></rss>'.encode())))


def test_the_pipeline_stores_embeddings_and_retagging_reuses_them(store, server, tmp_path):
    _store_with_items(store, server, POSTS)
    tagger = load_tagger(store, tmp_path)
    pipeline(store, tagger=tagger).fetch()
    rows = item_rows(store)
    assert [r["topic"] for r in rows] == ["roads_pavements", "bins_recycling", "street_lighting", "planning_development"]
    with store.read() as db:
        assert db.execute("SELECT count(*) FROM embeddings WHERE model = 'all-MiniLM-L6-v2'").fetchone()[0] == 4

    class Counting:
        def __init__(self, inner):
            self.inner, self.name, self.variant, self.dim, self.texts = inner, inner.name, inner.variant, inner.dim, 0

        def embed(self, texts):
            self.texts += len(texts)
            return self.inner.embed(texts)

    counting = Counting(tagger.encoder)
    assert retag(store, LocalTagger(counting, tagger.heads)) == 4
    assert counting.texts == 0  # every item's embedding came from the store


def test_a_correction_changes_a_later_prediction_after_retraining(store, server, tmp_path):
    chained = "The swings at the rec have been chained up for a month now"
    # A councillor who files playgrounds under children, not parks: a systematic difference from the model
    _store_with_items(store, server, ["Swings at the rec have been chained up for weeks, when will they be fixed?",
                                      "The slide and climbing frame at the rec playground are taped off again, the "
                                      "kids have nowhere to play",
                                      "Broken glass all over the toddler play area at Oakfield, please clear it",
                                      "The roundabout in the playground on Elm Road squeaks and sticks, kids love it",
                                      "When will the new play equipment promised for the rec actually arrive?",
                                      "Play park gate on Church Walk does not shut, little ones can run into the road"])
    tagger = load_tagger(store, tmp_path)
    pipeline(store, tagger=tagger).fetch()
    before = tagger.tag([chained])[0].topics[0][0]
    assert before != "schools_children"
    with store.write() as db:  # a councillor corrects the playground posts
        for item in item_rows(store):
            tag_store.correct(db, item["id"], "topic", "schools_children", clock.now_iso())
    assert {row["topic"] for row in item_rows(store)} == {"schools_children"}  # the correction wins at once
    retrain(store, tmp_path)
    assert (tmp_path / "models" / "model.json").is_file()
    after = load_tagger(store, tmp_path)
    assert after.version != tagger.version
    assert after.tag([chained])[0].topics[0][0] == "schools_children"
    retag(store, after)
    assert {row["topic"] for row in item_rows(store)} == {"schools_children"}  # and no re-tag undoes it


def test_missing_or_wrong_model_folders_give_clear_errors(tmp_path):
    with pytest.raises(TaggerError, match="No trained model"):
        Heads.load(tmp_path)
    with pytest.raises(TaggerError, match="not a Hugging Face model folder"):
        TorchEncoder(tmp_path / "nowhere")
    with pytest.raises(TaggerError, match="fast encoder files are missing"):
        OnnxEncoder(tmp_path)
    with pytest.raises(TaggerError, match="not a sentiment classifier"):
        HfSentimentModel(shipped_encoder_folder())  # an encoder is not a classifier
    (tmp_path / "topic_head.safetensors").write_bytes(b"garbage")
    (tmp_path / "model.json").write_text("{}")
    with pytest.raises(TaggerError, match="damaged|missing"):
        Heads.load(tmp_path)


def test_heads_trained_for_another_encoder_are_refused(int8):
    heads = Heads.load(paths.models_dir())
    heads.encoder_name = "local:some-other-encoder"
    with pytest.raises(TaggerError, match="Retrain now"):
        LocalTagger(int8, heads)


@pytest.fixture(scope="module")
def tiny_sentiment_model(tmp_path_factory):
    """A small, randomly initialised BERT sentiment classifier saved locally, as a council would copy one in."""
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    folder = tmp_path_factory.mktemp("sentiment-model")
    tokenizer = AutoTokenizer.from_pretrained(shipped_encoder_folder(), local_files_only=True)
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, num_labels=3,
                        id2label={0: "negative", 1: "neutral", 2: "positive"},
                        label2id={"negative": 0, "neutral": 1, "positive": 2})
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_a_local_sentiment_model_folder_is_used_when_chosen(int8, tiny_sentiment_model):
    model = HfSentimentModel(tiny_sentiment_model)
    tagger = LocalTagger(int8, Heads.load(paths.models_dir()), sentiment_model=model)
    results = tagger.tag(POSTS)
    assert all(r.sentiment[0] in ("negative", "neutral", "positive") and 0 < r.sentiment[1] <= 1 for r in results)
    assert tagger.version.endswith(f"+local:{tiny_sentiment_model.name}")


def test_sentiment_label_names_are_mapped():
    assert label_map({"0": "LABEL_0", "1": "LABEL_1", "2": "LABEL_2"}) == {0: "negative", 1: "neutral", 2: "positive"}
    assert label_map({0: "NEG", 1: "POS"}) == {0: "negative", 1: "positive"}
    with pytest.raises(TaggerError, match="not negative / neutral / positive"):
        label_map({0: "joy", 1: "anger"})


@pytest.mark.realtime  # a subprocess waited on with a timeout: a moved clock breaks the wait
def test_the_shipped_heads_load_and_tag_without_torch():
    """The app's fast path: int8 encoder, heads, calibration and word list, with torch and transformers barred."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "for name in ('torch', 'transformers', 'sklearn', 'scipy'):\n"
        "    sys.modules[name] = None  # importing any of them now fails\n"
        "from networked_councillor.base import paths\n"
        "from networked_councillor.tagger.encoder import load_encoder\n"
        "from networked_councillor.tagger.model import Heads, LocalTagger\n"
        "heads = Heads.load(paths.models_dir())\n"
        "assert heads.sentiment.temperature != 1.0 and heads.sentiment.lexicon_weights is not None\n"
        "tagger = LocalTagger(load_encoder('auto'), heads)\n"
        "result = tagger.tag(['Bins missed again on Elm Road, third week running'])[0]\n"
        "print(tagger.encoder.variant, result.topics[0][0], result.sentiment[0])\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["int8", "bins_recycling", "negative"]
