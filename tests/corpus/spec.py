"""What the catalog says about a corpus script (:class:`Case`) and a one-line mutant (:class:`Mutant`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from optimizers import SGD

CORPUS = Path(__file__).resolve().parent

Loss = Callable[[dict[str, Any], dict[str, Any]], Any]


@dataclass(frozen=True)
class Case:
    """A correct script and how to prove it: its parameters, data, loss and update rule.

    ``loop`` is the text of the training loop's header line (found in ``loop_file``, relative to
    the script's folder, default the script itself); its first iteration is the one proven.
    ``params`` and ``data`` map names to Python expressions evaluated in that loop's frame:
    ``params`` before the first iteration and after each of ``steps`` iterations, ``data`` at the
    end of each iteration (so loop-body variables such as a mini-batch hold that iteration's
    values). ``loss(params, data)`` is the loss the backward pass is the gradient of, written
    with ``autograd.numpy``; ``computes_loss`` says whether the iteration itself computes it.
    """

    script: str  # relative to tests/corpus, e.g. "cs231n/learner_seed.py"
    style: str
    loop: str
    params: dict[str, str]
    data: dict[str, str]
    loss: Loss
    opt: SGD
    loop_file: str = ""
    siblings: tuple[str, ...] = ()
    steps: int = 1
    computes_loss: bool = True
    runs_plain: bool = True  # False: `python script.py` itself fails (bare %magic lines)
    about: str = ""

    @property
    def path(self) -> Path:
        return CORPUS / self.script

    @property
    def name(self) -> str:
        return self.script

    @property
    def files(self) -> tuple[str, ...]:
        """The script and every file beside it that it needs, relative to its folder."""
        extra = (self.loop_file,) if self.loop_file else ()
        return tuple(dict.fromkeys((self.path.name, *self.siblings, *extra)))


@dataclass(frozen=True)
class Mutant:
    """One line of a correct script (or of a file beside it) replaced by a learner's mistake.

    ``old`` and ``new`` are compared with surrounding whitespace stripped; ``old`` must occur
    exactly once in ``file`` (relative to the base script's folder; default the script) and the
    new line keeps its indentation. The expected culprit is where ``new`` ends up.
    """

    base: str  # Case.script
    family: str
    old: str
    new: str
    why: str
    file: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.base}::{self.family}::{self.new.strip()[:40]}"


FAMILIES = (
    "missing_transpose",
    "missing_1_over_m",
    "1_over_m_twice",
    "wrong_activation_derivative",
    "wrong_axis",
    "missing_keepdims",
    "missing_relu_mask",
    "mask_wrong_array",
    "sign",
    "regularisation",
    "scalar_bias",
    "helper",
    "update_order",
    "notebook_cell",
    "wrong_factor",
    "clipping",
)
