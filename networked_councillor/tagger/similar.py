"""Similar posts: nearest items by stored embedding (cosine), scanned in chunks to keep memory flat."""

from __future__ import annotations

import threading

import numpy as np

from networked_councillor.base.errors import Cancelled
from networked_councillor.store import Store

CHUNK = 20_000


def similar_items(store: Store, item_id: int, *, k: int = 20, cancel: threading.Event | None = None,
                  progress=lambda fraction, message: None) -> list[tuple[int, float]]:
    """The ``k`` items closest to ``item_id`` (best first, the item itself left out); [] if it has no embedding."""
    with store.read() as db:
        row = db.execute("SELECT model, vector FROM embeddings WHERE item_id = ?", [item_id]).fetchone()
        total = db.execute("SELECT count(*) FROM embeddings").fetchone()[0]
    if row is None:
        return []
    model, query = row[0], np.frombuffer(row[1], dtype=np.float32)
    best_ids = np.zeros(0, dtype=np.int64)
    best_scores = np.zeros(0, dtype=np.float32)
    last, seen = 0, 0
    while True:
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        with store.read() as db:
            chunk = db.execute("SELECT item_id, vector FROM embeddings WHERE model = ? AND item_id > ? "
                               "ORDER BY item_id LIMIT ?", [model, last, CHUNK]).fetchall()
        if not chunk:
            break
        ids = np.fromiter((r[0] for r in chunk), dtype=np.int64, count=len(chunk))
        vectors = np.frombuffer(b"".join(r[1] for r in chunk), dtype=np.float32).reshape(len(chunk), -1)
        scores = vectors @ query
        keep = ids != item_id
        best_ids = np.concatenate([best_ids, ids[keep]])
        best_scores = np.concatenate([best_scores, scores[keep]])
        if len(best_ids) > k:
            top = np.argpartition(-best_scores, k)[:k]
            best_ids, best_scores = best_ids[top], best_scores[top]
        last, seen = int(ids[-1]), seen + len(chunk)
        progress(seen / max(1, total), f"compared {seen} of {total}")
    order = np.argsort(-best_scores)
    return [(int(best_ids[i]), float(best_scores[i])) for i in order]
