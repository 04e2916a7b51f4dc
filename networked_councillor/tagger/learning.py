"""The tagger in the app: which model to load, re-tagging from stored embeddings, retraining with corrections.

Settings (in the store): ``model.variant`` (auto, int8 or fp32), ``model.encoder_path`` and
``model.sentiment_path`` (local Hugging Face folders a council may choose instead of the defaults).
Heads retrained on this laptop live in ``<data dir>/models``; until then the shipped ones in
``models/`` are used.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from networked_councillor.base import clock, paths
from networked_councillor.base.changes import Changes
from networked_councillor.base.errors import Cancelled
from networked_councillor.store import Store
from networked_councillor.store import settings as settings_store
from networked_councillor.store import tags as tag_store
from networked_councillor.tagger.encoder import load_encoder
from networked_councillor.tagger.model import Heads, LocalTagger, Memory
from networked_councillor.tagger.topics import Topic

log = logging.getLogger(__name__)
Progress = Callable[[float | None, str], None]


def user_heads_dir(data_dir: Path) -> Path:
    return data_dir / "models"


def heads_folder(data_dir: Path) -> Path:
    """The heads in use: retrained on this laptop if they have been, else the shipped ones."""
    own = user_heads_dir(data_dir)
    return own if (own / "model.json").is_file() else paths.models_dir()


def heads_meta(data_dir: Path) -> dict:
    """What the heads in use were trained on and how well they did (their model.json), without loading them."""
    folder = heads_folder(data_dir)
    try:
        return json.loads((folder / "model.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        log.warning("could not read %s", folder / "model.json", exc_info=True)
        return {}


def model_settings(store: Store) -> dict[str, str | None]:
    with store.read() as db:
        return {key: settings_store.get_setting(db, f"model.{key}")
                for key in ("variant", "encoder_path", "sentiment_path")}


def load_tagger(store: Store, data_dir: Path) -> LocalTagger:
    """The tagger as configured, with the councillor's topics and corrections."""
    settings = model_settings(store)
    encoder = load_encoder(settings["variant"] or "auto", settings["encoder_path"])
    heads = Heads.load(heads_folder(data_dir))
    sentiment_model = None
    if settings["sentiment_path"]:
        from networked_councillor.tagger.hf_sentiment import HfSentimentModel

        sentiment_model = HfSentimentModel(settings["sentiment_path"])
    with store.read() as db:
        topics = [Topic(t["id"], t["name"], t["description"], t["examples"]) for t in tag_store.user_topics(db)]
        taught = tag_store.corrections(db)
    memory = Memory()
    if taught:
        memory = Memory(encoder.embed([c["text"] for c in taught]), [c["topic"] for c in taught],
                        [c["sentiment"] for c in taught])
    return LocalTagger(encoder, heads, user_topics=topics, sentiment_model=sentiment_model, memory=memory)


def retag(store: Store, tagger: LocalTagger, *, cancel: threading.Event | None = None,
          progress: Progress = lambda f, m: None) -> int:
    """Re-tag every item, reusing stored embeddings; only items without one are encoded."""
    with store.read() as db:
        total = db.execute("SELECT count(*) FROM items").fetchone()[0]
    done = encoded = last = 0
    while True:
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        with store.read() as db:
            batch = tag_store.item_batch(db, tagger.embedding_model, last)
        if not batch:
            break
        last = batch[-1][0]
        missing = [k for k, (_, _, vector) in enumerate(batch) if vector is None]
        vectors = [vector for _, _, vector in batch]
        if missing:
            fresh = tagger.embed([batch[k][1] for k in missing])
            for k, vector in zip(missing, fresh, strict=True):
                vectors[k] = vector
        ids = [item_id for item_id, _, _ in batch]
        results = tagger.classify(np.vstack(vectors), [text for _, text, _ in batch])
        with store.write() as db:
            if missing:
                tag_store.save_embeddings(db, [ids[k] for k in missing], [vectors[k] for k in missing],
                                          tagger.embedding_model)
            tag_store.save_model_tags(db, ids, results, tagger.version, clock.now_iso())
        done += len(batch)
        encoded += len(missing)
        progress(done / max(1, total), f"tagged {done} of {total}")
    log.info("re-tagged %d items (%d newly encoded)", done, encoded)
    return done


def retrain(store: Store, data_dir: Path, *, progress: Progress = lambda f, m: None) -> Heads:
    """Teach the shipped heads the councillor's corrections and topics; save into the data folder.

    Training starts from the shipped heads and stays close to them (their public training data is
    not on the laptop), with the examples written for this repository and the corrections on top.
    A council's own encoder has no shipped heads: they are trained from the written examples alone.
    """
    from networked_councillor.tagger.training import Example, load_split, train

    settings = model_settings(store)
    encoder = load_encoder(settings["variant"] or "auto", settings["encoder_path"])
    shipped = Heads.load(paths.models_dir())
    with store.read() as db:
        taught = [Example(c["text"], c["topic"], c["sentiment"], origin="correction") for c in tag_store.corrections(db)]
        topics = [Topic(t["id"], t["name"], t["description"], t["examples"]) for t in tag_store.user_topics(db)]
    examples = load_split("train") + taught
    examples += [Example(text, t.id, None, origin="correction") for t in topics for text in t.examples]
    heads = train(encoder, examples, user_topics=topics, progress=progress,
                  prior=shipped if shipped.encoder_name == encoder.name else None)
    heads.save(user_heads_dir(data_dir))
    return heads


def retrain_and_retag(app, cancel: threading.Event | None = None, progress: Progress = lambda f, m: None) -> Heads:
    """The councillor's Retrain: new heads from their corrections, the app's tagger reloaded, everything re-tagged.

    ``app`` is the running `App` (it holds the loaded tagger and tells the views that every item's tags changed).
    """
    heads = retrain(app.store, app.data_dir, progress=lambda f, m: progress((f or 0) * 0.6, m))
    tagger = app.load_tagger(reload=True)
    retag(app.store, tagger, cancel=cancel, progress=lambda f, m: progress(0.6 + (f or 0) * 0.4, m))
    app.announce(Changes(inbox=True))
    return heads
