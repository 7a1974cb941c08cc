"""The frozen encoder as an int8 ONNX Runtime graph: the fast path for bulk scoring.

Export uses torch's dynamo exporter (`torch.onnx.export(..., dynamo=True)`, onnxscript):
the legacy TorchScript exporter traces transformers 5's attention-mask code into a graph
that disagrees with PyTorch (cosine ~0.9 on MiniLM, measured). The exported graph
includes mean pooling and L2 normalisation, so ONNX and PyTorch backends return the same
thing. Weights are then quantised dynamically to int8, per output channel and MatMul only:
per-tensor int8 left MiniLM's sentence vectors at cosine ~0.93 to fp32, per-channel at
~0.98-0.99 (measured on a handful of texts; the label agreement test is the real check).

Only MatMuls are quantised, so the graph keeps fp32 copies of the embedding tables (on
MiniLM: 47.7 MB of its 59 MB), byte for byte the tensors of the encoder's
`model.safetensors`, which the artefact keeps anyway for the PyTorch fallback.
`write_sharing_weights` writes the model folder's copy of the graph with those tensors
as ONNX external data pointing into `model.safetensors` (a safetensors file is a JSON
header then raw little-endian tensors: offsets are exact), so they are stored once.
onnxruntime reads those bytes without looking at what they are, so a replaced
`model.safetensors` would give wrong vectors and no error: the graph records the sha256 of
the bytes it points at, and `check_external_data` refuses a folder whose file differs.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import shutil
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from supportlens.ml.embedding import Backend, TorchBackend, load_pooled_module, load_tokenizer

log = logging.getLogger(__name__)

ONNX_FP32 = "encoder.fp32.onnx"
ONNX_INT8 = "encoder.int8.onnx"
#: Tensors smaller than this stay inside the graph: an external reference costs a file
#: read of its own, and sharing them saves next to nothing.
SHARE_MIN_BYTES = 4096
#: Graph metadata key: sha256 of the external bytes, in initializer order.
EXTERNAL_SHA256 = "supportlens.external_sha256"


def onnxruntime_available() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def export_int8(model_dir: Path, out_dir: Path) -> Path:
    """Export `model_dir` (pooled) to ONNX, quantise to int8; returns the int8 file."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / ONNX_INT8
    if target.is_file():
        return target
    module = load_pooled_module(model_dir)
    sample = load_tokenizer(model_dir)(
        ["an example text", "a second, longer example text"], padding=True, return_tensors="pt"
    )
    batch, seq = torch.export.Dim("batch"), torch.export.Dim("sequence", max=512)
    tmp = out_dir / f".export-{os.getpid()}"
    tmp.mkdir(exist_ok=True)
    # The exporter's optimiser and the quantiser log one INFO line per node or tensor.
    logging.disable(logging.INFO)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")  # exporter chatter about dynamic shape names
            torch.onnx.export(
                module,
                (sample["input_ids"], sample["attention_mask"]),
                str(tmp / ONNX_FP32),
                dynamo=True,
                dynamic_shapes=({0: batch, 1: seq}, {0: batch, 1: seq}),
                input_names=["input_ids", "attention_mask"],
                # not "embedding": a node of BERT's graph already has that name
                output_names=["sentence_embedding"],
                external_data=False,
            )
        quantize_dynamic(
            str(tmp / ONNX_FP32),
            str(tmp / ONNX_INT8),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
        )
        os.replace(tmp / ONNX_INT8, target)  # never a half-written model under the real name
    finally:
        logging.disable(logging.NOTSET)
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("encoder exported to int8 ONNX", extra={"path": str(target)})
    return target


def _safetensors_index(weights: Path) -> tuple[int, dict[tuple[int, ...], list[tuple[int, int]]]]:
    """(offset of the data section, fp32 tensors by shape -> [(start, stop)] in the file)."""
    try:
        with weights.open("rb") as handle:
            header_size = int.from_bytes(handle.read(8), "little")
            header = json.loads(handle.read(header_size))
        by_shape: dict[tuple[int, ...], list[tuple[int, int]]] = {}
        for name, entry in header.items():
            if name == "__metadata__" or entry["dtype"] != "F32":
                continue
            start, stop = entry["data_offsets"]
            by_shape.setdefault(tuple(entry["shape"]), []).append((start, stop))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{weights}: not a readable safetensors header ({exc})") from None
    return 8 + header_size, by_shape


def _external_ranges(model: Any) -> list[tuple[str, str, int, int]]:
    """(initializer, location, offset, length) of every initializer stored outside the graph."""
    from onnx import TensorProto

    ranges = []
    for init in model.graph.initializer:
        if init.data_location != TensorProto.EXTERNAL:
            continue
        entry = {item.key: item.value for item in init.external_data}
        ranges.append((init.name, entry["location"], int(entry["offset"]), int(entry["length"])))
    return ranges


def _external_sha256(folder: Path, ranges: list[tuple[str, str, int, int]]) -> str:
    digest = hashlib.sha256()
    for _, location, offset, length in ranges:
        with (folder / location).open("rb") as handle:
            handle.seek(offset)
            digest.update(handle.read(length))
    return digest.hexdigest()


def check_external_data(onnx_path: Path) -> None:
    """Refuse a graph whose external tensors are not the bytes it was written against:
    the file missing, its layout changed (another model) or its values (another training)."""
    import onnx

    model = onnx.load(str(onnx_path), load_external_data=False)
    ranges = _external_ranges(model)
    recorded = {p.key: p.value for p in model.metadata_props}.get(EXTERNAL_SHA256)
    dims = {init.name: tuple(init.dims) for init in model.graph.initializer}
    folder = onnx_path.parent
    for name, location, offset, length in ranges:
        weights = folder / location
        if not weights.is_file():
            raise FileNotFoundError(
                f"{weights}: missing; {onnx_path} reads its fp32 tables from it "
                "(the two files are copied together)"
            )
        data_start, by_shape = _safetensors_index(weights)
        span = (offset - data_start, offset - data_start + length)
        if span not in by_shape.get(dims[name], []):
            raise ValueError(
                f"{weights}: holds no {list(dims[name])} fp32 tensor at byte {offset}, where "
                f"{onnx_path} reads {name}; the file was replaced (another model?)"
            )
    if ranges and recorded is not None and _external_sha256(folder, ranges) != recorded:
        weights = folder / ranges[0][1]
        raise ValueError(
            f"{weights}: its tensors differ from those {onnx_path} was written against "
            "(replaced by other weights of the same shapes?); re-register the model"
        )


def write_sharing_weights(source: Path, target: Path, weights: Path) -> int:
    """Write the graph `source` to `target` with every fp32 initializer that is byte-equal
    to a tensor of `weights` (a .safetensors file in target's folder) stored as external
    data pointing into it; returns the bytes shared. Anything not matched stays inside."""
    import onnx
    from onnx import TensorProto

    if weights.parent.resolve() != target.parent.resolve():
        raise ValueError(f"{weights}: must sit in the folder of {target} (relative reference)")
    data_start, by_shape = _safetensors_index(weights)
    # Initializers already external (a graph copied from another artefact) stay as they are.
    model = onnx.load(str(source), load_external_data=False)
    shared = 0
    with weights.open("rb") as handle:
        for init in model.graph.initializer:
            size = len(init.raw_data)
            if init.data_type != TensorProto.FLOAT or size < SHARE_MIN_BYTES:
                continue
            for start, stop in by_shape.get(tuple(init.dims), []):
                handle.seek(data_start + start)
                if stop - start != size or handle.read(size) != init.raw_data:
                    continue
                init.ClearField("raw_data")
                init.data_location = TensorProto.EXTERNAL
                for key, value in (
                    ("location", weights.name),
                    ("offset", str(data_start + start)),
                    ("length", str(size)),
                ):
                    entry = init.external_data.add()
                    entry.key, entry.value = key, value
                shared += size
                break
    ranges = _external_ranges(model)
    if ranges:
        onnx.helper.set_model_props(
            model,
            {
                **{p.key: p.value for p in model.metadata_props},
                EXTERNAL_SHA256: _external_sha256(target.parent, ranges),
            },
        )
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_bytes(model.SerializeToString())  # onnx.save would touch external data
    os.replace(tmp, target)
    log.info("int8 ONNX shares fp32 tensors", extra={"path": str(target), "shared_bytes": shared})
    return shared


class OnnxBackend:
    name = "onnx_int8"

    def __init__(self, onnx_path: Path, num_threads: int = 0) -> None:
        import onnxruntime as ort

        self.path = onnx_path
        check_external_data(onnx_path)
        options = ort.SessionOptions()
        if num_threads:
            options.intra_op_num_threads = num_threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(
            str(onnx_path), options, providers=["CPUExecutionProvider"]
        )

    def run(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        feed = {"input_ids": input_ids, "attention_mask": attention_mask}
        return np.asarray(self.session.run(None, feed)[0], dtype=np.float32)


def make_backend(
    kind: str, model_dir: Path, onnx_dir: Path | None, num_threads: int = 0
) -> Backend:
    """The requested backend; int8 ONNX falls back to PyTorch fp32 without onnxruntime."""
    if kind == "onnx_int8":
        if onnxruntime_available() and onnx_dir is not None:
            return OnnxBackend(export_int8(model_dir, onnx_dir), num_threads)
        log.warning("onnxruntime not installed: encoding with PyTorch fp32 (slower)")
    return TorchBackend(model_dir, num_threads)
