"""Indonesian administrative regions (Kemendagri codes) and a fuzzy search over them.

A code's level is its number of dotted parts: province ``36``, regency/city ``36.04``,
district (kecamatan) ``36.04.01``, village (desa/kelurahan) ``36.04.01.2001``. The product
ships a subset (``domain/data/wilayah.csv``, made by ``tools/make_region_subset.py``):
every province and regency, and the districts and villages of the regions the programs serve.
The full list can be loaded with :meth:`RegionDirectory.from_csv`.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from rapidfuzz import fuzz

__all__ = ["Region", "RegionDirectory", "RegionKind", "nik_prefix_to_codes"]

RegionKind = Literal["province", "regency", "district", "village"]

_KINDS: dict[int, RegionKind] = {1: "province", 2: "regency", 3: "district", 4: "village"}
_CODE = re.compile(r"\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?", re.ASCII)

# Words people put before a name that the list does not use ("kec. Cikande", "desa Kibin").
_PLACE_WORDS = frozenset({"kecamatan", "desa", "kelurahan"})
# Words of a regency's kind: dropped from the names only, so "kota serang" prefers Kota Serang.
_KIND_WORDS = frozenset({"kabupaten", "kota", "administrasi"})
_ABBREVIATIONS = {"kab": "kabupaten", "kec": "kecamatan", "kel": "kelurahan", "ds": "desa"}
_NOT_WORD = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class Region:
    """One region: its dotted Kemendagri code and its published name."""

    code: str
    name: str

    @property
    def level(self) -> int:
        """1 province, 2 regency/city, 3 district, 4 village."""
        return self.code.count(".") + 1

    @property
    def parent(self) -> str | None:
        """The parent's code (``"36.04"`` for ``"36.04.15"``); ``None`` for a province."""
        head, dot, _ = self.code.rpartition(".")
        return head if dot else None

    @property
    def kind(self) -> RegionKind:
        return _KINDS[self.level]

    @property
    def is_kelurahan(self) -> bool:
        """A village whose 4-digit part starts with 1 (kelurahan); 2xxx is a desa."""
        return self.level == 4 and self.code.rpartition(".")[2].startswith("1")

    def short_name(self) -> str:
        """The name to show in a short list: ``"Kab. Serang"``, ``"Kota Serang"``, ``"Cikande"``."""
        if self.level == 2 and self.name.startswith("Kabupaten "):
            return "Kab. " + self.name.removeprefix("Kabupaten ")
        return self.name


def _normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = "".join(ch for ch in folded if not unicodedata.combining(ch))
    words = _NOT_WORD.sub(" ", ascii_only).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


def _variants(text: str, droppable: frozenset[str]) -> set[str]:
    """The normalised text, and the same without its leading ``droppable`` words."""
    full = _normalise(text)
    words = full.split()
    while len(words) > 1 and words[0] in droppable:
        words = words[1:]
    return {full, " ".join(words)} - {""}


class RegionDirectory:
    """An immutable set of regions, indexed by code and by parent."""

    def __init__(self, regions: dict[str, Region]) -> None:
        self._regions = regions
        children: dict[str, list[Region]] = {}
        for region in regions.values():
            children.setdefault(region.parent or "", []).append(region)
        for siblings in children.values():
            siblings.sort(key=lambda r: (r.name.casefold(), r.code))
        self._children = children
        self._search_keys: dict[str, set[str]] = {
            code: _variants(region.name, _PLACE_WORDS | _KIND_WORDS)
            for code, region in regions.items()
        }

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str]]) -> RegionDirectory:
        """Build from ``(code, name)`` pairs; ``ValueError`` on a malformed or repeated code."""
        regions: dict[str, Region] = {}
        for number, (raw_code, raw_name) in enumerate(rows, start=1):
            code, name = raw_code.strip(), raw_name.strip()
            if not _CODE.fullmatch(code):
                raise ValueError(f"region row {number}: malformed code {code!r}")
            if not name:
                raise ValueError(f"region row {number}: code {code} has no name")
            if code in regions:
                raise ValueError(f"region row {number}: code {code} appears twice")
            regions[code] = Region(code, name)
        return cls(regions)

    @classmethod
    def from_csv(cls, path: str | Path) -> RegionDirectory:
        """Load a ``kode,nama`` CSV file, e.g. the full Kemendagri list."""
        with open(path, encoding="utf-8", newline="") as handle:
            return cls._from_csv_text(handle.read(), str(path))

    @classmethod
    def load_shipped(cls) -> RegionDirectory:
        """The subset shipped in ``domain/data/wilayah.csv`` (loaded once, then shared)."""
        return _load_shipped()

    @classmethod
    def _from_csv_text(cls, text: str, source: str) -> RegionDirectory:
        reader = csv.reader(io.StringIO(text))
        header = next(reader, None)
        if header != ["kode", "nama"]:
            raise ValueError(f"{source}: expected the header 'kode,nama', found {header!r}")
        return cls.from_rows(_pairs(reader, source))

    def get(self, code: str) -> Region | None:
        return self._regions.get(code)

    def children(self, code: str) -> list[Region]:
        """The regions directly under ``code`` sorted by name; ``""`` gives the provinces."""
        return list(self._children.get(code, ()))

    def has_province(self, two_digits: str) -> bool:
        """Whether ``"36"`` is a known province."""
        region = self._regions.get(two_digits)
        return region is not None and region.level == 1

    def has_regency(self, dotted: str) -> bool:
        """Whether ``"36.04"`` is a known regency or city."""
        region = self._regions.get(dotted)
        return region is not None and region.level == 2

    def search(self, parent: str, text: str, limit: int = 5) -> list[tuple[Region, float]]:
        """The children of ``parent`` whose names best match ``text``, best first.

        Tolerates case, accents, punctuation, typos and the prefixes people add ("kec.",
        "desa", "kel.", "kab."). Scores run from 0 to 100; the caller decides what is
        close enough.
        """
        queries = _variants(text, _PLACE_WORDS)
        if not queries or limit <= 0:
            return []
        scored: list[tuple[Region, float]] = []
        for region in self._children.get(parent, ()):
            keys = self._search_keys[region.code]
            score = max(fuzz.WRatio(query, key) for query in queries for key in keys)
            scored.append((region, round(float(score), 1)))
        scored.sort(key=lambda pair: (-pair[1], pair[0].name.casefold(), pair[0].code))
        return scored[:limit]

    def __len__(self) -> int:
        return len(self._regions)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._regions

    def __iter__(self) -> Iterator[Region]:
        return iter(self._regions.values())

    def __repr__(self) -> str:
        return f"<RegionDirectory of {len(self)} regions>"


def _pairs(reader: Iterable[list[str]], source: str) -> Iterator[tuple[str, str]]:
    for line, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != 2:
            raise ValueError(f"{source}, line {line}: expected 2 columns, found {len(row)}")
        yield row[0], row[1]


@functools.cache
def _load_shipped() -> RegionDirectory:
    resource = resources.files("domain") / "data" / "wilayah.csv"
    return RegionDirectory._from_csv_text(resource.read_text(encoding="utf-8"), "wilayah.csv")


def nik_prefix_to_codes(six_digits: str) -> tuple[str, str, str]:
    """``"360401"`` -> ``("36", "36.04", "36.04.01")``: province, regency and district codes."""
    if len(six_digits) != 6 or not (six_digits.isascii() and six_digits.isdigit()):
        raise ValueError("a NIK prefix is 6 digits")
    province = six_digits[:2]
    regency = f"{province}.{six_digits[2:4]}"
    return province, regency, f"{regency}.{six_digits[4:6]}"
