"""Editable content (topics, FAQ, synonyms) and the catalogue texts of eligibility and info."""

from __future__ import annotations

import re
import string
from importlib import resources
from pathlib import Path

import pytest
import yaml

from domain import eligibility, faq
from domain.errors import FlowDefinitionError
from domain.faq import (
    TOPIC_PARAMS,
    load_faq,
    load_topics,
    load_vocabulary,
    parse_faq,
    parse_topics,
    parse_vocabulary,
    topic_message,
    topic_params,
)
from domain.i18n import LANGUAGES, Catalog, format_money
from domain.programs import load_programs
from domain.rules import load_rules

RULES = load_rules()
PROGRAMS = load_programs()
ADDRESS = {"sapaan": "Bapak", "sapa": "Pak"}
LOCALES = resources.files("domain") / "locales"
CONTENT = resources.files("domain") / "content"


def _flat(lang: str) -> dict[str, str]:
    text = (LOCALES / f"{lang}.eligibility.yaml").read_text(encoding="utf-8")
    catalog = Catalog.from_texts({lang: text})
    return {key: catalog.text(lang, key) for key in catalog.keys(lang)}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


MESSAGES = {**eligibility.MESSAGE_PARAMS, **faq.MESSAGE_PARAMS}


# ---------------------------------------------------------------- catalogue texts


def test_both_languages_have_the_same_eligibility_and_info_texts() -> None:
    assert set(_flat("id")) == set(_flat("en"))


def test_every_text_the_code_uses_exists_and_nothing_else() -> None:
    for lang in LANGUAGES:
        assert set(_flat(lang)) == set(MESSAGES), lang


def test_texts_only_use_placeholders_the_code_provides() -> None:
    for lang in LANGUAGES:
        for key, text in _flat(lang).items():
            unknown = _fields(text) - MESSAGES[key] - {"sapaan", "sapa"}
            assert not unknown, f"{lang}: {key} uses {unknown}"


def test_texts_use_the_placeholders_they_are_given() -> None:
    # Indonesian is the reference: a value passed but never shown is probably a mistake.
    for key, text in _flat("id").items():
        assert MESSAGES[key] <= _fields(text), key


def test_eligibility_texts_load_with_the_rest_of_the_bot_texts() -> None:
    catalog = Catalog.load_shipped()
    assert catalog.has("elig.verdict.funded", "en")
    assert catalog.has("menu.greeting", "id")


def test_texts_use_only_section_names_of_their_own() -> None:
    for lang in LANGUAGES:
        data = yaml.safe_load((LOCALES / f"{lang}.eligibility.yaml").read_text(encoding="utf-8"))
        assert set(data) == {"elig", "info", "faq"}


# ---------------------------------------------------------------- topics


def test_every_topic_reads_with_its_numbers_filled_in_from_the_rules() -> None:
    catalog = Catalog.load_shipped()
    for lang in LANGUAGES:
        params = {**topic_params(RULES, PROGRAMS, lang), **ADDRESS}
        for topic in load_topics():
            text = topic_message(topic, catalog, lang, params)
            assert "{" not in text and "}" not in text, topic.id


def test_topic_placeholders_are_exactly_what_the_rules_give() -> None:
    assert set(topic_params(RULES, PROGRAMS, "id")) | {"sapaan", "sapa"} == TOPIC_PARAMS


def test_benefit_amounts_come_from_the_rules() -> None:
    params = topic_params(RULES, PROGRAMS, "id")
    assert params["jkm_total"] == format_money(RULES.benefits.jkm.total.value) == "Rp42.000.000"
    assert params["minimum"] == "Rp16.800"
    assert params["minimum_with_jht"] == "Rp36.800"
    assert params["minimum_discounted"] == "Rp8.400"
    assert params["discount_transport_start"] == "1 Januari 2026"
    assert params["discount_other_end"] == "31 Desember 2026"
    assert params["programs"] == (
        "Kabupaten Serang, Kota Pekalongan, Kota Serang dan Kota Tangerang"
    )
    assert topic_params(RULES, PROGRAMS, "en")["discount_transport_end"] == "31 March 2027"


def test_no_rupiah_amount_or_rate_is_typed_into_the_topics() -> None:
    raw = (CONTENT / "topics.yaml").read_text(encoding="utf-8")
    assert not re.search(r"Rp\s?\d", raw)
    assert not re.search(r"\b\d+\s?%", raw)


def test_topic_bodies_fit_on_a_phone_screen() -> None:
    for topic in load_topics():
        for lang in LANGUAGES:
            assert len(topic.body(lang).splitlines()) <= 6, (topic.id, lang)
            assert len(topic.title(lang)) <= 45, (topic.id, lang)


def test_the_required_topics_are_there_with_a_source() -> None:
    ids = {topic.id for topic in load_topics()}
    required = {"jkk", "jkm", "benefits", "scholarship", "claim", "documents", "costs"}
    assert required | {"who_pays", "inactive", "privacy"} <= ids
    assert all(topic.source for topic in load_topics())


def test_official_names_are_given_in_brackets_the_first_time() -> None:
    topics = {topic.id: topic for topic in load_topics()}
    assert "(Jaminan Kecelakaan Kerja, JKK)" in topics["jkk"].body("id")
    assert "(Jaminan Kematian, JKM)" in topics["jkm"].body("id")


# ---------------------------------------------------------------- FAQ content


def test_faq_has_at_least_40_questions_with_several_phrasings() -> None:
    entries = load_faq()
    assert len(entries) >= 40
    assert all(len(entry.phrasings_id) >= 3 for entry in entries)
    topics = {topic.id for topic in load_topics()}
    assert {entry.topic for entry in entries} == topics


def test_faq_phrasings_are_written_the_way_workers_type() -> None:
    words = {
        word
        for entry in load_faq()
        for text in entry.phrasings_id
        for word in re.findall(r"[a-z]+", text.lower())
    }
    for slang in ("klo", "gmn", "brp", "gk", "ga", "ojol", "narik", "tk", "jkk", "yg", "sy"):
        assert slang in words, slang
    for word in ("santunan", "meninggal", "klaim", "iuran"):
        assert word in words, word


def test_vocabulary_maps_english_and_slang_to_indonesian_words() -> None:
    vocabulary = load_vocabulary()
    assert vocabulary.synonyms["accident"] == "kecelakaan"
    assert vocabulary.synonyms["ahli waris"] == "waris"
    assert vocabulary.weights["klaim"] > 1 > vocabulary.weights["ojek"]


# ---------------------------------------------------------------- wrong content files

TOPIC = """
topics:
  - id: jkk
    title: {id: JKK, en: JKK}
    body: {id: Isi, en: Body}
    source: PP 44/2015
"""


def test_wrong_topics_file_names_file_field_and_problem() -> None:
    cases = {
        TOPIC.replace("en: Body", "xx: Body"): "topics[0].body.xx: unknown field",
        TOPIC.replace(", en: Body", ""): "topics[0].body.en: missing language",
        TOPIC.replace("id: Isi", "id: ' '"): "topics[0].body.id: must not be empty",
        TOPIC.replace("id: Isi", "id: 'Rp {amount}'"): "unknown placeholder(s) ['amount']",
        TOPIC.replace("    source: PP 44/2015\n", ""): "topics[0].source: required field",
        TOPIC + TOPIC.replace("topics:\n", ""): "topics[1].id: 'jkk' is used twice",
        "topics: [": "(file): not valid YAML",
        "topics: []": "topics: must not be empty",
    }
    for text, problem in cases.items():
        with pytest.raises(FlowDefinitionError) as error:
            parse_topics(text, "content/topics.yaml")
        assert str(error.value).startswith("content/topics.yaml: "), str(error.value)
        assert problem in str(error.value)


FAQ = """
entries:
  - name: a
    topic: jkk
    phrasings: {id: [klo celaka], en: [accident]}
"""


def test_wrong_faq_file_names_file_field_and_problem() -> None:
    topics = parse_topics(TOPIC)
    cases = {
        FAQ.replace("topic: jkk", "topic: jkx"): "entries[0].topic: unknown topic id 'jkx'",
        FAQ.replace(", en: [accident]", ""): "entries[0].phrasings.en: missing language",
        FAQ.replace("[accident]", "[]"): "entries[0].phrasings.en: must be a non-empty list",
        FAQ.replace("[accident]", "['  ']"): "entries[0].phrasings.en[0]: must not be empty",
        FAQ + FAQ.replace("entries:\n", ""): "entries[1].name: 'a' is used twice",
    }
    for text, problem in cases.items():
        with pytest.raises(FlowDefinitionError) as error:
            parse_faq(text, topics, "content/faq.yaml")
        assert str(error.value).startswith("content/faq.yaml: ")
        assert problem in str(error.value)


def test_wrong_vocabulary_file_names_field_and_problem() -> None:
    cases = {
        "synonyms:\n  klaim: [claim]\n  iuran: [claim]\n": (
            "synonyms.iuran[0]: 'claim' already stands for 'klaim'"
        ),
        "synonyms:\n  klaim: []\n": "synonyms.klaim: must be a non-empty list",
        "synonyms:\n  klaim: [claim]\nweights:\n  klaim: -1\n": "weights.klaim: must be a number",
        "synonyms:\n  klaim: [claim]\nweights:\n  claim: 2\n": "weigh the canonical word 'klaim'",
        "synonyms:\n  klaim: [claim]\nextra: 1\n": "(file).extra: unknown field",
    }
    for text, problem in cases.items():
        with pytest.raises(FlowDefinitionError) as error:
            parse_vocabulary(text, "content/vocabulary.yaml")
        assert str(error.value).startswith("content/vocabulary.yaml: ")
        assert problem in str(error.value)


def test_content_files_can_be_loaded_from_elsewhere(tmp_path: Path) -> None:
    (tmp_path / "topics.yaml").write_text(TOPIC, encoding="utf-8")
    (tmp_path / "faq.yaml").write_text(FAQ, encoding="utf-8")
    topics = load_topics(tmp_path / "topics.yaml")
    assert [entry.name for entry in load_faq(tmp_path / "faq.yaml", topics)] == ["a"]
    with pytest.raises(FlowDefinitionError, match="cannot be read"):
        load_topics(tmp_path / "missing.yaml")
