"""A fake Telegram Bot API server over real HTTP, plus builders for Update JSON, for tests.

The bot under test talks to it exactly as to Telegram; see ``server.FakeTelegram``.
"""

from tests.fakebot.forms import UploadedFile
from tests.fakebot.server import FakeTelegram
from tests.fakebot.state import SENDING_METHODS, Call, Delivery
from tests.fakebot.updates import UpdateFactory

__all__ = ["SENDING_METHODS", "Call", "Delivery", "FakeTelegram", "UpdateFactory", "UploadedFile"]
