"""Derivatives of a 12-megapixel JPEG: our pipeline against a naive Pillow pipeline.

Naive: open, decode in full, rotate (EXIF), resize each size from the full image. Ours
(storage/derivatives.py): decode at reduced scale (draft), reduce, rotate after reducing, then
resize. Both write the same five JPEGs. Printed: median time per photo over N runs, the ratio,
and each pipeline's peak memory (resident set of a fresh process, over one that only imports).

    python -m bench.derivatives [--runs 7]
"""

from __future__ import annotations

import argparse
import gc
import io
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

from storage.derivatives import make_derivatives, naive_derivatives

Pipeline = Callable[[bytes], dict[str, bytes]]


def twelve_megapixels() -> bytes:
    """4000 x 3000, stored sideways as phones do (orientation 6), with detail to compress."""
    image = Image.effect_noise((4000, 3000), 40).convert("RGB")
    draw = ImageDraw.Draw(image)
    for i in range(0, 4000, 100):
        draw.line((i, 0, 4000 - i, 3000), fill=(i % 255, 90, 200 - i % 200), width=9)
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    image.transpose(Image.Transpose.ROTATE_90).save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def timed(pipeline: Pipeline, data: bytes, runs: int) -> float:
    times = []
    for _ in range(runs):
        gc.collect()
        began = time.perf_counter()
        pipeline(data)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def peak_mb(which: str, path: str) -> float:
    """Peak resident memory of a fresh process running one pipeline once, less that of one that
    only imports (Pillow's buffers are C allocations that tracemalloc does not see)."""

    def child_peak(*args: str) -> float:
        command = [sys.executable, "-m", "bench.derivatives", *args]
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        return int(out.split()[-1]) / 1024

    # The child reports its own VmHWM: rusage would include the parent's pages from the fork.

    return child_peak("--child", which, path) - child_peak("--child", "none", path)


def _high_water_kib() -> int:
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))


PIPELINES: dict[str, Pipeline] = {"ours": make_derivatives, "naive": naive_derivatives}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--child", nargs=2, metavar=("PIPELINE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        which, path = args.child
        if which in PIPELINES:
            PIPELINES[which](Path(path).read_bytes())
        print(_high_water_kib())
        return
    data = twelve_megapixels()
    make_derivatives(data), naive_derivatives(data)  # warm up both
    ours = timed(make_derivatives, data, args.runs)
    naive = timed(naive_derivatives, data, args.runs)
    with tempfile.NamedTemporaryFile(suffix=".jpg") as f:
        f.write(data)
        f.flush()
        ours_mb, naive_mb = peak_mb("ours", f.name), peak_mb("naive", f.name)
    size_mb = len(data) / 1_048_576
    print(f"12 MP JPEG ({size_mb:.1f} MB, orientation 6), 5 derivatives, {args.runs} runs")
    print(f"naive Pillow: median {naive * 1000:7.1f} ms   peak memory {naive_mb:6.1f} MB")
    print(f"Warta:        median {ours * 1000:7.1f} ms   peak memory {ours_mb:6.1f} MB")
    print(
        f"ratio naive / Warta: {naive / ours:.2f}x the time, {naive_mb / ours_mb:.2f}x the memory"
    )


if __name__ == "__main__":
    main()
