"""Sentence embeddings from a frozen encoder, computed once per (encoder, text).

`SentenceEncoder` tokenises, sorts texts by token length into batches (little padding),
runs a backend (PyTorch fp32, or the int8 ONNX export of `supportlens.ml.onnx_encoder`) and returns
attention-mask mean-pooled, L2-normalised vectors: the pooling all-MiniLM-L6-v2 was
trained with (its `1_Pooling/config.json` says `pooling_mode_mean_tokens`).

`EmbeddingCache` keeps every vector it is given on disk, keyed by the encoder's id (a hash
of its weights, max_length, pooling and backend) and the text's sha256. Training,
`supportlens predict` and re-training read it first and only encode the misses, so a text
is encoded once per encoder whatever job asks for it. Files are append-only shards written
under a temporary name and moved into place, so concurrent processes never see half a
shard; a reader picks up other processes' shards when it meets a text it does not know.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from tqdm.auto import tqdm

from supportlens.hashing import file_sha256

if TYPE_CHECKING:
    from supportlens.config import Settings

log = logging.getLogger(__name__)

ENCODER_FILE = "encoder.json"
POOLING = "mean"
BACKENDS = ("onnx_int8", "torch_fp32")
#: Misses in one call below this are not written to disk: single API requests would
#: otherwise leave one tiny shard each. Bulk jobs (training, predict) write everything.
CACHE_MIN_WRITE = 256
#: More shards than this are merged into one on the next write (keeps start-up reads fast).
MAX_SHARDS = 64


def offline() -> None:
    # Models come from local directories only; never reach for a hub at run time.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def weights_fingerprint(model_dir: Path) -> str:
    """Hash of the encoder's weights and config: a retrained or swapped encoder gets a new id."""
    digest = hashlib.sha256((model_dir / "config.json").read_bytes())
    weights = sorted(model_dir.glob("*.safetensors")) or sorted(model_dir.glob("*.bin"))
    if not weights:
        raise FileNotFoundError(f"{model_dir}: no *.safetensors or *.bin weights")
    for path in weights:
        digest.update(file_sha256(path).encode())
    return digest.hexdigest()[:16]


def text_keys(texts: list[str]) -> list[bytes]:
    return [hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:16] for text in texts]


class EmbeddingCache:
    """Vectors by text hash for one encoder id, in `<root>/<encoder_id>/*.npz` shards."""

    def __init__(self, root: Path, encoder_id: str, dim: int) -> None:
        self.directory = root / encoder_id
        self.dim = dim
        self._index: dict[bytes, np.ndarray] = {}
        self._seen_shards: set[str] = set()
        self._lock = threading.Lock()
        self._unwritable = False  # a write failed: reads only from now on

    def _shards(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(self.directory.glob("*.npz"))

    def _refresh(self) -> None:
        for shard in self._shards():
            if shard.name in self._seen_shards:
                continue
            try:
                with np.load(shard) as data:
                    keys, vectors = data["keys"], data["vectors"]
            except (OSError, ValueError, KeyError) as exc:  # merged away meanwhile, or damaged
                log.warning("embedding cache shard unreadable", extra={"shard": str(shard)})
                log.debug("shard error: %s", exc)
                continue
            if vectors.ndim != 2 or vectors.shape[1] != self.dim:
                log.warning("embedding cache shard has wrong width", extra={"shard": str(shard)})
                continue
            for key, vector in zip(keys.tolist(), vectors, strict=True):
                self._index[key] = vector
            self._seen_shards.add(shard.name)

    def lookup(self, keys: list[bytes]) -> tuple[np.ndarray, list[int]]:
        """Vectors for known keys (rows of zeros elsewhere) and the indices of the misses."""
        with self._lock:
            if any(key not in self._index for key in keys):
                self._refresh()
            out = np.zeros((len(keys), self.dim), dtype=np.float32)
            missing = []
            for row, key in enumerate(keys):
                vector = self._index.get(key)
                if vector is None:
                    missing.append(row)
                else:
                    out[row] = vector
        return out, missing

    def store(self, keys: list[bytes], vectors: np.ndarray) -> None:
        if not keys:
            return
        with self._lock:
            if self._unwritable:
                return
            name = hashlib.sha256(b"".join(keys)).hexdigest()[:20] + ".npz"
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                self._write(self.directory / name, np.array(keys, dtype="S16"), vectors)
            except OSError as exc:
                # The API reads the registry (and so this cache) from a read-only volume:
                # the vectors are still the answer, they are just not kept. Said once.
                self._unwritable = True
                log.warning(
                    "embedding cache not written (read-only?): %s",
                    exc,
                    extra={"path": str(self.directory)},
                )
                return
            self._seen_shards.add(name)
            for key, vector in zip(keys, vectors.astype(np.float32), strict=True):
                self._index[key] = vector
            if len(self._shards()) > MAX_SHARDS:
                self._compact()

    @staticmethod
    def _write(path: Path, keys: np.ndarray, vectors: np.ndarray) -> None:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        with tmp.open("wb") as handle:
            np.savez(handle, keys=keys, vectors=vectors.astype(np.float32))
        os.replace(tmp, path)

    def _compact(self) -> None:
        """Merge every shard into one; other processes re-read it on their next miss."""
        self._refresh()
        shards = self._shards()
        keys = list(self._index)
        merged = "merged-" + hashlib.sha256(b"".join(sorted(keys))).hexdigest()[:14] + ".npz"
        vectors = np.stack([self._index[key] for key in keys])
        self._write(self.directory / merged, np.array(keys, dtype="S16"), vectors)
        self._seen_shards.add(merged)
        for shard in shards:
            if shard.name != merged:
                shard.unlink(missing_ok=True)

    def __len__(self) -> int:
        with self._lock:
            self._refresh()
            return len(self._index)


class Backend(Protocol):
    """Runs the encoder on one padded batch: (ids, mask) -> pooled, normalised vectors."""

    name: str

    def run(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray: ...


def mean_pool_normalise(hidden: Any, attention_mask: Any) -> Any:
    """Attention-mask mean pooling then L2 normalisation (torch tensors; used by export too)."""
    import torch

    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, dim=-1)


def load_pooled_module(model_dir: Path) -> Any:
    """The encoder as one torch module returning pooled, normalised sentence embeddings."""
    offline()
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    encoder = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()

    class Pooled(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.inner(input_ids=input_ids, attention_mask=attention_mask)
            return mean_pool_normalise(hidden.last_hidden_state, attention_mask)

    return Pooled(encoder).eval()


class TorchBackend:
    name = "torch_fp32"

    def __init__(self, model_dir: Path, num_threads: int = 0) -> None:
        import torch

        if num_threads:
            torch.set_num_threads(num_threads)
        self.module = load_pooled_module(model_dir)

    def run(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            out = self.module(torch.from_numpy(input_ids), torch.from_numpy(attention_mask))
        return out.numpy().astype(np.float32)


def load_tokenizer(model_dir: Path) -> Any:
    offline()
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)


class SentenceEncoder:
    """Texts -> (n, dim) float32 unit vectors, through the cache, then the backend."""

    def __init__(
        self,
        model_dir: Path,
        backend: Backend,
        max_length: int,
        batch_size: int,
        fingerprint: str,
        dim: int,
        cache_root: Path | None = None,
    ) -> None:
        self.model_dir = model_dir
        self.backend = backend
        self.max_length = max_length
        self.batch_size = batch_size
        self.fingerprint = fingerprint
        self.dim = dim
        self.tokenizer = load_tokenizer(model_dir)
        self.encoder_id = hashlib.sha256(
            f"{fingerprint}|{max_length}|{POOLING}|{backend.name}".encode()
        ).hexdigest()[:16]
        self.cache = EmbeddingCache(cache_root, self.encoder_id, dim) if cache_root else None
        self._tokenizer_lock = threading.Lock()
        self.texts_encoded = 0  # texts that went through the backend (cache misses)
        self.batches_run = 0

    def encode(
        self, texts: list[str], show_progress: bool = False, store: bool | None = None
    ) -> np.ndarray:
        """`store`: write the misses to the cache (None: only when there are many)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.cache is None:
            return self._run(texts, show_progress)
        keys = text_keys(texts)
        vectors, missing = self.cache.lookup(keys)
        if missing:
            # Duplicates inside one call are encoded once.
            first: dict[bytes, int] = {}
            for row in missing:
                first.setdefault(keys[row], row)
            unique_rows = list(first.values())
            fresh = self._run([texts[i] for i in unique_rows], show_progress)
            by_key = dict(zip([keys[i] for i in unique_rows], fresh, strict=True))
            for row in missing:
                vectors[row] = by_key[keys[row]]
            if store or (store is None and len(unique_rows) >= CACHE_MIN_WRITE):
                self.cache.store(list(by_key), fresh)
        return vectors

    def _run(self, texts: list[str], show_progress: bool) -> np.ndarray:
        # A fast tokenizer is not safe to call from two threads at once ("Already
        # borrowed"), and the API scores concurrent batches in worker threads.
        with self._tokenizer_lock:
            ids = self.tokenizer(texts, truncation=True, max_length=self.max_length)["input_ids"]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        pad = self.tokenizer.pad_token_id or 0
        batches = length_batches([len(ids[i]) for i in order], self.batch_size)
        for start, stop in tqdm(batches, desc="encoding", disable=not show_progress, leave=False):
            batch = order[start:stop]
            width = max(len(ids[i]) for i in batch)
            input_ids = np.full((len(batch), width), pad, dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                input_ids[row, : len(ids[i])] = ids[i]
                mask[row, : len(ids[i])] = 1
            out[batch] = self.backend.run(input_ids, mask)
            self.batches_run += 1
        self.texts_encoded += len(texts)
        return out


#: A pass pads every text to its longest one, and padded tokens cost as much as real
#: ones. An API batch of 32 random BANKING77 texts (4-64 tokens, mean 16) padded to its
#: longest did 2.7x the real work, while a session call's own overhead is well under
#: one text's cost; so a pass also ends where a text is this much longer than its first.
MAX_PADDING = 1.25


def length_batches(lengths: list[int], batch_size: int) -> list[tuple[int, int]]:
    """(start, stop) ranges over `lengths` (ascending): at most `batch_size` texts each,
    and no text longer than MAX_PADDING x the first of its range (plus one token)."""
    ranges: list[tuple[int, int]] = []
    start = 0
    for index, length in enumerate(lengths):
        full = index - start >= batch_size
        if index > start and (full or length > lengths[start] * MAX_PADDING + 1):
            ranges.append((start, index))
            start = index
    if start < len(lengths):
        ranges.append((start, len(lengths)))
    return ranges


def encoder_settings(model_dir: Path) -> dict[str, Any]:
    path = model_dir / ENCODER_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def cache_root_for(settings: Settings, registry_dir: Path | None = None) -> Path:
    """`[ml] embedding_cache_dir` if set, else `<registry_dir>/_embeddings`."""
    configured = settings.ml.embedding_cache_dir
    if configured:
        path = Path(configured).expanduser()
        return path if path.is_absolute() else settings.project_root / path
    return (registry_dir or settings.paths.registry_dir) / "_embeddings"


def default_cache_root(registry_dir: Path | None = None) -> Path:
    """The cache of the current configuration (used when a registered model is loaded)."""
    from supportlens.config import load_settings

    return cache_root_for(load_settings(), registry_dir)
