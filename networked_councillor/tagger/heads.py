"""Linear classification heads over embeddings (and hashed words): softmax regression in numpy.

Small on purpose: trained in seconds on a council laptop, stored as
safetensors with a JSON label set beside them. A head carries its own
temperature (fitted on a validation split, see `calibration`) and the
confidence below which its label is shown as unsure.

A councillor's retrain starts from the shipped head and is pulled back
towards it (L2 to the prior, not to zero): the public data it learnt from
stays in the weights without being shipped or embedded again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file

from networked_councillor.base.errors import TaggerError
from networked_councillor.tagger import bow, lexicon
from networked_councillor.tagger.calibration import softmax


@dataclass
class LinearHead:
    labels: list[str]
    weights: np.ndarray  # (n_labels, n_features)
    bias: np.ndarray  # (n_labels,)
    mean: np.ndarray  # feature standardisation, (n_features,)
    scale: np.ndarray
    word_weights: np.ndarray | None = None  # (n_labels, BUCKETS): the bag-of-words part, if the head has one
    idf: np.ndarray | None = None
    temperature: float = 1.0
    unsure_below: float = 0.0
    lexicon_weights: np.ndarray | None = None  # (n_labels, lexicon features): the word list's part, if any

    @property
    def reads_words(self) -> bool:
        return self.word_weights is not None or self.lexicon_weights is not None

    def logits(self, features: np.ndarray, texts: Sequence[str] | None = None) -> np.ndarray:
        """Uncalibrated scores; `probabilities` divides them by the temperature."""
        logits = ((features - self.mean) / self.scale) @ self.weights.T + self.bias
        if self.reads_words and texts is None:
            raise ValueError("this head also reads the words: pass the texts")
        if self.word_weights is not None:
            logits = logits + bow.featurise(texts, self.idf).dot(self.word_weights)
        if self.lexicon_weights is not None:
            logits = logits + lexicon.featurise(texts) @ self.lexicon_weights.T
        return logits

    def probabilities(self, features: np.ndarray, texts: Sequence[str] | None = None) -> np.ndarray:
        return softmax(self.logits(features, texts) / self.temperature)

    def save(self, path: Path, metadata: dict[str, str] | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tensors = {"weights": self.weights, "bias": self.bias, "mean": self.mean, "scale": self.scale,
                   "temperature": np.array([self.temperature]), "unsure_below": np.array([self.unsure_below])}
        if self.word_weights is not None:
            tensors |= {"word_weights": self.word_weights, "idf": self.idf}
        if self.lexicon_weights is not None:
            tensors["lexicon_weights"] = self.lexicon_weights
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
                   tensors.get("word_weights"), tensors.get("idf"),
                   float(tensors.get("temperature", [1.0])[0]), float(tensors.get("unsure_below", [0.0])[0]),
                   tensors.get("lexicon_weights"))
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
    prior: LinearHead | None = None,
    with_lexicon: bool = False,
) -> LinearHead:
    """Class-balanced softmax regression with L2, full-batch Adam; deterministic.

    With ``texts``, the head also learns weights for their hashed words and word pairs.
    With a ``prior`` head (same features), training starts from it and L2 pulls towards it;
    labels the prior does not know start from zero.
    """
    labels = list(labels)
    index = {label: i for i, label in enumerate(labels)}
    y = np.array([index[t] for t in targets])
    n, d = features.shape
    k = len(labels)
    if prior is not None:
        mean, scale = prior.mean.astype(np.float64), prior.scale.astype(np.float64)
    else:
        mean, scale = features.mean(axis=0), features.std(axis=0) + 1e-6
    x = ((features - mean) / scale).astype(np.float32)
    idf = words = None
    if texts is not None:
        idf = prior.idf if prior is not None and prior.idf is not None else bow.document_frequency_idf(texts)
        words = bow.featurise(texts, idf)
    counts = np.bincount(y, minlength=k).astype(np.float64)
    balance = np.where(counts > 0, n / (k * np.maximum(counts, 1)), 0.0)
    w_sample = balance[y] * (sample_weight if sample_weight is not None else 1.0)
    w_sample = w_sample / w_sample.sum()
    onehot = np.eye(k, dtype=np.float32)[y]
    w_sample = w_sample.astype(np.float32)
    lexical = lexicon.featurise(texts) if with_lexicon and texts is not None else None
    anchor = _anchor(prior, labels, d, words is not None, lexical is not None)
    params = {name: value.copy() for name, value in anchor.items()}
    strength = {"weights": l2, "bias": 0.0, "word_weights": word_l2, "lexicon_weights": l2}
    moments = {name: (np.zeros_like(p), np.zeros_like(p)) for name, p in params.items()}
    beta1, beta2 = 0.9, 0.999
    for step in range(1, epochs + 1):
        logits = x @ params["weights"].T + params["bias"]
        if words is not None:
            logits += words.dot(params["word_weights"])
        if lexical is not None:
            logits += lexical @ params["lexicon_weights"].T
        error = (softmax(logits) - onehot) * w_sample[:, None]
        grads = {"weights": error.T @ x, "bias": error.sum(axis=0)}
        if words is not None:
            grads["word_weights"] = words.transpose_dot(error)
        if lexical is not None:
            grads["lexicon_weights"] = error.T @ lexical
        for name, param in params.items():
            grad = grads[name] + strength[name] * (param - anchor[name])
            m, v = moments[name]
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad**2
            param -= learning_rate * (m / (1 - beta1**step)) / (np.sqrt(v / (1 - beta2**step)) + 1e-8)
    return LinearHead(labels, params["weights"].astype(np.float32), params["bias"].astype(np.float32),
                      mean.astype(np.float32), scale.astype(np.float32),
                      params["word_weights"].astype(np.float32) if words is not None else None, idf,
                      prior.temperature if prior is not None else 1.0,
                      prior.unsure_below if prior is not None else 0.0,
                      params["lexicon_weights"].astype(np.float32) if lexical is not None else None)


def _anchor(prior: LinearHead | None, labels: Sequence[str], dim: int, with_words: bool,
            with_lexicon: bool) -> dict[str, np.ndarray]:
    """Where training starts and what L2 pulls towards: the prior's rows for the labels it knows, else zeros."""
    anchor = {"weights": np.zeros((len(labels), dim), np.float32), "bias": np.zeros(len(labels), np.float32)}
    if with_words:
        anchor["word_weights"] = np.zeros((len(labels), bow.BUCKETS), np.float32)
    if with_lexicon:
        anchor["lexicon_weights"] = np.zeros((len(labels), len(lexicon.FEATURES)), np.float32)
    if prior is not None:
        for row, label in enumerate(labels):
            if label in prior.labels:
                known = prior.labels.index(label)
                anchor["weights"][row] = prior.weights[known]
                anchor["bias"][row] = prior.bias[known]
                if with_words and prior.word_weights is not None:
                    anchor["word_weights"][row] = prior.word_weights[known]
                if with_lexicon and prior.lexicon_weights is not None:
                    anchor["lexicon_weights"][row] = prior.lexicon_weights[known]

    return anchor
