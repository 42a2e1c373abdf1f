"""Print the entries of a hashed lock file for the named packages (with their hashes), so an image stage
can install a few development packages, such as the local sinks' SMTP server, still checked by hash."""

from __future__ import annotations

import re
import sys
from pathlib import Path


def entries(lock_text: str, names: set[str]) -> str:
    """The requirement lines (pin and hashes) of `names` from pip-compile output."""
    picked, keep = [], False
    for line in lock_text.splitlines():
        if match := re.match(r"^([A-Za-z0-9_.-]+)==", line):
            keep = match.group(1).lower().replace("_", "-") in names
        elif not line.startswith("    --hash"):
            keep = keep and line.startswith("    ") and not line.lstrip().startswith("#")
        if keep and (match or line.startswith("    --hash")):
            picked.append(line)
    missing = names - {re.match(r"^([A-Za-z0-9_.-]+)==", p).group(1).lower() for p in picked if "==" in p}
    if missing:
        raise SystemExit(f"not in the lock file: {', '.join(sorted(missing))}")
    return "\n".join(picked).rstrip(" \\") + "\n"


if __name__ == "__main__":
    lock, *wanted = sys.argv[1:]
    sys.stdout.write(entries(Path(lock).read_text(), {n.lower() for n in wanted}))
