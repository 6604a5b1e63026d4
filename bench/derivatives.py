"""Derivatives and photo checks per photo kind: Warta against a naive pipeline and the floor.

Photo kinds: a 12 MP camera photo (a drawn street scene through a soft lens with sensor
noise, stored sideways with EXIF orientation 6 and GPS, as phones write it), the same scene at
Telegram's 1280 px (what a photo sent "compressed" arrives as: no EXIF), and a 12 MP photo of
pure noise and hard lines (the worst case to decode, resample and encode).

Derivatives (the five sizes of storage/derivatives.py), in turns, median of N runs:
- naive: decode in full, rotate (EXIF), resize each size from the full image (LANCZOS);
- floor: the reduced-scale decode Warta does plus the five encodes of its outputs, as written
  (the web size progressive): what no pipeline that decodes and writes these files avoids;
- Warta: make_derivatives.
Memory: the resident high-water mark of a fresh process running one pipeline once, less that
of a process that only imports (Pillow's buffers are C allocations tracemalloc does not see).

Fidelity: each of Warta's sizes against the naive one, as the tests measure it: the mean
absolute difference (levels of 255, the worst channel; the tests allow under 4) and the fine
detail kept (the spread of the luma's Laplacian, Warta's over naive's).

Photo checks: what the engine runs on every photo received, per photo: inspect_image and
look_at one after the other (two decodes), and check_photo (one).

Each kind ends with `ratio` lines a script can read: `ratio <kind> <name>=<value> ...`.

    python -m bench.derivatives [--runs 7] [--kinds camera-12mp,telegram-1280,noise-12mp]
"""

from __future__ import annotations

import argparse
import gc
import io
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageStat

from storage.derivatives import SIZES, _decode_reduced, make_derivatives, naive_derivatives
from storage.media import inspect_image
from storage.photo_checks import check_photo, look_at

MAX_PIXELS = 50_000_000  # the engine's default limit


def gps_exif(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x8825] = {1: "S", 2: (6.0, 35.0, 40.0), 3: "E", 4: (106.0, 47.0, 50.0)}
    return exif


def street_scene(width: int = 4000, height: int = 3000) -> Image.Image:
    """Sky, buildings with windows, a crowd: smooth areas and edges, as a newsroom photo has."""
    rng = random.Random(13)
    sky = Image.linear_gradient("L").resize((width, height))
    bands = (sky.point(lambda v: 90 + v // 3), sky.point(lambda v: 140 + v // 4))
    image = Image.merge("RGB", (*bands, sky.point(lambda v: 230 - v // 8)))
    draw = ImageDraw.Draw(image)
    u, horizon = width / 4000, height * 11 // 20
    draw.rectangle((0, horizon, width, height), fill=(96, 110, 70))
    for _ in range(26):
        x, w, h = (
            rng.randrange(width),
            int(rng.randrange(180, 520) * u),
            int(rng.randrange(300, 1100) * u),
        )
        tone = rng.randrange(120, 230)
        draw.rectangle((x, horizon - h, x + w, horizon + 40 * u), fill=(tone, tone - 20, tone - 45))
        step = max(4, int(60 * u))
        for wx in range(x + step // 2, x + w - step // 2, step):
            for wy in range(horizon - h + step // 2, horizon, step):
                draw.rectangle((wx, wy, wx + step // 3, wy + step // 2), fill=(40, 50, 70))
    for _ in range(120):
        x, y = rng.randrange(width), rng.randrange(horizon + int(200 * u), height)
        s = int(rng.randrange(40, 110) * u)
        draw.ellipse((x, y, x + s, y + s), fill=(180, 130, 100))
        shirt = (rng.randrange(30, 230), rng.randrange(30, 230), rng.randrange(30, 230))
        draw.rectangle((x - s // 2, y + s, x + s + s // 2, y + 4 * s), fill=shirt)
    image = image.filter(ImageFilter.GaussianBlur(1.5 * u))  # a lens, not a vector drawing
    noise = Image.effect_noise((width, height), 5)  # a sensor's
    return ImageChops.add(image, Image.merge("RGB", (noise, noise, noise)), offset=-128)


def camera_photo() -> bytes:
    """12 MP, stored sideways (orientation 6) with GPS, quality 92: a phone's file."""
    out = io.BytesIO()
    stored = street_scene().transpose(Image.Transpose.ROTATE_90)
    stored.save(out, "JPEG", quality=92, exif=gps_exif(6))
    return out.getvalue()


def telegram_photo() -> bytes:
    """The scene as Telegram delivers a compressed photo: 1280 px, upright, no EXIF."""
    out = io.BytesIO()
    street_scene().resize((1280, 960), Image.Resampling.LANCZOS).save(out, "JPEG", quality=87)
    return out.getvalue()


def noise_photo() -> bytes:
    """4000 x 3000 of noise and hard lines, orientation 6: the benchmark's worst case."""
    image = Image.effect_noise((4000, 3000), 40).convert("RGB")
    draw = ImageDraw.Draw(image)
    for i in range(0, 4000, 100):
        draw.line((i, 0, 4000 - i, 3000), fill=(i % 255, 90, 200 - i % 200), width=9)
    out = io.BytesIO()
    image.transpose(Image.Transpose.ROTATE_90).save(out, "JPEG", quality=92, exif=gps_exif(6))
    return out.getvalue()


KINDS: dict[str, Callable[[], bytes]] = {
    "camera-12mp": camera_photo,
    "telegram-1280": telegram_photo,
    "noise-12mp": noise_photo,
}


def floor_for(data: bytes) -> Callable[[bytes], object]:
    """Decode at Warta's reduced scale, then encode Warta's five outputs as it writes them."""
    made = make_derivatives(data)
    outputs = [(Image.open(io.BytesIO(made[s.name])), s.progressive) for s in SIZES]
    for image, _ in outputs:
        image.load()
    upright = _decode_reduced(data, SIZES).size  # the size Warta decodes to, turned upright
    stored = Image.open(io.BytesIO(data)).size
    turned = (upright[0] > upright[1]) != (stored[0] > stored[1])
    request = (upright[1], upright[0]) if turned else upright

    def floor(data: bytes) -> object:
        with Image.open(io.BytesIO(data)) as im:
            im.draft("RGB", request)
            im.load()
        for image, progressive in outputs:
            image.save(io.BytesIO(), "JPEG", quality=85, progressive=progressive)
        return None

    return floor


LAPLACIAN = ImageFilter.Kernel((3, 3), [0, -1, 0, -1, 4, -1, 0, -1, 0], scale=1, offset=128)


def fidelity(data: bytes) -> dict[str, tuple[float, float]]:
    """Per size: mean |Warta - naive| (worst channel) and the detail kept, Warta's / naive's."""
    fast, naive = make_derivatives(data), naive_derivatives(data)
    out = {}
    for name in fast:
        a, b = (Image.open(io.BytesIO(made[name])).convert("RGB") for made in (fast, naive))
        diff = max(ImageStat.Stat(ImageChops.difference(a, b)).mean)
        detail = [ImageStat.Stat(im.convert("L").filter(LAPLACIAN)).stddev[0] for im in (a, b)]
        out[name] = (diff, detail[0] / detail[1])
    return out


def checks_twice(data: bytes) -> object:
    return inspect_image(data, max_pixels=MAX_PIXELS), look_at(data)


def checks_once(data: bytes) -> object:
    return check_photo(data, max_pixels=MAX_PIXELS)


def in_turns(
    pipelines: dict[str, Callable[[bytes], object]], data: bytes, runs: int
) -> dict[str, list[float]]:
    """Each pipeline once per round, so that the machine's slow moments hit all of them."""
    times: dict[str, list[float]] = {name: [] for name in pipelines}
    for pipeline in pipelines.values():
        pipeline(data)  # warm up
    for _ in range(runs):
        for name, pipeline in pipelines.items():
            gc.collect()
            began = time.perf_counter()
            pipeline(data)
            times[name].append((time.perf_counter() - began) * 1000)
    return times


def peak_mb(which: str, path: str) -> float:
    """Peak resident memory of a fresh process running one pipeline once, over an idle one."""

    def child_peak(*args: str) -> float:
        command = [sys.executable, "-m", "bench.derivatives", *args]
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        return int(out.split()[-1]) / 1024

    # The child reports its own VmHWM: rusage would include the parent's pages from the fork.
    return child_peak("--child", which, path) - child_peak("--child", "none", path)


def _high_water_kib() -> int:
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))


PIPELINES: dict[str, Callable[[bytes], object]] = {
    "naive": naive_derivatives,
    "warta": make_derivatives,
}


def line(name: str, ms: list[float], memory: float | None = None) -> str:
    spread = f"({min(ms):6.1f}-{max(ms):6.1f})"
    peak = f"   peak memory {memory:6.1f} MB" if memory is not None else ""
    return f"  {name:<28} median {statistics.median(ms):7.1f} ms {spread}{peak}"


def bench_kind(kind: str, data: bytes, runs: int) -> None:
    im = Image.open(io.BytesIO(data))
    orientation = im.getexif().get(0x0112, 1)
    print(
        f"{kind}: {im.width}x{im.height} JPEG, {len(data) / 1_048_576:.1f} MB,"
        f" orientation {orientation}"
    )
    t = in_turns(
        {"naive": naive_derivatives, "floor": floor_for(data), "warta": make_derivatives},
        data,
        runs,
    )
    with tempfile.NamedTemporaryFile(suffix=".jpg") as f:
        f.write(data)
        f.flush()
        memory = {name: peak_mb(name, f.name) for name in PIPELINES}
    print(f" derivatives ({len(SIZES)} sizes), {runs} runs in turns, median (min-max):")
    print(line("naive Pillow", t["naive"], memory["naive"]))
    print(line("floor (decode + 5 encodes)", t["floor"]))
    print(line("Warta", t["warta"], memory["warta"]))
    close = fidelity(data)
    print(" against naive, per size: mean |difference| (levels) / detail kept:")
    print("  " + "  ".join(f"{name} {d:.2f} / {k:.0%}" for name, (d, k) in close.items()))
    checks = in_turns({"twice": checks_twice, "once": checks_once}, data, runs)
    print(" photo checks per photo:")
    print(line("inspect_image + look_at", checks["twice"]))
    print(line("check_photo (one decode)", checks["once"]))
    med = {name: statistics.median(ms) for name, ms in (t | checks).items()}
    print(
        f"ratio {kind} naive/warta={med['naive'] / med['warta']:.2f}"
        f" warta/floor={med['warta'] / med['floor']:.2f}"
        f" memory_naive/warta={memory['naive'] / memory['warta']:.2f}"
        f" diff_max={max(d for d, _ in close.values()):.2f}"
        f" detail_min={min(k for _, k in close.values()):.2f}"
        f" checks_twice/once={med['twice'] / med['once']:.2f}"
        f" checks_ms={med['once']:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--child", nargs=2, metavar=("PIPELINE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        which, path = args.child
        if which in PIPELINES:
            PIPELINES[which](Path(path).read_bytes())
        print(_high_water_kib())
        return
    for kind in args.kinds.split(","):
        bench_kind(kind, KINDS[kind](), args.runs)


if __name__ == "__main__":
    main()
