"""Free-text questions matched to topics.

:class:`FaqIndex` matches informal questions ("klo kecelakaan pas narik gmn klaimnya?") to
topics: it normalises the text (case, punctuation, slang and abbreviations, Indonesian
affixes, synonyms), then combines a weighted word overlap with rapidfuzz similarity.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from rapidfuzz import fuzz, process

from domain.faq.content import FaqEntry, Topic, Vocabulary, load_faq, load_topics, load_vocabulary
from domain.faq.text import normalise
from domain.i18n import LANGUAGES

AnswerKind = Literal["confident", "unsure", "none"]

CONFIDENT_SCORE = 55.0
"""A best score at least this high (and clear of the second by the margin) is an answer."""
CONFIDENT_MARGIN = 10.0
UNSURE_SCORE = 38.0
"""Below this nothing fits: offer to ask an official."""
MAX_QUESTION = 1000
"""Characters of a question that are matched (as many as are kept and sent to an official):
the cost of matching grows with the text, and a question is said in its first lines."""
_CANDIDATE_SPREAD = 15.0
"""An "unsure" answer offers the topics within this many points of the best (2 to 3)."""


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
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


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
        words = self._thesaurus.content(text[:MAX_QUESTION])
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
