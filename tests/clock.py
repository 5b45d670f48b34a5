"""One moment for the tests whose outcome depends on the time of day.

A test that reads "now" more than once can see the minute, the day or "yesterday" change
between two reads (a run just before midnight, a slow machine). Mark it, or its module, with
``frozen`` and every clock read (``timezone.now()``, ``localdate()``, ``time.time()``)
starts from ``NOW``, an ordinary Tuesday afternoon in Paris, and runs on from there;
``frozen_still`` stops the clock entirely, for code that rounds "now" to the minute.
Only this process's clock: the browser tests' server keeps the real one.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=ZoneInfo("Europe/Paris"))
TODAY = NOW.date()

frozen = pytest.mark.time_machine(NOW, tick=True)
frozen_still = pytest.mark.time_machine(NOW, tick=False)
