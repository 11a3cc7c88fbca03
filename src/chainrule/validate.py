"""One home for checking option values: whole numbers and finite numbers in range, choices, size lists.

The CLI (every command) and the library (:class:`chainrule.config.TrainConfig`)
call the same functions, so a bad value gets the same paragraph either way:
``Invalid value nan for --step-size: ...``, raised as
:class:`chainrule.errors.ChainruleError` (a ``ValueError``, exit code 2) with
``option`` set for the JSON error.
"""

from __future__ import annotations

import math
import numbers
from typing import Iterable, Optional, Sequence

from chainrule.errors import BadType, bad_option

SEED_MAX = 2**32 - 1  # numpy's legacy np.random.seed accepts 0 .. 2**32 - 1


def whole(option: str, value: object, lo: int, hi: Optional[int] = None, example: str = "") -> int:
    """``value`` as an int in ``lo..hi`` (inclusive); bools, fractions and text are refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value) \
                and float(value).is_integer():
            value = int(value)  # 400.0 from a config file: accepted as 400
        else:
            raise _wrong_type(option, value, "a whole number", example)
    value = int(value)
    if value < lo or (hi is not None and value > hi):
        raise bad_option(option, value, _range_words(lo, hi, "whole number") + _eg(example))
    return value


def real(option: str, value: object, lo: float, hi: Optional[float] = None, *, lo_open: bool = False,
         example: str = "") -> float:
    """``value`` as a finite float with ``lo <= value`` (``lo < value`` if ``lo_open``) and ``value <= hi``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _wrong_type(option, value, "a number", example)
    value = float(value)
    if not math.isfinite(value):
        raise bad_option(option, value, "give a finite number" + _bounds(lo, hi, lo_open) + "." + _eg(example))
    if value < lo or (lo_open and value == lo) or (hi is not None and value > hi):
        raise bad_option(option, value, "give a number" + _bounds(lo, hi, lo_open) + "." + _eg(example))
    return value


def seed(option: str, value: object) -> int:
    """A numpy seed, 0 .. 2**32 - 1 (what ``np.random.seed`` accepts)."""
    return whole(option, value, 0, SEED_MAX, example="0 or 42")


def choice(option: str, value: object, allowed: Sequence[str], aliases: Optional[dict] = None) -> str:
    """``value`` (an Enum member or text, any case, ``-`` for ``_``) as one of ``allowed``."""
    text = getattr(value, "value", value)
    if not isinstance(text, str):
        raise _wrong_type(option, value, "one of " + ", ".join(allowed), "")
    key = text.strip().lower().replace("-", "_")
    key = (aliases or {}).get(key, key)
    if key not in allowed:
        import difflib

        close = difflib.get_close_matches(key, list(allowed), n=1)
        hint = f" Did you mean {close[0]}?" if close else ""
        raise bad_option(option, text, "choose one of " + ", ".join(allowed) + "." + hint)
    return key


def sizes(option: str, value: object, hi: Optional[int] = None) -> tuple[int, ...]:
    """Layer sizes: ``"1000"``, ``"64,64"``, ``64`` or ``(64, 64)`` → a tuple of ints, each at least 1."""
    example = "1000 or 64,64"
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",")]
        if not value.strip() or any(not p for p in parts):
            raise bad_option(option, value, "give whole numbers separated by single commas, with no empty "
                             f"place between them, for example {example}.")
        try:
            items: Iterable[object] = [int(p) for p in parts]
        except ValueError:
            raise bad_option(option, value, f"give whole numbers separated by commas, for example {example}.") from None
    elif isinstance(value, numbers.Integral) and not isinstance(value, bool):
        items = [value]
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        raise _wrong_type(option, value, "a whole number or a list of them", example)
    out = tuple(whole(option, v, 1, hi, example=example) for v in items)
    if not out:
        raise bad_option(option, value, f"give at least one hidden layer size, for example {example}.")
    return out


def _wrong_type(option: str, value: object, wanted: str, example: str) -> BadType:
    return BadType(f"Invalid value {value!r} for {option}: it is {type(value).__name__}, but it must be "
                   f"{wanted}.{_eg(example)}", option=option)


def _range_words(lo: int, hi: Optional[int], kind: str) -> str:
    if hi is None:
        return f"give a {kind} of at least {lo}."
    return f"give a {kind} from {lo} to {hi}."


def _bounds(lo: float, hi: Optional[float], lo_open: bool) -> str:
    low = " that is positive (greater than 0)" if lo_open and lo == 0 else \
        f" greater than {lo:g}" if lo_open else f" of at least {lo:g}"
    return low + (f" and at most {hi:g}" if hi is not None else "")


def _eg(example: str) -> str:
    if not example:
        return ""
    return f" For example {example}."
