"""A council's own sentiment model: any local Hugging Face sequence-classification folder.

For example a Twitter-trained RoBERTa sentiment model copied onto the laptop.
Loaded with local_files_only; labels are read from its config and mapped onto
negative / neutral / positive.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from networked_councillor.base.errors import TaggerError
from networked_councillor.tagger.encoder import huggingface_libraries

_NAMES = {"negative": "negative", "neg": "negative", "neutral": "neutral", "neu": "neutral",
          "positive": "positive", "pos": "positive"}


def label_map(id2label: dict) -> dict[int, str]:
    """The model's class indices -> our sentiment labels."""
    labels = {int(k): str(v).lower() for k, v in id2label.items()}
    mapped = {i: _NAMES.get(name) for i, name in labels.items()}
    if all(mapped.values()):
        return mapped  # type: ignore[return-value]
    if set(labels.values()) <= {f"label_{i}" for i in range(len(labels))}:
        if len(labels) == 3:  # the usual order of Twitter sentiment models
            return {0: "negative", 1: "neutral", 2: "positive"}
        if len(labels) == 2:
            return {0: "negative", 1: "positive"}
    raise TaggerError(f"The sentiment model's labels ({', '.join(labels.values())}) are not negative / neutral / "
                      "positive, so the app cannot use them.")


class HfSentimentModel:
    def __init__(self, folder: str | Path) -> None:
        folder = Path(folder)
        config_path = folder / "config.json"
        if not config_path.is_file():
            raise TaggerError(f"{folder} is not a Hugging Face model folder (it has no config.json).",
                              hint="Choose the folder that holds config.json and the model weights.")
        config = json.loads(config_path.read_text(encoding="utf-8"))
        architectures = config.get("architectures") or []
        if not any(a.endswith("ForSequenceClassification") for a in architectures):
            kind = ", ".join(architectures) or "no architecture"
            raise TaggerError(f"The model in {folder} is not a sentiment classifier ({kind}).",
                              hint="A sentiment model's config names a ...ForSequenceClassification architecture.")
        self.labels = label_map(config.get("id2label") or {})
        torch, transformers = huggingface_libraries("A Hugging Face sentiment model")
        AutoModelForSequenceClassification = transformers.AutoModelForSequenceClassification  # noqa: N806
        AutoTokenizer = transformers.AutoTokenizer  # noqa: N806

        try:
            self._tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
            self._model = AutoModelForSequenceClassification.from_pretrained(folder, local_files_only=True).eval()
        except (OSError, ValueError, KeyError) as exc:
            raise TaggerError(f"The sentiment model in {folder} could not be loaded ({exc}).") from exc
        self._torch = torch
        self.name = f"local:{folder.name}"

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        results: list[tuple[str, float]] = []
        with self._torch.inference_mode():
            for start in range(0, len(texts), 32):
                enc = self._tokenizer(list(texts[start : start + 32]), padding=True, truncation=True, max_length=256,
                                      return_tensors="pt")
                probs = self._torch.softmax(self._model(**enc).logits.float(), dim=-1).numpy()
                for row in probs:
                    best = int(np.argmax(row))
                    results.append((self.labels[best], float(row[best])))
        return results
