"""Linear classification heads over embeddings: softmax regression in numpy.

Small on purpose: a few thousand weights per head, trained in seconds on a
council laptop, stored as safetensors with a JSON label set beside them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file

from networked_councillor.core.errors import TaggerError
from networked_councillor.tagger import bow


@dataclass
class LinearHead:
    labels: list[str]
    weights: np.ndarray  # (n_labels, n_features)
    bias: np.ndarray  # (n_labels,)
    mean: np.ndarray  # feature standardisation, (n_features,)
    scale: np.ndarray
    word_weights: np.ndarray | None = None  # (n_labels, BUCKETS): the bag-of-words part, if the head has one
    idf: np.ndarray | None = None

    def probabilities(self, features: np.ndarray, texts: Sequence[str] | None = None) -> np.ndarray:
        logits = ((features - self.mean) / self.scale) @ self.weights.T + self.bias
        if self.word_weights is not None:
            if texts is None:
                raise ValueError("this head also reads the words: pass the texts")
            logits = logits + bow.featurise(texts, self.idf).dot(self.word_weights)
        return _softmax(logits)

    def save(self, path: Path, metadata: dict[str, str] | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tensors = {"weights": self.weights, "bias": self.bias, "mean": self.mean, "scale": self.scale}
        if self.word_weights is not None:
            tensors |= {"word_weights": self.word_weights, "idf": self.idf}
        save_file({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in tensors.items()}, str(path),
                  metadata=metadata or {})
        path.with_suffix(".labels.json").write_text(json.dumps(self.labels, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> LinearHead:
        labels_path = path.with_suffix(".labels.json")
        try:
            tensors = load_file(str(path))
            labels = json.loads(labels_path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise TaggerError(f"The model file {exc.filename} is missing.",
                              hint="Run `networked-councillor model train` to rebuild it.") from exc
        except Exception as exc:  # safetensors raises its own errors for damaged files
            raise TaggerError(f"The model file {path} is damaged ({exc}).",
                              hint="Run `networked-councillor model train` to rebuild it.") from exc
        head = cls(labels, tensors["weights"], tensors["bias"], tensors["mean"], tensors["scale"],
                   tensors.get("word_weights"), tensors.get("idf"))
        if head.weights.shape[0] != len(labels):
            raise TaggerError(f"The model file {path} does not match its label set.")
        return head


def train_head(
    features: np.ndarray,
    targets: Sequence[str],
    labels: Sequence[str],
    *,
    texts: Sequence[str] | None = None,
    sample_weight: np.ndarray | None = None,
    l2: float = 1e-3,
    word_l2: float = 1e-4,
    epochs: int = 400,
    learning_rate: float = 0.05,
) -> LinearHead:
    """Class-balanced softmax regression with L2, full-batch Adam; deterministic.

    With ``texts``, the head also learns weights for their hashed words and word pairs.
    """
    labels = list(labels)
    index = {label: i for i, label in enumerate(labels)}
    y = np.array([index[t] for t in targets])
    n, d = features.shape
    k = len(labels)
    mean = features.mean(axis=0)
    scale = features.std(axis=0) + 1e-6
    x = (features - mean) / scale
    idf = words = None
    if texts is not None:
        idf = bow.document_frequency_idf(texts)
        words = bow.featurise(texts, idf)
    counts = np.bincount(y, minlength=k).astype(np.float64)
    balance = np.where(counts > 0, n / (k * np.maximum(counts, 1)), 0.0)
    w_sample = balance[y] * (sample_weight if sample_weight is not None else 1.0)
    w_sample = w_sample / w_sample.sum()
    onehot = np.eye(k)[y]
    params = {"weights": np.zeros((k, d)), "bias": np.zeros(k)}
    if words is not None:
        params["word_weights"] = np.zeros((k, bow.BUCKETS))
    moments = {name: (np.zeros_like(p), np.zeros_like(p)) for name, p in params.items()}
    beta1, beta2 = 0.9, 0.999
    for step in range(1, epochs + 1):
        logits = x @ params["weights"].T + params["bias"]
        if words is not None:
            logits += words.dot(params["word_weights"])
        error = (_softmax(logits) - onehot) * w_sample[:, None]
        grads = {"weights": error.T @ x + l2 * params["weights"], "bias": error.sum(axis=0)}
        if words is not None:
            grads["word_weights"] = words.transpose_dot(error) + word_l2 * params["word_weights"]
        for name, param in params.items():
            m, v = moments[name]
            m *= beta1
            m += (1 - beta1) * grads[name]
            v *= beta2
            v += (1 - beta2) * grads[name] ** 2
            param -= learning_rate * (m / (1 - beta1**step)) / (np.sqrt(v / (1 - beta2**step)) + 1e-8)
    return LinearHead(labels, params["weights"].astype(np.float32), params["bias"].astype(np.float32),
                      mean.astype(np.float32), scale.astype(np.float32),
                      params["word_weights"].astype(np.float32) if words is not None else None, idf)


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)
