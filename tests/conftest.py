"""Settings for every test."""

import os

# PTB 22 warns on every RetryAfter unless told to use timedeltas; tests treat warnings as errors.
os.environ.setdefault("PTB_TIMEDELTA", "1")
