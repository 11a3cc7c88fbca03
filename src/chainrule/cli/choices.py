"""The fixed choices of every command's options, as Enums: ``--help`` lists them, shell completion offers them.

Built from the names the library accepts (:mod:`chainrule.config`), so the
two never drift apart; the command passes ``choice.value`` on.
"""

from __future__ import annotations

from enum import Enum

from chainrule.config import ACTIVATION_NAMES, DTYPES, ENGINES, LOSS_NAMES, OPTIMIZERS, RNG_NAMES


def _enum(name: str, values: tuple[str, ...]) -> type[Enum]:
    return Enum(name, {v: v for v in values}, type=str)  # type: ignore[return-value]


Activation = _enum("Activation", ACTIVATION_NAMES)
Loss = _enum("Loss", LOSS_NAMES)
Optimizer = _enum("Optimizer", OPTIMIZERS)
RngKind = _enum("RngKind", RNG_NAMES)
Engine = _enum("Engine", ENGINES)
Dtype = _enum("Dtype", DTYPES)
Threads = _enum("Threads", ("1", "2"))
Format = _enum("Format", ("terminal", "md", "html", "ipynb", "json"))  # chainrule.render.FORMATS (tested)

DATASET_NAMES = ("spiral", "moons", "circles", "xor", "gaussian")


def complete_dataset(incomplete: str) -> list[str]:
    """Shell completion for ``--dataset``: the built-in sets and ``csv:``."""
    return [name for name in (*DATASET_NAMES, "csv:") if name.startswith(incomplete)]
