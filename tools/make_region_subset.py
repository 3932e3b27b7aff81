"""Write the region list that ships with Lindungi (``domain/data/wilayah.csv``).

It keeps every province and regency/city (a NIK's first four digits are checked against
them) and every district and village of the regions the programs serve. The licence of the
source (MIT) is copied beside the output as ``LICENSE-wilayah``: its notice must ship.

    python tools/make_region_subset.py path/to/wilayah.csv
    python tools/make_region_subset.py SOURCE --region 36.74 --region 36.03   # other programs
    python tools/make_region_subset.py SOURCE --all                            # the full list
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

# Kabupaten Serang, Kota Serang, Kota Tangerang, Kota Pekalongan.
PROGRAM_REGIONS = ("36.04", "36.73", "36.71", "33.75")
DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "domain" / "data" / "wilayah.csv"
HEADER = ["kode", "nama"]
_REGENCY = re.compile(r"\d{2}\.\d{2}")


def keep(code: str, regions: Sequence[str]) -> bool:
    """Provinces and regencies always; deeper codes only under one of ``regions``."""
    if code.count(".") <= 1:
        return True
    return any(code.startswith(region + ".") for region in regions)


def select(rows: Iterable[list[str]], regions: Sequence[str] | None) -> list[list[str]]:
    """The rows to ship (``regions=None`` keeps them all), in the source's order."""
    kept: list[list[str]] = []
    for number, row in enumerate(rows, start=2):
        if len(row) != 2:
            raise SystemExit(f"line {number}: expected 2 columns, found {len(row)}")
        if regions is None or keep(row[0], regions):
            kept.append(row)
    return kept


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the full kode,nama list (wilayah.csv)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--region",
        action="append",
        metavar="CODE",
        help="a regency/city whose districts and villages to keep (repeatable); "
        f"default: {', '.join(PROGRAM_REGIONS)}",
    )
    parser.add_argument("--all", action="store_true", help="keep every region")
    args = parser.parse_args(argv)

    regions: tuple[str, ...] | None = None if args.all else tuple(args.region or PROGRAM_REGIONS)
    for region in regions or ():
        if not _REGENCY.fullmatch(region):
            parser.error(f"--region {region!r}: expected a regency code such as 36.04")

    with args.source.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header != HEADER:
            parser.error(f"{args.source}: expected the header kode,nama, found {header!r}")
        rows = select(reader, regions)

    known = {row[0] for row in rows}
    missing = [region for region in regions or () if region not in known]
    if missing:
        parser.error(f"not in {args.source}: {', '.join(missing)}")

    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)

    licence = args.source.with_name("LICENSE")
    if not licence.is_file():
        parser.error(f"no LICENSE beside {args.source}: its notice must ship with the data")
    shutil.copyfile(licence, args.output.with_name("LICENSE-wilayah"))

    size = args.output.stat().st_size
    print(f"wrote {len(rows)} regions ({size // 1024} KB) to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
