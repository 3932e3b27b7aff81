"""Readable names for codes officials see: occupations and Kemendagri regions."""

from __future__ import annotations

from domain.i18n import Catalog
from domain.occupations import load_occupations
from domain.regions import RegionDirectory


def occupation_label(occupation: str, other: str | None = None) -> str:
    """The Indonesian label of an occupation id (the worker's own words for 'other')."""
    if other:
        return other
    found = next((o for o in load_occupations() if o.id == occupation), None)
    return found.id_label if found is not None else occupation


def relation_label(relation: str | None) -> str:
    """The Indonesian word for an heir's relation (`child` -> `Anak`)."""
    if not relation:
        return ""
    catalog = Catalog.load_shipped()
    key = f"relation.{relation}"
    return catalog.text("id", key) if catalog.has(key) else relation


def region_name(regions: RegionDirectory, code: str | None) -> str:
    """The published name of a region code, or '' when the loaded list does not have it."""
    region = regions.get(code) if code else None
    return region.name if region is not None else ""


def region_path(regions: RegionDirectory, code: str) -> tuple[str, str, str, str]:
    """Names of the village, district, regency and province of a village code."""
    parts = code.split(".")
    codes = [".".join(parts[:n]) for n in (4, 3, 2, 1)]
    village, district, regency, province = (
        region_name(regions, c) if len(parts) >= n else ""
        for c, n in zip(codes, (4, 3, 2, 1), strict=True)
    )
    return village, district, regency, province
