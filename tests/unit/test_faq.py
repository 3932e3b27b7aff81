"""Free-text questions: informal spelling finds the right answer, or an honest "don't know"."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rapidfuzz import fuzz

from domain.faq import (
    MAX_QUESTION,
    FaqIndex,
    Vocabulary,
    load_faq,
    load_topics,
    normalise,
    parse_faq,
    parse_topics,
)

INDEX = FaqIndex.shipped()
BENCH = Path(__file__).resolve().parents[2] / "bench" / "faq_questions.yaml"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Klo gmn brp??", "kalau bagaimana berapa"),
        ("sy gk tau yg dgn ojol", "saya tidak tahu yang dengan ojek online"),
        ("GIMANAAA", "bagaimana"),
        ("anak2 sy", "anak saya"),
        ("Santunan—meninggal, klaim!", "santunan meninggal klaim"),
        ("iuran bpjs tk", "iuran bpjs ketenagakerjaan"),
    ],
)
def test_informal_writing_is_normalised(typed: str, expected: str) -> None:
    assert normalise(typed) == expected


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("klo kecelakaan pas narik ojek gimana klaimnya?", "claim"),
        ("jatuh dr motor pas ngojek, rs nya dibayarin gk", "jkk"),
        ("iuran sebulanya brapa sih", "costs"),
        ("bpjs tk bisa buat beasiswa anak ga", "scholarship"),
        ("what documents does my wife need to claim", "documents"),
        ("pemda bayarin iuran guru ngaji?", "who_pays"),
        ("sudah 5 bulan nunggak iuran", "inactive"),
        ("siapa ahli waris yg bisa dipilih", "heir"),
    ],
)
def test_informal_question_gets_the_right_answer(question: str, topic: str) -> None:
    ranked = INDEX.match(question, "id")
    assert ranked[0][0].id == topic
    assert 0 <= ranked[0][1] <= 100


def test_clear_question_is_answered_with_confidence() -> None:
    answer = INDEX.answer("gmn cara klaim santunan kecelakaan kerja", "id")
    assert answer.kind == "confident"
    assert answer.topic is not None and answer.topic.id == "claim"


def test_every_topic_title_leads_to_its_own_topic() -> None:
    for topic in load_topics():
        for lang in ("id", "en"):
            answer = INDEX.answer(topic.title(lang), lang)
            assert answer.candidates[0][0].id == topic.id, (topic.id, lang)


def test_question_about_something_else_offers_an_official() -> None:
    for question in ("resep rendang padang", "good morning", "besok hujan ga ya"):
        answer = INDEX.answer(question, "id")
        assert answer.kind == "none", question
        assert answer.topic is None and answer.candidates == ()


def test_empty_or_punctuation_only_message_has_no_answer() -> None:
    assert INDEX.answer("???", "id").kind == "none"
    assert INDEX.match("  ", "id") == []


def test_vague_question_offers_two_or_three_choices() -> None:
    answer = INDEX.answer("anak sy gimana", "id")
    assert answer.kind == "unsure"
    assert 2 <= len(answer.candidates) <= 3
    assert answer.topic is None
    scores = [score for _, score in answer.candidates]
    assert scores == sorted(scores, reverse=True)


def test_english_question_finds_indonesian_content() -> None:
    answer = INDEX.answer("how much is the monthly contribution", "en")
    assert answer.candidates[0][0].id == "costs"


def test_index_of_the_shipped_content_is_built_once() -> None:
    assert FaqIndex.shipped() is INDEX


def test_index_works_on_other_content_and_vocabulary() -> None:
    topics = parse_topics(
        """
topics:
  - {id: jkk, title: {id: Kecelakaan kerja, en: Work accident}, body: {id: a, en: a}, source: s}
  - {id: costs, title: {id: Iuran, en: Costs}, body: {id: b, en: b}, source: s}
"""
    )
    entries = parse_faq(
        """
entries:
  - {name: a, topic: jkk, phrasings: {id: [celaka pas kerja], en: [hurt at work]}}
  - {name: b, topic: costs, phrasings: {id: [iuran brp], en: [how much to pay]}}
""",
        topics,
    )
    index = FaqIndex(topics, entries, Vocabulary(synonyms={}, weights={}))
    assert index.match("klo celaka gmn", "id")[0][0].id == "jkk"
    assert index.match("brp iurannya", "id")[0][0].id == "costs"


def test_held_out_questions_are_not_copied_into_the_faq() -> None:
    questions = [row["q"] for row in yaml.safe_load(BENCH.read_text("utf-8"))["questions"]]
    phrasings = [
        normalise(text)
        for entry in load_faq()
        for lang in ("id", "en")
        for text in entry.phrasings(lang)
    ]
    for question in questions:
        asked = normalise(question)
        closest = max(fuzz.ratio(asked, phrasing) for phrasing in phrasings)
        assert closest < 90, question


def test_a_huge_message_is_answered_from_its_first_lines_only() -> None:
    """A 900 KB message (no real chat sends one) costs no more than its first lines."""
    question = "gmn cara klaim santunan kecelakaan kerja "
    flood = question + "iuran berapa nelayan petani ojek " * 30_000
    assert INDEX.answer(flood, "id") == INDEX.answer(flood[:MAX_QUESTION], "id")
