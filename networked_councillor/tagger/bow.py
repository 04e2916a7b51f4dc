"""Hashed bag of words (unigrams and bigrams) for the heads.

Sentence embeddings group posts by what they are about: "bins missed again,
fed up" sits next to "bins collected early, thanks". Words and word pairs
("fed up", "not collected", "well done") carry the feeling, so the sentiment
head reads them too. Hashing (CRC-32, stable across runs and machines) needs
no vocabulary file; tf-idf weights are learnt with the head.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

BUCKETS = 2**15
_TOKEN = re.compile(r"[a-z0-9']+|[!?]")


@dataclass
class SparseRows:
    """A CSR matrix in plain numpy: row r's entries are indices/data[indptr[r]:indptr[r + 1]]."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray

    @property
    def rows(self) -> int:
        return len(self.indptr) - 1

    def row_of_entry(self) -> np.ndarray:
        return np.repeat(np.arange(self.rows), np.diff(self.indptr))

    def take(self, rows: Sequence[int]) -> SparseRows:
        indptr, indices, data = [0], [], []
        for r in rows:
            start, end = self.indptr[r], self.indptr[r + 1]
            indices.append(self.indices[start:end])
            data.append(self.data[start:end])
            indptr.append(indptr[-1] + end - start)
        return SparseRows(np.array(indptr), np.concatenate(indices or [np.zeros(0, np.int64)]),
                          np.concatenate(data or [np.zeros(0, np.float32)]))

    def dot(self, weights: np.ndarray) -> np.ndarray:
        """(rows, k) = self @ weights.T for weights of shape (k, BUCKETS)."""
        contributions = self.data[:, None].astype(np.float64) * weights[:, self.indices].T
        out = np.zeros((self.rows, weights.shape[0]), dtype=np.float64)
        filled = np.diff(self.indptr) > 0
        if filled.any():
            out[filled] = np.add.reduceat(contributions, self.indptr[:-1][filled], axis=0)
        return out

    def transpose_dot(self, error: np.ndarray) -> np.ndarray:
        """(k, BUCKETS) = error.T @ self, the gradient for sparse weights."""
        per_entry = self.data[:, None] * error[self.row_of_entry()]
        return np.vstack([np.bincount(self.indices, weights=per_entry[:, c], minlength=BUCKETS)
                          for c in range(error.shape[1])])


def _hashes(text: str) -> list[int]:
    tokens = _TOKEN.findall(text.lower().replace("\u2019", "'"))
    terms = tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]
    return [zlib.crc32(term.encode("utf-8")) & (BUCKETS - 1) for term in terms]


def _term_counts(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, bucket, count) for every distinct bucket of every text, sorted by row then bucket.

    Both heads read the same batch's words: the last few batches are remembered, so hashing is done once.
    """
    return _remembered_counts(tuple(texts))


@lru_cache(maxsize=4)
def _remembered_counts(texts: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    per_text = [_hashes(t) for t in texts]
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), [len(h) for h in per_text])
    buckets = np.fromiter((h for hashes in per_text for h in hashes), dtype=np.int64, count=len(rows))
    keys, counts = np.unique(rows * BUCKETS + buckets, return_counts=True)
    return keys // BUCKETS, keys % BUCKETS, counts


def document_frequency_idf(texts: Sequence[str]) -> np.ndarray:
    _, buckets, _ = _term_counts(texts)
    df = np.bincount(buckets, minlength=BUCKETS)
    return (np.log((1 + len(texts)) / (1 + df)) + 1).astype(np.float32)


def featurise(texts: Sequence[str], idf: np.ndarray) -> SparseRows:
    """Sublinear tf-idf, each row L2-normalised."""
    rows, buckets, counts = _term_counts(texts)
    values = ((1 + np.log(counts)) * idf[buckets]).astype(np.float32)
    norms = np.sqrt(np.bincount(rows, weights=values.astype(np.float64) ** 2, minlength=len(texts)))
    values /= np.where(norms > 0, norms, 1.0)[rows].astype(np.float32)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=len(texts)))])
    return SparseRows(indptr, buckets, values)
