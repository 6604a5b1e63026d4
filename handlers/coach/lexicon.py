"""The coach's word lists (prompts/caption_coach.toml), read once per file."""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handlers.coach.words import Phrases, normalise

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "prompts" / "caption_coach.toml"


@dataclass(frozen=True)
class Lexicon:
    spelling: dict[str, str]
    abbreviations: dict[str, str]
    allowlist: Phrases
    programmes: Phrases
    days: frozenset[str]
    relative_days: Phrases
    month_date: re.Pattern[str]
    heads: frozenset[str]
    not_after_di: frozenset[str]
    cues: frozenset[str]
    organisations: frozenset[str]
    levels: frozenset[str]
    residents: frozenset[str]
    siapa: Phrases
    honorifics: frozenset[str]
    mengapa: Phrases
    beneficiaries: frozenset[str]
    bagaimana: Phrases
    number_labels: frozenset[str]
    not_counted: frozenset[str]
    activities: Phrases
    not_verbs: frozenset[str]
    purpose_leads: frozenset[str]


@functools.cache
def load_lexicon(path: Path = DEFAULT_PATH) -> Lexicon:
    with path.open("rb") as f:
        data = tomllib.load(f)
    kapan, di_mana, bagaimana, apa = data["kapan"], data["di_mana"], data["bagaimana"], data["apa"]
    return Lexicon(
        spelling=_pairs(data["spelling"]["words"]),
        abbreviations=_pairs(data["abbreviations"]["words"]),
        allowlist=Phrases(data["allowlist"]["words"]),
        programmes=Phrases(kapan["programmes"]),
        days=_set(kapan["days"]),
        relative_days=Phrases(kapan["relative"]),
        month_date=_month_date(kapan["months"]),
        heads=_set(di_mana["heads"]),
        not_after_di=_set(di_mana["not_after_di"]),
        cues=_set(di_mana["cues"]),
        organisations=_set(di_mana["organisations"]),
        levels=_set(di_mana["levels"]),
        residents=_set(di_mana["residents"]),
        siapa=Phrases(data["siapa"]["words"]),
        honorifics=_set(data["siapa"]["honorifics"]),
        mengapa=Phrases(data["mengapa"]["words"]),
        beneficiaries=_set(data["mengapa"]["untuk_beneficiaries"]),
        bagaimana=Phrases(bagaimana["words"]),
        number_labels=_set(bagaimana["number_labels"]),
        not_counted=_set(bagaimana["not_counted"]),
        activities=Phrases(apa["activities"]),
        not_verbs=_set(apa["not_verbs"]),
        purpose_leads=_set(apa["purpose_leads"]),
    )


def _pairs(table: dict[str, Any]) -> dict[str, str]:
    return {normalise(wrong): str(right) for wrong, right in table.items()}


def _set(entries: list[str]) -> frozenset[str]:
    return frozenset(normalise(e) for e in entries)


def _month_date(months: list[str]) -> re.Pattern[str]:
    """23 November 2026, 27-28 November, November 2026: a day before a month, or a year after."""
    names = "|".join(sorted(map(re.escape, months), key=len, reverse=True))
    return re.compile(
        rf"\b\d{{1,2}}(?:\s*[-–]\s*\d{{1,2}})?\s+(?:{names})\b|\b(?:{names})\s+\d{{4}}\b",
        re.IGNORECASE,
    )
