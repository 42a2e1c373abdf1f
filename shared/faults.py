"""Crash points for fault-injection tests: inert unless SELVHJELP_CRASH_AT names one.

`SELVHJELP_CRASH_AT=consumer.after_commit:3` makes the process die (os._exit, no cleanup, like SIGKILL)
the third time it passes that point. Tests start a service process with it to prove that a crash between
any two steps loses nothing and duplicates nothing.
"""

from __future__ import annotations

import os
import sys
from collections import Counter

_SPEC = os.environ.get("SELVHJELP_CRASH_AT", "")
_POINT, _, _NTH = _SPEC.partition(":")
_hits: Counter[str] = Counter()


def crash_point(name: str) -> None:
    if not _POINT or name != _POINT:
        return
    _hits[name] += 1
    if _hits[name] >= int(_NTH or 1):
        print(f"crash point {name} reached: exiting", file=sys.stderr, flush=True)
        os._exit(137)
