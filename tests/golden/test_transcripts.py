"""Each golden transcript replays to exactly the replies and effects it records."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from tests.golden import adapter, runner

TRANSCRIPTS = sorted(Path(__file__).parent.glob("*.yaml"))


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
def test_the_conversation_goes_as_its_transcript_says(
    path: Path, update_golden: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = path.read_text(encoding="utf-8")
    doc = runner.load(path)
    with adapter.fixed_keys(monkeypatch):
        try:
            actual = runner.run(doc)
        except runner.TranscriptError as exc:
            pytest.fail(f"{path.name}: {exc}", pytrace=False)
    if update_golden:
        text = runner.dump(actual)
        if written != text:
            path.write_text(text, encoding="utf-8")
        return
    # The document as written against what the engine does now (data, not layout).
    if doc != actual:
        text = runner.dump(actual)
        diff = difflib.unified_diff(
            written.splitlines(keepends=True),
            text.splitlines(keepends=True),
            f"{path.name} (as written)",
            f"{path.name} (as the engine answers now)",
        )
        pytest.fail(
            "".join(diff) + "\nIf the change is intended: pytest tests/golden --update-golden",
            pytrace=False,
        )
