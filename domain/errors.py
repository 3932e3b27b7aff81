"""Errors raised by the ``conversations`` package.

The hierarchy::

    ConversationError                 base of every error this package raises on purpose
    ├── InputError                    a worker's answer is not acceptable; the engine shows the
    │                                 message ``<code>`` (a catalogue key suffix such as
    │                                 ``"nik.length"``) filled with ``params`` (``got=15``) and
    │                                 asks again
    └── FlowDefinitionError           a flow or program file is wrong; the message names the
                                      file, the field and the problem (raised at load time)

Personal data never goes into an error's text: ``str(InputError(...))`` is its code only,
and ``params`` hold what the worker may be shown about their own answer (never a whole NIK).
"""

from __future__ import annotations

__all__ = ["ConversationError", "FlowDefinitionError", "InputError"]


class ConversationError(Exception):
    """Base of the errors the ``conversations`` package raises."""


class InputError(ConversationError):
    """A worker's answer is not acceptable.

    ``code`` is a message key suffix like ``"nik.length"``; ``params`` fill the message
    (for example ``got=15``).
    """

    def __init__(self, code: str, /, **params: object) -> None:
        # ``code`` is positional-only so that a param may itself be called ``code``
        # (``InputError("nik.province", code="36")``).
        super().__init__(code)
        self.code = code
        self.params = params

    def __repr__(self) -> str:
        # The params may describe a worker's answer: keep them out of logs and tracebacks.
        return f"{type(self).__name__}({self.code!r})"


class FlowDefinitionError(ConversationError):
    """A flow or program file is wrong; the message names the file, the field and the problem."""
