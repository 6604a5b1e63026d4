"""The caption coach over the labelled captions (tests/coach_captions.toml).

Time: each caption through coach() (spelling, then the six element rules), against a bare pass
over the same captions in the same run (lowercase, split, one set lookup a word: the floor of
any word-list check). Printed: the median and p95 per caption (aim under 5 ms), their ratio to
the bare pass, and the first call's load of the region's place names, apart.

Quality: precision and recall per element and for spelling fixes, on the labelled set (read
while the rules were shaped) and on the held-out set (never used to tune them). Aims: spelling
precision at least 0.95, each element at least 0.85 both ways.

    python -m bench.caption_coach [--runs 200] [--region 32.71]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from handlers.caption_coach import ELEMENTS, Places, coach
from handlers.coach.lexicon import load_lexicon

LABELLED = Path(__file__).resolve().parent.parent / "tests" / "coach_captions.toml"
# Kota Bogor's six kecamatan, as the demo organisation names its units.
UNITS = tuple(
    f"Kecamatan {name}"
    for name in (
        "Bogor Barat",
        "Bogor Timur",
        "Bogor Utara",
        "Bogor Selatan",
        "Bogor Tengah",
        "Tanah Sareal",
    )
)
SPELLING = "spelling"
ELEMENT_AIM, SPELLING_AIM = 0.85, 0.95


@dataclass(frozen=True)
class Labelled:
    text: str
    elements: frozenset[str]
    fixes: frozenset[tuple[str, str]]


@dataclass
class Tally:
    hits: int = 0
    false_alarms: int = 0
    misses: int = 0

    @property
    def precision(self) -> float:
        said = self.hits + self.false_alarms
        return self.hits / said if said else 1.0

    @property
    def recall(self) -> float:
        wanted = self.hits + self.misses
        return self.hits / wanted if wanted else 1.0

    def add(self, got: Iterable[object], wanted: Iterable[object]) -> None:
        got, wanted = set(got), set(wanted)
        self.hits += len(got & wanted)
        self.false_alarms += len(got - wanted)
        self.misses += len(wanted - got)


def labelled(part: str = "caption", path: Path = LABELLED) -> list[Labelled]:
    """part: "caption" (the labelled set) or "holdout"."""
    with path.open("rb") as f:
        rows = tomllib.load(f)[part]
    return [
        Labelled(
            row["text"],
            frozenset(row["elements"]),
            frozenset((w, r) for w, r in row.get("fixes", [])),
        )
        for row in rows
    ]


def kota_bogor() -> Places:
    return Places.of("32.71", UNITS)


def score(items: list[Labelled], places: Places) -> dict[str, Tally]:
    tallies = {name: Tally() for name in (*ELEMENTS, SPELLING)}
    for item in items:
        advice = coach(item.text, places)
        for name in ELEMENTS:
            tallies[name].add([name] if name in advice.found else [], {name} & item.elements)
        tallies[SPELLING].add({(f.wrong, f.right) for f in advice.fixes}, item.fixes)
    return tallies


def meets_aim(name: str, tally: Tally) -> bool:
    if name == SPELLING:
        return tally.precision >= SPELLING_AIM
    return min(tally.precision, tally.recall) >= ELEMENT_AIM


def bare_pass(caption: str, words: frozenset[str]) -> int:
    return sum(word.strip(".,:;!?()") in words for word in caption.lower().split())


def per_caption_ms(run: Callable[[str], object], captions: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        gc.collect()
        for caption in captions:
            began = time.perf_counter()
            run(caption)
            times.append((time.perf_counter() - began) * 1000)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def print_quality(title: str, tallies: dict[str, Tally], count: int) -> None:
    print(f"\n{title} ({count} captions)   precision  recall  aim")
    for name, tally in tallies.items():
        verdict = "met" if meets_aim(name, tally) else "NOT met"
        counts = f"{tally.hits} hit, {tally.false_alarms} false, {tally.misses} missed"
        print(f"  {name:<10} {tally.precision:9.2f} {tally.recall:7.2f}  {verdict:<8} {counts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--region", default="32.71")
    args = parser.parse_args()
    began = time.perf_counter()
    places = Places.of(args.region, UNITS)
    load_ms = (time.perf_counter() - began) * 1000
    items, held_out = labelled(), labelled("holdout")
    captions = [item.text for item in items + held_out]
    began = time.perf_counter()
    coach(captions[0], places)  # reads prompts/caption_coach.toml
    first_ms = (time.perf_counter() - began) * 1000
    lex = load_lexicon()
    flat = frozenset({*lex.spelling, *lex.abbreviations, *lex.siapa.entries, *lex.days})
    per_caption_ms(lambda c: coach(c, places), captions, 2)  # warm up
    ours = per_caption_ms(lambda c: coach(c, places), captions, args.runs)
    bare = per_caption_ms(lambda c: bare_pass(c, flat), captions, args.runs)
    print(f"{len(captions)} captions x {args.runs} runs, region {args.region}")
    print(f"first call, region index: {load_ms:7.1f} ms ({len(places.codes)} names)")
    print(f"first caption, word lists: {first_ms:6.1f} ms")
    print(f"bare pass:   median {statistics.median(bare):.4f} ms   p95 {p95(bare):.4f} ms")
    print(f"coach:       median {statistics.median(ours):.4f} ms   p95 {p95(ours):.4f} ms")
    ratio = statistics.median(ours) / statistics.median(bare)
    print(f"ratio coach / bare: {ratio:.1f}x the median, {p95(ours) / p95(bare):.1f}x the p95")
    print_quality("labelled set", score(items, places), len(items))
    print_quality("held-out set", score(held_out, places), len(held_out))


if __name__ == "__main__":
    main()
