"""A few hundred plausible registrations for the console's browser tests (names made up).

Kabupaten Serang (36.04) mostly, some Kota Serang (36.73); spread over the last 30 days.
"""

from __future__ import annotations

import random
import secrets
from datetime import UTC, date, datetime, timedelta

import pyotp
from sqlalchemy import update
from sqlmodel import col

from domain.regions import RegionDirectory
from storage.infra.crypto import Cipher
from storage.infra.db import Database
from storage.models import Registration
from storage.repos.officials import Officials
from storage.repos.registrations import NewRegistration, Registrations
from storage.repos.second_factor import SecondFactor

FIRST = [
    "Siti", "Ahmad", "Dewi", "Budi", "Nur", "Rina", "Agus", "Sri",
    "Dedi", "Yuli", "Eko", "Wati", "Asep", "Iis", "Ujang", "Euis",
]  # fmt: skip
LAST = [
    "Aminah", "Santoso", "Lestari", "Hidayat", "Rahmawati",
    "Saputra", "Suryani", "Kurniawan", "Fitriani",
]  # fmt: skip
SERANG_JOBS = ["nelayan", "guru_ngaji", "petani", "kader_posyandu", "rt_rw", "anggota_bpd"]
KOTA_SERANG_JOBS = ["marbot", "tenaga_honorer", "petugas_pemilu", "ojek"]


def _nik(regency: str, born: date, female: bool, serial: int) -> str:
    province, city = regency.split(".")
    day = born.day + (40 if female else 0)
    return f"{province}{city}01{day:02d}{born:%m%y}{serial:04d}"


def registrations(regions: RegionDirectory, count: int, seed: int = 7) -> list[NewRegistration]:
    """`count` registrations; every ninth lives in Kota Serang."""
    rng = random.Random(seed)
    villages = {
        regency: [r.code for r in regions if r.code.startswith(regency + ".") and r.level == 4]
        for regency in ("36.04", "36.73")
    }
    made = []
    for n in range(count):
        regency = "36.73" if n % 9 == 8 else "36.04"
        female = rng.random() < 0.5
        born = date(rng.randint(1962, 2004), rng.randint(1, 12), rng.randint(1, 28))
        jobs = KOTA_SERANG_JOBS if regency == "36.73" else SERANG_JOBS
        program = "kota-serang-2026" if regency == "36.73" else "kabupaten-serang-2025"
        made.append(
            NewRegistration(
                submission_key=secrets.token_hex(8),
                full_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                nik=_nik(regency, born, female, n + 1),
                birth_date=born,
                gender="female" if female else "male",
                phone=f"+628{rng.randint(1_100_000_000, 1_999_999_999)}",
                occupation=rng.choice(jobs),
                occupation_other=None,
                region=rng.choice(villages[regency]) if villages[regency] else regency,
                regency=regency,
                monthly_income=rng.choice([1_000_000, 1_200_000, 1_500_000, 2_000_000]),
                heir_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                heir_relation=rng.choice(["child", "spouse", "parent"]),
                program=program,
                telegram_user_id=7_000_000_000 + n,
                telegram_chat_id=7_000_000_000 + n,
                language="id",
                consent_purpose=f"registration:{program}",
                consent_version="2025-01",
                consent_text_sha256="ab" * 32,
                consent_at=datetime(2025, 12, 9, 3, 0, tzinfo=UTC),
            )
        )
    return made


async def seed(url: str, key: str, count: int, recovery: list[str]) -> dict[str, tuple[str, str]]:
    """Store `count` registrations and two officials; returns role -> (username, password).

    The admin's recovery codes (one per admin login) are added to `recovery`.
    """
    db = Database.from_url(url)
    cipher = Cipher(key)
    try:
        store = Registrations(db, cipher)
        for new in registrations(RegionDirectory.load_shipped(), count):
            await store.submit(new)
        now = datetime.now(UTC)
        async with db.session() as session:
            for registration_id in range(1, count + 1):
                await session.exec(
                    update(Registration)
                    .where(col(Registration.id) == registration_id)
                    .values(created_at=now - timedelta(hours=(count - registration_id) * 2.3))
                )
            await session.commit()
        officials = Officials(db)
        accounts = {}
        for role, region in (("admin", None), ("reviewer", "36.04")):
            official, password, _ = await officials.create(
                f"{role}.uji", f"Petugas {role.title()}", role, region
            )
            accounts[role] = (official.username, password)
            if role == "admin":  # admins must have a second factor: log in with recovery codes
                assert official.id is not None
                factor = SecondFactor(db, cipher)
                secret, _ = await factor.begin(official.id)
                codes = await factor.confirm(official.id, pyotp.TOTP(secret).now())
                assert codes
                recovery.extend(codes)
        return accounts
    finally:
        await db.dispose()
