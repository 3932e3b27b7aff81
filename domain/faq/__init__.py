"""Program information as topics, and free-text questions matched to them.

Three parts: :mod:`~domain.faq.content` (the YAML content, checked when loaded),
:mod:`~domain.faq.topics` (a topic rendered with the numbers of the rules) and
:mod:`~domain.faq.index` (matching informal questions to topics).
"""

from domain.faq.content import (
    MESSAGE_PARAMS,
    TOPIC_PARAMS,
    FaqEntry,
    Topic,
    Vocabulary,
    load_faq,
    load_topics,
    load_vocabulary,
    parse_faq,
    parse_topics,
    parse_vocabulary,
)
from domain.faq.index import (
    CONFIDENT_MARGIN,
    CONFIDENT_SCORE,
    MAX_QUESTION,
    UNSURE_SCORE,
    FaqAnswer,
    FaqIndex,
)
from domain.faq.text import normalise
from domain.faq.topics import topic_message, topic_params

__all__ = [
    "CONFIDENT_MARGIN",
    "CONFIDENT_SCORE",
    "MAX_QUESTION",
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
