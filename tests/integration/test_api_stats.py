"""Statistics at a glance: counts by status, program, occupation, region and day; quota use."""

from __future__ import annotations

from datetime import datetime

from storage.repos.stats import WIB
from tests.integration.api_harness import (
    OTHER_REGION,
    PROGRAM,
    Api,
    api_fixture,  # noqa: F401 - the `api` fixture
)


async def test_the_counts_add_up_by_status_occupation_program_and_region(api: Api) -> None:
    admin = await api.official()
    fisher = await api.registration(occupation="nelayan")
    await api.registration(occupation="petani")
    await api.registration(occupation="petani", program=None, **OTHER_REGION)
    await api.post(f"/registrations/{fisher}/approve", admin)

    stats = (await api.get("/stats", admin)).json()

    assert stats["total"] == 3
    assert stats["by_status"] == {"approved": 1, "pending": 2}
    assert {(c["key"], c["count"]) for c in stats["by_occupation"]} == {
        ("petani", 2),
        ("nelayan", 1),
    }
    assert {(c["key"], c["label"], c["count"]) for c in stats["by_program"]} == {
        (PROGRAM, "Uji Kuota", 2),
        (None, None, 1),
    }
    assert {(c["key"], c["count"]) for c in stats["by_region"]} == {("36.04", 2), ("36.73", 1)}
    assert next(c for c in stats["by_region"] if c["key"] == "36.04")["label"] == "Kabupaten Serang"


async def test_registrations_of_today_are_counted_on_todays_date_in_wib(api: Api) -> None:
    admin = await api.official()
    await api.registration()
    await api.registration()

    stats = (await api.get("/stats", admin, days=7)).json()

    assert stats["per_day"] == [{"day": datetime.now(WIB).date().isoformat(), "count": 2}]


async def test_quota_use_lists_every_quota_of_the_program(api: Api) -> None:
    admin = await api.official()

    quotas = (await api.get("/stats", admin)).json()["quotas"]

    assert {(q["quota_id"], q["limit"], q["used"]) for q in quotas} == {
        ("nelayan", 1, 0),
        ("petani", 2, 0),
    }


async def test_a_reviewer_of_another_region_sees_no_quota_of_this_program(api: Api) -> None:
    reviewer = await api.official("reviewer", "36.73")

    stats = (await api.get("/stats", reviewer)).json()

    assert stats["quotas"] == []
    assert stats["total"] == 0
