"""Where the model runs: CUDA with mixed precision when present, else CPU.

The choice is a value (`DeviceSpec`) passed to the training loop, so the GPU branch
(autocast + gradient scaling) is exercised in tests by injecting a spec, without a GPU.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import torch

from supportlens.cpus import available_cpus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeviceSpec:
    device_type: str  # "cpu" | "cuda"
    use_amp: bool
    num_threads: int
    name: str

    @property
    def device(self) -> torch.device:
        return torch.device(self.device_type)

    def autocast(self) -> AbstractContextManager[Any]:
        """Mixed precision on CUDA (fp16 matmuls); plain fp32 on CPU."""
        if self.use_amp:
            return torch.autocast(device_type=self.device_type, dtype=torch.float16)
        return contextlib.nullcontext()

    def grad_scaler(self) -> torch.amp.GradScaler:
        """fp16 gradients underflow without loss scaling; disabled scaler is a no-op on CPU."""
        return torch.amp.GradScaler(self.device_type, enabled=self.use_amp)


def select_device(
    preference: str,
    num_threads: int = 0,
    cuda_available: Callable[[], bool] = torch.cuda.is_available,
) -> DeviceSpec:
    """Resolve `auto|cpu|cuda` to a concrete spec; `cuda` without a GPU is an error."""
    has_cuda = cuda_available()
    if preference == "cuda" and not has_cuda:
        raise RuntimeError("device: cuda requested but torch sees no CUDA device; use auto or cpu")
    threads = num_threads if num_threads > 0 else available_cpus()
    if preference in ("auto", "cuda") and has_cuda:
        name = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cuda"
        return DeviceSpec("cuda", use_amp=True, num_threads=threads, name=name)
    return DeviceSpec("cpu", use_amp=False, num_threads=threads, name=f"cpu x{threads}")


def apply_threads(spec: DeviceSpec) -> None:
    """Intra-op threads = cores we may use; more threads than cores only adds contention."""
    if spec.device_type == "cpu":
        torch.set_num_threads(spec.num_threads)
        log.info("cpu threads", extra={"threads": spec.num_threads})
