"""Program information as topics, and free-text questions matched to them.

Content is data: ``content/topics.yaml`` (titles and short bodies in Indonesian and English,
numbers as ``{placeholders}`` filled from the rules), ``content/faq.yaml`` (how workers
phrase questions, each pointing at a topic) and ``content/vocabulary.yaml`` (synonyms across
slang and languages, word weights). All are checked when loaded; a problem raises
:class:`FlowDefinitionError` naming the file, the field and the problem.

:class:`FaqIndex` matches informal questions ("klo kecelakaan pas narik gmn klaimnya?") to
topics: it normalises the text (case, punctuation, slang and abbreviations, Indonesian
affixes, synonyms), then combines a weighted word overlap with rapidfuzz similarity.
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from rapidfuzz import fuzz, process

from conversations.contributions import monthly_contribution
from conversations.errors import FlowDefinitionError
from conversations.i18n import LANGUAGES, Catalog, format_day, format_money
from conversations.programs import ProgramSet
from conversations.rules import Rules

__all__ = [
    "CONFIDENT_MARGIN",
    "CONFIDENT_SCORE",
    "MESSAGE_PARAMS",
    "TOPIC_PARAMS",
    "UNSURE_SCORE",
    "FaqAnswer",
    "FaqEntry",
    "FaqIndex",
    "Topic",
    "Vocabulary",
    "load_faq",
    "load_topics",
    "load_vocabulary",
    "normalise",
    "parse_faq",
    "parse_topics",
    "parse_vocabulary",
    "topic_message",
    "topic_params",
]

AnswerKind = Literal["confident", "unsure", "none"]

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

CONFIDENT_SCORE = 55.0
"""A best score at least this high (and clear of the second by the margin) is an answer."""
CONFIDENT_MARGIN = 10.0
UNSURE_SCORE = 38.0
"""Below this nothing fits: offer to ask an official."""
_CANDIDATE_SPREAD = 15.0
"""An "unsure" answer offers the topics within this many points of the best (2 to 3)."""

_CONTENT = "conversations/content"


# ---------------------------------------------------------------------------- content


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


def parse_vocabulary(text: str, name: str = f"{_CONTENT}/vocabulary.yaml") -> Vocabulary:
    """Synonyms and weights from the YAML `text`; problems name `name`, the field and why."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        raise FlowDefinitionError(f"{name}: (file): not valid YAML") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("synonyms"), Mapping):
        raise FlowDefinitionError(f"{name}: synonyms: must be a mapping of word: [variants]")
    _only(data, ("synonyms", "weights"), "(file)", name)
    synonyms: dict[str, str] = {}
    for canonical, variants in data["synonyms"].items():
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
    weights: dict[str, float] = {}
    for word, weight in _mapping(data.get("weights", {}), "weights", name).items():
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
    return Vocabulary(synonyms, weights)


def _read(path: Path | None, file_name: str) -> tuple[str, str]:
    if path is None:
        resource = resources.files("conversations") / "content" / file_name
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


# ---------------------------------------------------------------------------- rendering


def _percent(value: object) -> str:
    return f"{value}%"


def _join(names: Sequence[str], lang: str) -> str:
    if len(names) <= 1:
        return "".join(names)
    word = " and " if lang == "en" else " dan "
    return ", ".join(names[:-1]) + word + names[-1]


def topic_params(rules: Rules, programs: ProgramSet, lang: str) -> dict[str, str]:
    """The values of every topic placeholder except the address, from rules and programs."""
    p, c, b, d = rules.participant, rules.contributions, rules.benefits, rules.discount
    floor = p.income_floor.value
    windows = {"transport": d.window_for("transport"), "other": d.window_for("other")}
    other = windows["other"]
    discounted = c.minimum_jkk_jkm.value
    if other is not None:  # the lowest contribution on the first day of the discount
        discounted = monthly_contribution(floor, other.start, "other", "self", False, rules).total
    params = {
        "age_limit": str(p.age_limit.value),
        "max_occupations": str(p.max_occupations.value),
        "income_floor": format_money(floor),
        "inactive_months": str(p.inactive_after_unpaid_months.value),
        "jkk_rate": _percent(c.jkk_rate.value),
        "jkm": format_money(c.jkm.value),
        "jht_rate": _percent(c.jht_rate.value),
        "minimum": format_money(c.minimum_jkk_jkm.value),
        "minimum_with_jht": format_money(c.minimum_with_jht.value),
        "minimum_discounted": format_money(discounted),
        "discount_rate": _percent(d.rate.value),
        "jkm_total": format_money(b.jkm.total.value),
        "death_benefit": format_money(b.jkm.death_benefit.value),
        "periodic_benefit": format_money(b.jkm.periodic_benefit.value),
        "funeral": format_money(b.jkm.funeral.value),
        "jkm_min_months": str(b.jkm.min_paid_months.value),
        "scholarship_children": str(b.scholarship.max_children.value),
        "scholarship_total": format_money(b.scholarship.max_total.value),
        "scholarship_years": str(b.scholarship.min_contribution_years.value),
        "income_full_months": str(b.jkk.income_replacement_full_months.value),
        "income_full_percent": _percent(b.jkk.income_replacement_full_percent.value),
        "income_after_percent": _percent(b.jkk.income_replacement_after_percent.value),
        "disability_multiple": str(b.jkk.total_disability_multiple.value),
        "work_death_multiple": str(b.jkk.work_death_multiple.value),
        "claim_lapse_years": str(b.claim_lapse_years.value),
        "programs": _join([program.short_name for program in programs], lang),
    }
    for sector, window in windows.items():
        start = format_day(window.start, lang) if window else "-"
        end = format_day(window.end, lang) if window else "-"
        params[f"discount_{sector}_start"], params[f"discount_{sector}_end"] = start, end
    return params


def topic_message(topic: Topic, catalog: Catalog, lang: str, params: Mapping[str, str]) -> str:
    """The topic as a message (``info.topic``): bold title, then the body filled in.

    `params` are :func:`topic_params` plus the address (`sapaan`, `sapa`).
    """
    body = topic.body(lang).format_map(params)
    return catalog.text(lang, "info.topic", title=topic.title(lang), body=body)


# ---------------------------------------------------------------------------- matching

# Informal spellings and abbreviations -> the words the phrasings use.
_EXPAND: Mapping[str, str] = {
    **dict.fromkeys(["klo", "kalo", "klu", "kl", "klw", "kalau"], "kalau"),
    **dict.fromkeys(["gmn", "gimana", "gmna", "gimna", "bgmn", "bagaimana"], "bagaimana"),
    **dict.fromkeys(["brp", "brapa", "berapaan", "brpa"], "berapa"),
    **dict.fromkeys(
        ["gk", "ga", "gak", "nggak", "ngga", "engga", "enggak", "ndak", "tdk", "kagak", "g"],
        "tidak",
    ),
    **dict.fromkeys(["sy", "aku", "gue", "gw", "gua", "aq", "ane", "saya"], "saya"),
    **dict.fromkeys(["krn", "karna", "krna", "gara"], "karena"),
    **dict.fromkeys(["dpt", "dapet", "dapat"], "dapat"),
    **dict.fromkeys(["udh", "udah", "sdh", "dah", "sudah"], "sudah"),
    **dict.fromkeys(["blm", "blom", "belom"], "belum"),
    **dict.fromkeys(
        ["ninggal", "wafat", "tewas", "meninggoy", "mninggal", "menninggal"], "meninggal"
    ),
    **dict.fromkeys(["duit", "doku", "fulus"], "uang"),
    **dict.fromkeys(["utk", "untk", "buat"], "untuk"),
    **dict.fromkeys(["pake", "pakai", "dipake", "dipakai"], "pakai"),
    "yg": "yang",
    "dgn": "dengan",
    "dg": "dengan",
    "dr": "dari",
    "bs": "bisa",
    "bln": "bulan",
    "thn": "tahun",
    "jg": "juga",
    "aja": "saja",
    "aj": "saja",
    "tp": "tapi",
    "skrg": "sekarang",
    "dmn": "mana",
    "dimana": "mana",
    "kmn": "mana",
    "kemana": "mana",
    "knp": "kenapa",
    "kpn": "kapan",
    "org": "orang",
    "ortu": "orang tua",
    "ojol": "ojek online",
    "ngojek": "ojek",
    "bpjstk": "bpjs ketenagakerjaan",
    "tk": "ketenagakerjaan",
    "jamsostek": "bpjs ketenagakerjaan",
    "bpjamsostek": "bpjs ketenagakerjaan",
    "rs": "rumah sakit",
    "nomer": "nomor",
    "wkt": "waktu",
    "pas": "saat",
    "sm": "sama",
    "trs": "terus",
    "liat": "lihat",
    "tau": "tahu",
    "gpp": "tidak apa apa",
    "sampe": "sampai",
    "bbrp": "beberapa",
    "pdhl": "padahal",
    "lg": "lagi",
    "msh": "masih",
    "hrs": "harus",
    "ngurus": "urus",
    "ngurusin": "urus",
    "nyairin": "cair",
    "pencairan": "cair",
    "nganter": "antar",
    "jatoh": "jatuh",
    "sakit2": "sakit",
    "u": "you",
    "ur": "your",
    "pls": "please",
    "im": "i am",
}

# Words that say nothing about the topic (both languages); removed before matching.
_STOPWORD_TEXT = """
    yang dan di ke dari saya ini itu ya yah dong sih nih deh kah lah pun kak min admin pak bu
    bang mas mbak om tolong mohon nya juga saja tapi kan kok lho loh wkwk hehe sama atau
    aja gitu begitu terus lagi masih apa apakah ada mau ingin bisa kalau tidak sudah belum
    the a an is are am i my me to of do does did for and in on it be you your this that
    please if there what can will would should how where why which get got
    mana bagaimana kenapa gimana sebenarnya emang memang bpjs ketenagakerjaan lindungi saat
    ketika sewaktu while when
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_PREFIXES = (
    "meng", "meny", "peng", "peny", "mem", "men", "pem", "pen", "per", "ber", "ter",
    "nge", "me", "di", "ke", "se", "be", "pe", "ng", "ny",
)  # fmt: skip
_SUFFIXES = ("nya", "kah", "lah", "kan", "an", "in", "ku", "mu", "i")
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
_REDUPLICATED = re.compile(r"([a-z]{3,})2\b")
_REPEATED = re.compile(r"([a-z])\1{2,}")


def normalise(text: str) -> str:
    """Lowercase, no accents or punctuation, slang and abbreviations written out."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    plain = _REDUPLICATED.sub(r"\1", plain)  # "anak2" -> "anak"
    plain = _REPEATED.sub(r"\1", plain)  # "gimanaaa" -> "gimana"
    words = _NOT_WORD.sub(" ", plain).split()
    return " ".join(_EXPAND.get(word, word) for word in words)


class _Thesaurus:
    """Replaces variants (longest phrase first) by their canonical word; weighs words."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self._phrases = {
            tuple(variant.split()): word for variant, word in vocabulary.synonyms.items()
        }
        self._longest = max((len(words) for words in self._phrases), default=1)
        self._weights = vocabulary.weights

    def weight(self, word: str) -> float:
        """The word's weight, or that of its stem; 1 when not listed."""
        if word in self._weights:
            return self._weights[word]
        return next((self._weights[s] for s in _stems(word) if s in self._weights), 1.0)

    def _word(self, word: str) -> str:
        found = self._phrases.get((word,))
        if found is not None:
            return found
        for stem in sorted(_stems(word), key=len, reverse=True):
            found = self._phrases.get((stem,))
            if found is not None:
                return found
        return word

    def content(self, text: str) -> list[str]:
        """The words of `text` that matter: normalised, synonyms replaced, no stopwords."""
        words, out, i = normalise(text).split(), [], 0
        while i < len(words):
            for size in range(min(self._longest, len(words) - i), 1, -1):
                found = self._phrases.get(tuple(words[i : i + size]))
                if found is not None:
                    out.append(found)
                    i += size
                    break
            else:
                out.append(self._word(words[i]))
                i += 1
        return [word for word in out if word not in _STOPWORDS]


@cache
def _stems(word: str) -> frozenset[str]:
    """The word and its forms without common Indonesian affixes ("klaimnya" -> "klaim")."""
    forms = {word}
    for _ in range(2):
        for form in list(forms):
            for suffix in _SUFFIXES:
                if form.endswith(suffix) and len(form) - len(suffix) >= 4:
                    forms.add(form[: -len(suffix)])
            for prefix in _PREFIXES:
                if form.startswith(prefix) and len(form) - len(prefix) >= 4:
                    forms.add(form[len(prefix) :])
    return frozenset(forms)


@dataclass(frozen=True)
class FaqAnswer:
    """What to say to a question: one topic, a choice of 2-3, or none (ask an official)."""

    kind: AnswerKind
    candidates: tuple[tuple[Topic, float], ...]
    """Best first: one for "confident", 2-3 for "unsure", none for "none"."""

    @property
    def topic(self) -> Topic | None:
        """The answer when confident."""
        return self.candidates[0][0] if self.kind == "confident" else None


@dataclass(frozen=True)
class _Phrasing:
    topic: str
    lang: str
    words: tuple[str, ...]
    """Content words (normalised, synonyms replaced, stopwords removed)."""
    stems: frozenset[str]
    weights: tuple[float, ...] = ()
    """Each word's weight (inverse topic frequency times its vocabulary weight)."""


class FaqIndex:
    """Matches free-text questions to topics, using the FAQ phrasings and the topic texts.

    A topic's score (0-100) mixes: how well the question matches its closest phrasing (a
    weighted F1 of shared words, both ways), how much of the question the topic's whole
    vocabulary covers, and rapidfuzz similarity to the closest phrasing (for typos).
    """

    PHRASE_WEIGHT = 0.4
    TOPIC_WEIGHT = 0.2
    FUZZ_WEIGHT = 0.4
    BODY_WEIGHT = 1.0
    """Weight of a word known only from a topic's body (not its title or phrasings)."""
    UNKNOWN_WORD_WEIGHT = 1.0
    """Weight of a word no topic knows, relative to the rarest known word."""
    TYPO_SCORE = 84.0
    """How close (rapidfuzz ratio) an unknown word must be to a known one to count as it."""

    def __init__(
        self,
        topics: Sequence[Topic],
        entries: Sequence[FaqEntry],
        vocabulary: Vocabulary | None = None,
    ) -> None:
        """Index `topics` and `entries`; `vocabulary` defaults to the shipped one."""
        self.topics: dict[str, Topic] = {topic.id: topic for topic in topics}
        self._thesaurus = _Thesaurus(vocabulary or load_vocabulary())
        _content = self._thesaurus.content
        texts = [(topic.id, lang, topic.title(lang)) for topic in topics for lang in LANGUAGES]
        texts += [
            (entry.topic, lang, text)
            for entry in entries
            for lang in LANGUAGES
            for text in entry.phrasings(lang)
        ]
        self._phrasings: list[_Phrasing] = []
        for topic_id, lang, text in texts:
            words = tuple(_content(text))
            stems = frozenset(stem for word in words for stem in _stems(word))
            self._phrasings.append(_Phrasing(topic_id, lang, words, stems))
        # stem -> topic -> weight (1 from a title or phrasing, BODY_WEIGHT from a body)
        self._vocab: dict[str, dict[str, float]] = {}
        for topic in topics:
            for lang in LANGUAGES:
                for word in _content(_PLACEHOLDER.sub(" ", topic.body(lang))):
                    for stem in _stems(word):
                        self._vocab.setdefault(stem, {})[topic.id] = self.BODY_WEIGHT
        for phrasing in self._phrasings:
            for stem in phrasing.stems:
                self._vocab.setdefault(stem, {})[phrasing.topic] = 1.0
        count = len(self.topics)
        self._idf = {
            stem: math.log((count + 1) / len(owners)) for stem, owners in self._vocab.items()
        }
        self._unknown = self.UNKNOWN_WORD_WEIGHT * math.log(count + 1)
        self._words = sorted(self._vocab)
        self._phrasings = [
            _Phrasing(
                p.topic, p.lang, p.words, p.stems, tuple(self._word_weight(w) for w in p.words)
            )
            for p in self._phrasings
        ]

    @classmethod
    def shipped(cls) -> FaqIndex:
        """The index of the shipped content (built once)."""
        return _shipped_index()

    def _known(self, word: str) -> tuple[frozenset[str], float]:
        """The vocabulary stems `word` stands for, and how sure (1.0, less for a typo)."""
        stems = frozenset(stem for stem in _stems(word) if stem in self._vocab)
        if stems or len(word) < 4:
            return stems, 1.0
        found = process.extractOne(
            word, self._words, scorer=fuzz.ratio, score_cutoff=self.TYPO_SCORE
        )
        if found is None:
            return frozenset(), 1.0
        return frozenset({found[0]}), found[1] / 100

    def _weight(self, stems: Iterable[str]) -> float:
        return max((self._idf.get(stem, 0.0) for stem in stems), default=0.0)

    def _word_weight(self, word: str) -> float:
        return self._weight(_stems(word)) * self._thesaurus.weight(word)

    def _phrase_scores(
        self, query: list[tuple[frozenset[str], float, float]], lang: str
    ) -> dict[str, float]:
        """Per topic, the best weighted F1 between the question and one of its phrasings."""
        asked = frozenset().union(*(stems for stems, _, _ in query))
        total = sum(weight for _, _, weight in query)
        best = dict.fromkeys(self.topics, 0.0)
        for phrasing in self._phrasings:
            found = sum(weight * sure for stems, sure, weight in query if stems & phrasing.stems)
            if not found:
                continue
            own = phrasing.weights
            hit = sum(
                w for word, w in zip(phrasing.words, own, strict=True) if _stems(word) & asked
            )
            recall, precision = found / total, hit / (sum(own) or 1.0)
            if recall + precision == 0:
                continue
            f1 = 2 * recall * precision / (recall + precision)
            score = 100 * f1 + (0.5 if phrasing.lang == lang else 0.0)
            best[phrasing.topic] = max(best[phrasing.topic], score)
        return best

    def _topic_scores(self, query: list[tuple[frozenset[str], float, float]]) -> dict[str, float]:
        """Per topic, the share of the question its whole vocabulary covers."""
        total = sum(weight for _, _, weight in query)
        covered = dict.fromkeys(self.topics, 0.0)
        for stems, sure, weight in query:
            for topic in covered:
                known = [self._vocab[stem][topic] for stem in stems if topic in self._vocab[stem]]
                if known:
                    covered[topic] += weight * sure * max(known)
        return {topic: 100 * value / total for topic, value in covered.items()}

    def _fuzzy_scores(self, text: str) -> dict[str, float]:
        best = dict.fromkeys(self.topics, 0.0)
        for phrasing in self._phrasings:
            score = fuzz.ratio(text, " ".join(phrasing.words))
            best[phrasing.topic] = max(best[phrasing.topic], score)
        return best

    def match(self, text: str, lang: str, limit: int = 5) -> list[tuple[Topic, float]]:
        """Topics for a question, best first, with scores from 0 to 100.

        Phrasings of both languages are compared (workers mix them); `lang` breaks ties.
        """
        words = self._thesaurus.content(text)
        if not words:
            return []
        query = []
        for word in words:
            stems, sure = self._known(word)
            weight = self._weight(stems) if stems else self._unknown
            query.append((stems, sure, weight * self._thesaurus.weight(word)))
        phrase = self._phrase_scores(query, lang)
        topic = self._topic_scores(query)
        fuzzy = self._fuzzy_scores(" ".join(words))
        raw = {
            topic_id: self.PHRASE_WEIGHT * phrase[topic_id]
            + self.TOPIC_WEIGHT * topic[topic_id]
            + self.FUZZ_WEIGHT * fuzzy[topic_id]
            for topic_id in self.topics
        }
        best = sorted(raw, key=lambda topic_id: -raw[topic_id])[:limit]
        return [(self.topics[t], round(min(raw[t], 100.0), 1)) for t in best]

    def answer(self, text: str, lang: str) -> FaqAnswer:
        """Decide: answer with one topic, offer 2-3 to choose from, or none."""
        ranked = self.match(text, lang)
        if not ranked or ranked[0][1] < UNSURE_SCORE:
            return FaqAnswer("none", ())
        best = ranked[0][1]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        if best >= CONFIDENT_SCORE and best - second >= CONFIDENT_MARGIN:
            return FaqAnswer("confident", (ranked[0],))
        close = [pair for pair in ranked[1:3] if pair[1] >= best - _CANDIDATE_SPREAD]
        return FaqAnswer("unsure", (ranked[0], *(close or ranked[1:2])))


@cache
def _shipped_index() -> FaqIndex:
    return FaqIndex(load_topics(), load_faq())
