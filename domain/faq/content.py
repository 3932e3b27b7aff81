"""FAQ content: topics, phrasings and vocabulary, read from ``domain/content/`` and checked.

``content/topics.yaml`` holds titles and short bodies in Indonesian and English (numbers as
``{placeholders}`` filled from the rules, see :mod:`domain.faq.topics`), ``content/faq.yaml``
how workers phrase questions, each pointing at a topic, and ``content/vocabulary.yaml``
synonyms across slang and languages and word weights. A problem raises
:class:`FlowDefinitionError` naming the file, the field and the problem.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from domain.errors import FlowDefinitionError
from domain.faq.text import normalise
from domain.i18n import LANGUAGES

# Catalogue keys of the info and question screens and the placeholders each receives, besides
# the address (`sapaan`, `sapa`). `question` and `answer` are escaped by the caller.
MESSAGE_PARAMS: Mapping[str, frozenset[str]] = {
    "info.menu": frozenset(),
    "info.topic": frozenset({"title", "body"}),
    "info.more": frozenset(),
    "info.button.topics": frozenset(),
    "info.button.ask": frozenset(),
    "info.button.talk": frozenset(),
    "faq.ask": frozenset(),
    "faq.answer_footer": frozenset(),
    "faq.did_you_mean": frozenset(),
    "faq.none": frozenset(),
    "faq.ask_official": frozenset(),
    "faq.sent": frozenset({"reference"}),
    "faq.reply": frozenset({"question", "answer"}),
    "faq.button.none_of_these": frozenset(),
    "faq.button.send": frozenset(),
    "faq.button.rephrase": frozenset(),
    "faq.button.no_thanks": frozenset(),
}

TOPIC_PARAMS: frozenset[str] = frozenset(
    {
        "sapaan",
        "sapa",
        "age_limit",
        "max_occupations",
        "income_floor",
        "inactive_months",
        "jkk_rate",
        "jkm",
        "jht_rate",
        "minimum",
        "minimum_with_jht",
        "minimum_discounted",
        "discount_rate",
        "discount_transport_start",
        "discount_transport_end",
        "discount_other_start",
        "discount_other_end",
        "jkm_total",
        "death_benefit",
        "periodic_benefit",
        "funeral",
        "jkm_min_months",
        "scholarship_children",
        "scholarship_total",
        "scholarship_years",
        "income_full_months",
        "income_full_percent",
        "income_after_percent",
        "disability_multiple",
        "work_death_multiple",
        "claim_lapse_years",
        "programs",
    }
)
"""Placeholders a topic body may use: the address and :func:`topic_params`."""

_CONTENT = "domain/content"


@dataclass(frozen=True)
class Topic:
    """One browsable piece of program information, in Indonesian and English."""

    id: str
    title_id: str
    title_en: str
    body_id: str
    body_en: str
    source: str

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_id

    def body(self, lang: str) -> str:
        """The body with its placeholders still in it (see :func:`topic_message`)."""
        return self.body_en if lang == "en" else self.body_id


@dataclass(frozen=True)
class FaqEntry:
    """One question, as workers phrase it, and the topic that answers it."""

    name: str
    topic: str
    phrasings_id: tuple[str, ...]
    phrasings_en: tuple[str, ...]

    def phrasings(self, lang: str) -> tuple[str, ...]:
        return self.phrasings_en if lang == "en" else self.phrasings_id


def _text(value: object, where: str, name: str) -> str:
    if not isinstance(value, str):
        raise FlowDefinitionError(f"{name}: {where}: must be text, got {value!r}")
    if not value.strip():
        raise FlowDefinitionError(f"{name}: {where}: must not be empty")
    return value.strip()


def _mapping(value: object, where: str, name: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise FlowDefinitionError(f"{name}: {where}: must be a mapping of fields")
    return value


def _only(fields: Mapping[str, Any], allowed: Iterable[str], where: str, name: str) -> None:
    for key in fields:
        if key not in allowed:
            raise FlowDefinitionError(f"{name}: {where}.{key}: unknown field")


def _by_language(value: object, where: str, name: str) -> dict[str, Any]:
    languages = _mapping(value, where, name)
    _only(languages, LANGUAGES, where, name)
    for lang in LANGUAGES:
        if lang not in languages:
            raise FlowDefinitionError(f"{name}: {where}.{lang}: missing language")
    return dict(languages)


def _placeholders(text: str, where: str, name: str) -> set[str]:
    try:
        return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    except ValueError as exc:
        raise FlowDefinitionError(f"{name}: {where}: broken placeholder: {exc}") from None


def _read_yaml(text: str, name: str, section: str) -> list[Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" on line {mark.line + 1}" if mark is not None else ""
        raise FlowDefinitionError(f"{name}: (file): not valid YAML{line}") from None
    if not isinstance(data, Mapping) or not isinstance(data.get(section), list):
        raise FlowDefinitionError(f"{name}: {section}: must be a list")
    if not data[section]:
        raise FlowDefinitionError(f"{name}: {section}: must not be empty")
    return list(data[section])


def parse_topics(text: str, name: str = f"{_CONTENT}/topics.yaml") -> tuple[Topic, ...]:
    """Topics from the YAML `text`; FlowDefinitionError names `name`, the field and problem."""
    topics: list[Topic] = []
    seen: set[str] = set()
    for i, raw in enumerate(_read_yaml(text, name, "topics")):
        where = f"topics[{i}]"
        row = _mapping(raw, where, name)
        _only(row, ("id", "title", "body", "source"), where, name)
        for required in ("id", "title", "body", "source"):
            if required not in row:
                raise FlowDefinitionError(f"{name}: {where}.{required}: required field is missing")
        topic_id = _text(row["id"], f"{where}.id", name)
        if not re.fullmatch(r"[a-z][a-z0-9_]*", topic_id):
            raise FlowDefinitionError(
                f"{name}: {where}.id: {topic_id!r} must be lowercase letters, digits and _"
            )
        if topic_id in seen:
            raise FlowDefinitionError(f"{name}: {where}.id: {topic_id!r} is used twice")
        seen.add(topic_id)
        titles = _by_language(row["title"], f"{where}.title", name)
        bodies = _by_language(row["body"], f"{where}.body", name)
        texts: dict[str, str] = {}
        for part, values in (("title", titles), ("body", bodies)):
            for lang in LANGUAGES:
                field_name = f"{where}.{part}.{lang}"
                texts[f"{part}_{lang}"] = _text(values[lang], field_name, name)
                allowed = TOPIC_PARAMS if part == "body" else frozenset()
                unknown = _placeholders(texts[f"{part}_{lang}"], field_name, name) - allowed
                if unknown:
                    hint = "titles take none" if part == "title" else "see TOPIC_PARAMS in faq.py"
                    raise FlowDefinitionError(
                        f"{name}: {field_name}: unknown placeholder(s) {sorted(unknown)} ({hint})"
                    )
        topics.append(
            Topic(
                id=topic_id,
                title_id=texts["title_id"],
                title_en=texts["title_en"],
                body_id=texts["body_id"],
                body_en=texts["body_en"],
                source=_text(row["source"], f"{where}.source", name),
            )
        )
    return tuple(topics)


def parse_faq(
    text: str, topics: Sequence[Topic], name: str = f"{_CONTENT}/faq.yaml"
) -> tuple[FaqEntry, ...]:
    """FAQ entries from the YAML `text`, each pointing at one of `topics`."""
    known = {topic.id for topic in topics}
    entries: list[FaqEntry] = []
    seen: set[str] = set()
    for i, raw in enumerate(_read_yaml(text, name, "entries")):
        where = f"entries[{i}]"
        row = _mapping(raw, where, name)
        _only(row, ("name", "topic", "phrasings"), where, name)
        for required in ("name", "topic", "phrasings"):
            if required not in row:
                raise FlowDefinitionError(f"{name}: {where}.{required}: required field is missing")
        entry_name = _text(row["name"], f"{where}.name", name)
        if entry_name in seen:
            raise FlowDefinitionError(f"{name}: {where}.name: {entry_name!r} is used twice")
        seen.add(entry_name)
        topic = _text(row["topic"], f"{where}.topic", name)
        if topic not in known:
            raise FlowDefinitionError(
                f"{name}: {where}.topic: unknown topic id {topic!r}; ids are in topics.yaml"
            )
        by_lang = _by_language(row["phrasings"], f"{where}.phrasings", name)
        phrasings: dict[str, tuple[str, ...]] = {}
        for lang in LANGUAGES:
            field_name = f"{where}.phrasings.{lang}"
            values = by_lang[lang]
            if not isinstance(values, list) or not values:
                raise FlowDefinitionError(f"{name}: {field_name}: must be a non-empty list")
            phrasings[lang] = tuple(
                _text(value, f"{field_name}[{j}]", name) for j, value in enumerate(values)
            )
        entries.append(FaqEntry(entry_name, topic, phrasings["id"], phrasings["en"]))
    return tuple(entries)


@dataclass(frozen=True)
class Vocabulary:
    """The matcher's synonyms (variant -> canonical word) and word weights (default 1)."""

    synonyms: Mapping[str, str]
    weights: Mapping[str, float]


def _synonyms(entries: Mapping[Any, Any], name: str) -> dict[str, str]:
    """``variant -> canonical word`` from ``synonyms:``; a variant stands for one word only."""
    synonyms: dict[str, str] = {}
    for canonical, variants in entries.items():
        where = f"synonyms.{canonical}"
        word = normalise(_text(canonical, where, name))
        if " " in word:
            raise FlowDefinitionError(f"{name}: {where}: the canonical word must be one word")
        if not isinstance(variants, list) or not variants:
            raise FlowDefinitionError(f"{name}: {where}: must be a non-empty list")
        for j, variant in enumerate(variants):
            phrase = normalise(_text(variant, f"{where}[{j}]", name))
            if synonyms.get(phrase, word) != word:
                raise FlowDefinitionError(
                    f"{name}: {where}[{j}]: {variant!r} already stands for {synonyms[phrase]!r}"
                )
            if phrase != word:
                synonyms[phrase] = word
    return synonyms


def _weights(entries: object, synonyms: Mapping[str, str], name: str) -> dict[str, float]:
    """Word weights from ``weights:``, each above 0 and given for a canonical word."""
    weights: dict[str, float] = {}
    for word, weight in _mapping(entries, "weights", name).items():
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
            raise FlowDefinitionError(
                f"{name}: weights.{word}: must be a number above 0, got {weight!r}"
            )
        if normalise(str(word)) in synonyms:
            raise FlowDefinitionError(
                f"{name}: weights.{word}: weigh the canonical word "
                f"{synonyms[normalise(str(word))]!r} instead"
            )
        weights[normalise(str(word))] = float(weight)
    return weights


def parse_vocabulary(text: str, name: str = f"{_CONTENT}/vocabulary.yaml") -> Vocabulary:
    """Synonyms and weights from the YAML `text`; problems name `name`, the field and why."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        raise FlowDefinitionError(f"{name}: (file): not valid YAML") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("synonyms"), Mapping):
        raise FlowDefinitionError(f"{name}: synonyms: must be a mapping of word: [variants]")
    _only(data, ("synonyms", "weights"), "(file)", name)
    synonyms = _synonyms(data["synonyms"], name)
    return Vocabulary(synonyms, _weights(data.get("weights", {}), synonyms, name))


def _read(path: Path | None, file_name: str) -> tuple[str, str]:
    if path is None:
        resource = resources.files("domain") / "content" / file_name
        return resource.read_text(encoding="utf-8"), f"{_CONTENT}/{file_name}"
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except OSError as exc:
        raise FlowDefinitionError(f"{path}: (file): cannot be read: {exc.strerror}") from None


@cache
def _shipped_topics() -> tuple[Topic, ...]:
    return parse_topics(*_read(None, "topics.yaml"))


@cache
def _shipped_faq() -> tuple[FaqEntry, ...]:
    text, name = _read(None, "faq.yaml")
    return parse_faq(text, _shipped_topics(), name)


@cache
def _shipped_vocabulary() -> Vocabulary:
    return parse_vocabulary(*_read(None, "vocabulary.yaml"))


def load_vocabulary(path: Path | None = None) -> Vocabulary:
    """The shipped synonyms and weights (cached), or those of another file."""
    if path is None:
        return _shipped_vocabulary()
    return parse_vocabulary(*_read(path, "vocabulary.yaml"))


def load_topics(path: Path | None = None) -> tuple[Topic, ...]:
    """The shipped topics (read once and cached), or those of another file."""
    if path is None:
        return _shipped_topics()
    text, name = _read(path, "topics.yaml")
    return parse_topics(text, name)


def load_faq(
    path: Path | None = None, topics: Sequence[Topic] | None = None
) -> tuple[FaqEntry, ...]:
    """The shipped FAQ entries (cached), or those of another file checked against `topics`."""
    if path is None and topics is None:
        return _shipped_faq()
    text, name = _read(path, "faq.yaml")
    return parse_faq(text, _shipped_topics() if topics is None else topics, name)
