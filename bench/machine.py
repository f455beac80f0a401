"""The machine a benchmark ran on, in one line: CPU model, the matrix units that decide mtaudit's speed, cores.

The development machine is not always the same CPU: a bf16-capable one (AMX or AVX512-BF16: the scorer runs in bf16
and OpenVINO computes in bf16) and an AVX2-only one (float32 throughout) give figures that cannot be compared, so
every benchmark names which it ran on.
"""
from __future__ import annotations

import os
import platform

# cpuinfo flags that change which kernels mtaudit's model runs on, strongest first
UNITS = ("amx_bf16", "avx512_bf16", "avx512f", "avx2")


def cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return set(line.partition(":")[2].split())
    except OSError:
        pass
    return set()


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe() -> str:
    """E.g. ``AMD EPYC (avx2; no bf16 units), 2 cores``."""
    flags = cpu_flags()
    units = [u for u in UNITS if u in flags]
    bf16 = "bf16 units" if {"amx_bf16", "avx512_bf16"} & flags else "no bf16 units"
    return f"{cpu_model()} ({', '.join(units) or 'no AVX2'}; {bf16}), {os.cpu_count()} cores"


if __name__ == "__main__":
    print(describe())
