"""The registration walk the e2e tests and benchmarks replay is the one reviewed here."""

from __future__ import annotations

from pathlib import Path

from tests.golden import runner
from tests.walks import registration_until_summary

TRANSCRIPT = Path(__file__).parent / "registration.yaml"


def test_the_webhook_walk_is_the_registration_transcript_up_to_sending() -> None:
    turns = runner.load(TRANSCRIPT)["turns"]
    until_send = turns[: next(i for i, t in enumerate(turns) if t.get("press") == "Kirim")]
    walked = [(a.kind, a.value) for a in registration_until_summary()]
    written = [next((k, str(t[k])) for k in runner.INPUTS if k in t) for t in until_send]
    assert written == walked, "tests/walks.py and tests/golden/registration.yaml disagree"
