"""``--max-memory``: a clear refusal instead of the kernel's out-of-memory killer.

While the check runs (the script and the analysis), the process's data segment (its heap and
anonymous mappings, ``RLIMIT_DATA``) may grow by at most the given number of megabytes over what
it uses when the check starts; an allocation beyond that fails with ``MemoryError``, which
:func:`memory_limit` turns into one paragraph (exit code 2).  Without the option, the limit is
90 % of the memory available when the check starts.
"""

from __future__ import annotations

import contextlib
import re
from typing import Optional

from chainrule.errors import ChainruleError

try:
    import resource
except ImportError:  # pragma: no cover - not on Linux
    resource = None  # type: ignore[assignment]


def _status_kb(field: str) -> Optional[int]:
    try:
        with open("/proc/self/status") as f:
            m = re.search(rf"^{field}:\s+(\d+) kB", f.read(), re.M)
        return int(m.group(1)) if m else None
    except OSError:
        return None


def available_mb() -> Optional[float]:
    try:
        with open("/proc/meminfo") as f:
            m = re.search(r"^MemAvailable:\s+(\d+) kB", f.read(), re.M)
        return int(m.group(1)) / 1024 if m else None
    except OSError:
        return None


@contextlib.contextmanager
def memory_limit(max_mb: Optional[float], script: str = "the script"):
    """Limit the memory the check may take (see the module docstring)."""
    explicit = max_mb is not None
    if max_mb is None:
        avail = available_mb()
        max_mb = 0.9 * avail if avail else None
    data = _status_kb("VmData")
    if resource is None or max_mb is None or data is None:
        yield
        return
    old = resource.getrlimit(resource.RLIMIT_DATA)
    limit = int((data / 1024 + max_mb) * 1024 * 1024)
    if old[1] != resource.RLIM_INFINITY:
        limit = min(limit, old[1])
    resource.setrlimit(resource.RLIMIT_DATA, (limit, old[1]))
    try:
        yield
    except MemoryError:
        how = (f"--max-memory {max_mb:g}" if explicit else
               f"90 % of the memory available when it started ({max_mb:.0f} MB)")
        raise ChainruleError(
            f"{script}: the check ran out of memory: running the script and its analysis needed more than "
            f"{how}. Make the data smaller for the check (fewer examples: the gradients of a small batch are "
            f"checked just as well), or raise --max-memory (in MB).", option="--max-memory") from None
    finally:
        resource.setrlimit(resource.RLIMIT_DATA, old)
