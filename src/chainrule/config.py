"""Run configuration: one commented dataclass, defaults = the learner's run.

:class:`TrainConfig` checks every field when it is built (``__post_init__``),
with the functions of :mod:`chainrule.validate`, so the library and the
command line refuse the same values with the same paragraph, naming the
command-line option: ``TrainConfig(step_size=float("nan"))`` raises
``ChainruleError("Invalid value nan for --step-size: ...")``.  Values are
normalised on the way: ``hidden=64`` becomes ``(64,)``, ``activation="Leaky-ReLU"``
becomes ``"leaky_relu"``, ``loss="svm"`` becomes ``"hinge"``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Optional

from chainrule import validate as v
from chainrule.errors import BadType

DEFAULT_STEP = {"gd": 1.0, "sgd": 1.0, "momentum": 0.1, "adam": 0.001}
OPTIMIZERS = tuple(DEFAULT_STEP)
ENGINES = ("fast", "reference")
DTYPES = ("float64", "float32")
ACTIVATION_NAMES = ("relu", "leaky_relu", "tanh", "sigmoid")
LOSS_NAMES = ("softmax", "hinge")
RNG_NAMES = ("legacy", "modern")
ACTIVATION_ALIASES = {"leakyrelu": "leaky_relu"}
LOSS_ALIASES = {"svm": "hinge", "cross_entropy": "softmax", "ce": "softmax"}

MAX_ITERATIONS = 10**9
MAX_POINTS = 10**8  # points per class; memory is checked separately (chainrule.memory)
MAX_CLASSES = 10_000


@dataclass
class TrainConfig:
    """Everything that decides a training run.

    The defaults reproduce the learner's script: spiral data with 400 points
    per class and 2 classes, one hidden layer of 1000 ReLU units, softmax
    cross-entropy, no regularisation, step size 1.0, 3000 iterations of
    full-batch gradient descent, numpy's legacy random stream.
    """

    dataset: str = "spiral"  # spiral | moons | circles | xor | gaussian | csv:PATH
    points: int = 400  # points per class (the learner's comment says 200: it is 400)
    classes: int = 2  # K
    noise: Optional[float] = None  # None: the dataset's own default (spiral: 0.5)
    hidden: tuple[int, ...] = (1000,)  # hidden layer sizes, e.g. (64, 64); 64 means (64,)
    activation: str = "relu"  # relu | leaky_relu | tanh | sigmoid
    loss: str = "softmax"  # softmax (cross-entropy) | hinge (multiclass SVM)
    reg: float = 0.0  # L2 strength λ; the learner's line is commented out
    step_size: Optional[float] = None  # None: 1.0 for gd/sgd, 0.1 momentum, 1e-3 adam
    iterations: int = 3000  # 0 (library only): no update, the initial weights evaluated
    optimizer: str = "gd"  # gd (full batch) | sgd (mini-batch) | momentum | adam
    batch_size: Optional[int] = None  # None: full batch (sgd: 32); more than N: full batch, with a note
    seed: int = 0
    rng: str = "legacy"  # legacy: np.random.seed stream, as the learner; modern: default_rng
    log_every: int = 100  # the learner prints every 100 iterations; 0 logs nothing
    init_scale: float = 0.01  # weights = init_scale * randn
    engine: str = "fast"  # fast (compiled numba kernels) | reference (readable numpy)
    dtype: str = "float64"  # float64 | float32 (fast engine)
    standardize: bool = False  # rescale each feature column to mean 0, std 1 before training
    extra: dict[str, Any] = field(default_factory=dict)  # momentum mu, adam betas, ...

    def __post_init__(self) -> None:
        if not isinstance(self.dataset, str):
            raise BadType(f"Invalid value {self.dataset!r} for --dataset: give a name such as 'spiral' "
                          f"or 'csv:PATH'.", option="--dataset")
        self.points = v.whole("--points", self.points, 1, MAX_POINTS, example="400")
        self.classes = v.whole("--classes", self.classes, 2, MAX_CLASSES, example="2 or 3")
        if self.noise is not None:
            self.noise = v.real("--noise", self.noise, 0.0, 1e6, example="0.1")
        self.hidden = v.sizes("--hidden", self.hidden)  # the memory check bounds the width
        self.activation = v.choice("--activation", self.activation, ACTIVATION_NAMES, ACTIVATION_ALIASES)
        self.loss = v.choice("--loss", self.loss, LOSS_NAMES, LOSS_ALIASES)
        self.reg = v.real("--reg", self.reg, 0.0, example="0 or 1e-3")
        self.optimizer = v.choice("--optimizer", self.optimizer, OPTIMIZERS)
        if self.step_size is not None:
            self.step_size = v.real("--step-size", self.step_size, 0.0, lo_open=True, example="1.0 or 0.1")
        self.iterations = v.whole("--iterations", self.iterations, 0, MAX_ITERATIONS, example="3000")  # 0: the initial weights
        if self.batch_size is not None:
            self.batch_size = v.whole("--batch-size", self.batch_size, 1, example="32")
        self.seed = v.seed("--seed", self.seed)
        self.rng = v.choice("--rng", self.rng, RNG_NAMES)
        self.log_every = v.whole("--log-every", self.log_every, 0, example="100 (0 logs nothing)")
        self.init_scale = v.real("--init-scale", self.init_scale, 0.0, lo_open=True, example="0.01")
        self.engine = v.choice("--engine", self.engine, ENGINES)
        self.dtype = v.choice("--dtype", self.dtype, DTYPES)
        if not isinstance(self.standardize, bool):
            raise BadType(f"Invalid value {self.standardize!r} for --standardize: give True or False.",
                          option="--standardize")
        if not isinstance(self.extra, dict):
            raise BadType(f"Invalid value {self.extra!r} for extra: give a dict such as {{'mu': 0.9}}.")

    @property
    def lr(self) -> float:
        """The step size actually used."""
        return DEFAULT_STEP[self.optimizer] if self.step_size is None else self.step_size

    @property
    def batch(self) -> Optional[int]:
        """Mini-batch size, or None for full-batch."""
        if self.batch_size is None and self.optimizer == "sgd":
            return 32
        return self.batch_size

    @property
    def is_csv(self) -> bool:
        """Is the data a CSV file (``csv:PATH``), whose rows fix N and K (not ``points``/``classes``)?"""
        return self.dataset.strip().lower().startswith("csv:")

    def to_dict(self) -> dict[str, Any]:
        """The config as JSON-ready values; for CSV data without ``points``/``classes``/``noise``."""
        d = asdict(self)
        d["hidden"] = list(self.hidden)
        d["step_size"] = self.lr
        d["batch_size"] = self.batch
        if self.is_csv:
            for key in ("points", "classes", "noise"):
                d.pop(key)
        return d


def build_config(**opts: Any) -> TrainConfig:
    """Build a :class:`TrainConfig` from command-line values (``None`` means "not given": the default).

    Raises :class:`chainrule.errors.ChainruleError` (exit code 2) naming the
    option, the bad value and what is allowed.  With CSV data, ``points``,
    ``classes`` and ``noise`` are refused rather than silently ignored.
    """
    o = {k: val for k, val in opts.items() if val is not None}
    if "iterations" in o:  # the library allows 0 (evaluate the initial weights); a command trains
        v.whole("--iterations", o["iterations"], 1, MAX_ITERATIONS, example="3000")
    dataset = str(o.get("dataset", "spiral"))
    if dataset.strip().lower().startswith("csv:"):
        given = [k for k in ("points", "classes", "noise") if k in o]
        if given:
            from chainrule.errors import bad_option

            name = "--" + given[0]
            raise bad_option(name, o[given[0]], f"it does not apply to --dataset {dataset}: the file's rows are "
                             f"the points and its label column decides the classes. Remove {name}.")
    return TrainConfig(**o)


def parse_int_list(text: str, option: str) -> tuple[int, ...]:
    """Parse ``"1000"`` or ``"64,64"`` into positive ints, or raise a clear error."""
    return v.sizes(option, text)
