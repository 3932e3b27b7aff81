"""How well free-text questions find their topic, on questions the FAQ content has not seen.

Run: ``.venv/bin/python bench/faq_eval.py [--questions FILE] [--show-misses] [--loo]``

Prints, over bench/faq_questions.yaml: top-1 accuracy, expected topic in the top 3,
"confident but wrong" answers (the worst case: a wrong answer given with confidence) and how
many off-topic questions are offered to an official (`none`) instead of answered.
``--loo`` also runs a leave-one-entry-out check on faq.yaml itself (each entry's phrasings
matched against all other entries), which is what the thresholds were tuned on.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from domain.faq import (  # noqa: E402
    FaqAnswer,
    FaqEntry,
    FaqIndex,
    load_faq,
    load_topics,
)

DEFAULT_QUESTIONS = ROOT / "bench" / "faq_questions.yaml"

# Off-topic questions used with --loo to calibrate the "none" threshold. They are NOT the
# held-out off-topic questions of faq_questions.yaml (those only measure).
CALIBRATION_OFF_TOPIC = (
    "besok hujan ga ya",
    "cara bikin sim c",
    "jual motor bekas murah",
    "minta nomor wa pak lurah",
    "kapan lebaran tahun ini",
    "bansos pkh cair kapan",
    "cara transfer uang ke dana",
    "how do i reset my password",
    "good morning",
    "harga bensin naik lagi",
    "anak sy demam tinggi obatnya apa",
    "daftar kartu prakerja gimana",
)


@dataclass(frozen=True)
class Result:
    """One question, what was expected and what the index said."""

    question: str
    expected: str
    ranked: tuple[str, ...]
    answer: FaqAnswer


def load_questions(path: Path) -> list[tuple[str, str]]:
    """(question, expected topic id or "none") pairs."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(str(row["q"]), str(row["topic"])) for row in data["questions"]]


def run(index: FaqIndex, questions: list[tuple[str, str]], lang: str = "id") -> list[Result]:
    results = []
    for question, expected in questions:
        ranked = tuple(topic.id for topic, _ in index.match(question, lang))
        results.append(Result(question, expected, ranked, index.answer(question, lang)))
    return results


def report(title: str, results: list[Result], show_misses: bool) -> dict[str, float]:
    """Print the figures; return them for callers."""
    on_topic = [r for r in results if r.expected != "none"]
    off_topic = [r for r in results if r.expected == "none"]
    top1 = sum(1 for r in on_topic if r.ranked[:1] == (r.expected,))
    top3 = sum(1 for r in on_topic if r.expected in r.ranked[:3])
    kinds = Counter(r.answer.kind for r in on_topic)
    confident_right = sum(
        1 for r in on_topic if r.answer.topic is not None and r.answer.topic.id == r.expected
    )
    confident_wrong = [
        r for r in results if r.answer.topic is not None and r.answer.topic.id != r.expected
    ]
    unsure_has_it = sum(
        1
        for r in on_topic
        if r.answer.kind == "unsure" and r.expected in {t.id for t, _ in r.answer.candidates}
    )
    handled = sum(1 for r in off_topic if r.answer.kind == "none")
    not_confident = sum(1 for r in off_topic if r.answer.kind != "confident")
    n = max(len(on_topic), 1)
    print(f"== {title}")
    print(f"on-topic questions:       {len(on_topic)}")
    print(f"top-1 accuracy:           {top1}/{len(on_topic)} = {100 * top1 / n:.1f}%")
    print(f"expected topic in top-3:  {top3}/{len(on_topic)} = {100 * top3 / n:.1f}%")
    print(
        f"answers: confident {kinds['confident']} (right {confident_right}), "
        f"unsure {kinds['unsure']} (right topic offered {unsure_has_it}), none {kinds['none']}"
    )
    print(f"confident but wrong:      {len(confident_wrong)} (incl. off-topic answered)")
    if off_topic:
        print(
            f"off-topic handled:        {handled}/{len(off_topic)} offered to an official "
            f"({not_confident}/{len(off_topic)} not answered with confidence)"
        )
    if show_misses:
        for r in results:
            first = r.ranked[0] if r.ranked else "-"
            wrong_top = r.expected != "none" and first != r.expected
            wrong_kind = (r.expected == "none") != (r.answer.kind == "none")
            if wrong_top or wrong_kind or r in confident_wrong:
                scores = ", ".join(f"{t.id} {s:.0f}" for t, s in r.answer.candidates)
                print(
                    f"  MISS {r.question!r}: expected {r.expected}, got {r.ranked[:3]} "
                    f"[{r.answer.kind}: {scores}]"
                )
    return {
        "top1": 100 * top1 / n,
        "top3": 100 * top3 / n,
        "confident_wrong": float(len(confident_wrong)),
        "off_topic_handled": float(handled),
    }


def leave_one_out(show_misses: bool) -> dict[str, float]:
    """Each FAQ entry's phrasings against an index built without that entry."""
    topics, entries = load_topics(), load_faq()
    results: list[Result] = []
    for held in entries:
        index = FaqIndex(topics, [entry for entry in entries if entry is not held])
        for lang in ("id", "en"):
            questions = [(text, held.topic) for text in held.phrasings(lang)]
            results += run(index, questions, lang)
    return report("faq.yaml, leave one entry out", results, show_misses)


def leave_one_phrasing_out(show_misses: bool) -> dict[str, float]:
    """Each FAQ phrasing against an index built without that one phrasing."""
    topics, entries = load_topics(), load_faq()
    results: list[Result] = []
    for i, held in enumerate(entries):
        for lang in ("id", "en"):
            for j, text in enumerate(held.phrasings(lang)):
                kept = held.phrasings(lang)[:j] + held.phrasings(lang)[j + 1 :]
                if not kept:
                    continue
                other = held.phrasings_en if lang == "id" else held.phrasings_id
                pair = (kept, other) if lang == "id" else (other, kept)
                reduced = FaqEntry(held.name, held.topic, *pair)
                index = FaqIndex(topics, [*entries[:i], reduced, *entries[i + 1 :]])
                results += run(index, [(text, held.topic)], lang)
    index = FaqIndex(topics, entries)
    results += run(index, [(text, "none") for text in CALIBRATION_OFF_TOPIC])
    return report("faq.yaml, leave one phrasing out", results, show_misses)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--loo", action="store_true", help="also leave-one-out on faq.yaml")
    args = parser.parse_args()
    if args.loo:
        leave_one_out(args.show_misses)
        leave_one_phrasing_out(args.show_misses)
    index = FaqIndex.shipped()
    report(
        f"held-out: {args.questions.name}",
        run(index, load_questions(args.questions)),
        args.show_misses,
    )


if __name__ == "__main__":
    main()
