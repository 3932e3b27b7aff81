"""The occupations a worker can choose (data in `data/occupations.yaml`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class Occupation:
    """One occupation with its button labels and sector (the sector decides discounts)."""

    id: str
    id_label: str
    en_label: str
    sector: str

    def label(self, lang: str) -> str:
        return self.en_label if lang == "en" else self.id_label


@cache
def load_occupations() -> tuple[Occupation, ...]:
    text = (resources.files("domain") / "data" / "occupations.yaml").read_text("utf-8")
    return tuple(Occupation(**row) for row in yaml.safe_load(text))
