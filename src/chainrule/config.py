"""Run configuration: one commented dataclass, defaults = the learner's run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Optional

from chainrule.errors import bad_option

DEFAULT_STEP = {"gd": 1.0, "sgd": 1.0, "momentum": 0.1, "adam": 0.001}
OPTIMIZERS = tuple(DEFAULT_STEP)
ENGINES = ("fast", "reference")
DTYPES = ("float64", "float32")


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
    hidden: tuple[int, ...] = (1000,)  # hidden layer sizes, e.g. (64, 64)
    activation: str = "relu"  # relu | leaky_relu | tanh | sigmoid
    loss: str = "softmax"  # softmax (cross-entropy) | hinge (multiclass SVM)
    reg: float = 0.0  # L2 strength λ; the learner's line is commented out
    step_size: Optional[float] = None  # None: 1.0 for gd/sgd, 0.1 momentum, 1e-3 adam
    iterations: int = 3000
    optimizer: str = "gd"  # gd (full batch) | sgd (mini-batch) | momentum | adam
    batch_size: Optional[int] = None  # None: full batch (sgd: 32)
    seed: int = 0
    rng: str = "legacy"  # legacy: np.random.seed stream, as the learner; modern: default_rng
    log_every: int = 100  # the learner prints every 100 iterations
    init_scale: float = 0.01  # weights = init_scale * randn
    engine: str = "fast"  # fast (compiled numba kernels) | reference (readable numpy)
    dtype: str = "float64"  # float64 | float32 (fast engine)
    extra: dict[str, Any] = field(default_factory=dict)  # momentum mu, adam betas, ...

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

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["hidden"] = list(self.hidden)
        d["step_size"] = self.lr
        d["batch_size"] = self.batch
        return d


ACTIVATION_NAMES = ("relu", "leaky_relu", "tanh", "sigmoid")
LOSS_NAMES = ("softmax", "hinge")
RNG_NAMES = ("legacy", "modern")


def build_config(**opts: Any) -> TrainConfig:
    """Validate command-line values and build a :class:`TrainConfig`.

    Raises :class:`chainrule.errors.ChainruleError` (exit code 2) naming the
    option, the bad value and what is allowed.
    """
    o = dict(opts)
    if isinstance(o.get("hidden"), str):
        o["hidden"] = parse_int_list(o["hidden"], "--hidden")
    o["activation"] = str(o.get("activation", "relu")).lower().replace("-", "_")
    _choice(o, "activation", ACTIVATION_NAMES)
    o["loss"] = {"svm": "hinge", "cross_entropy": "softmax", "ce": "softmax"}.get(o.get("loss"), o.get("loss"))
    _choice(o, "loss", LOSS_NAMES)
    _choice(o, "optimizer", OPTIMIZERS)
    _choice(o, "rng", RNG_NAMES)
    _choice(o, "engine", ENGINES)
    _choice(o, "dtype", DTYPES)
    checks = [
        ("points", lambda v: v >= 1, "the number of points per class must be at least 1."),
        ("classes", lambda v: v >= 2, "a classifier needs at least 2 classes."),
        ("iterations", lambda v: v >= 1, "train for at least 1 iteration."),
        ("log_every", lambda v: v >= 0, "use a positive number, or 0 to log nothing."),
        ("reg", lambda v: v >= 0 and v == v, "the L2 strength must be 0 or positive."),
        ("step_size", lambda v: v is None or (v > 0 and v != float("inf")),
         "the step size must be a positive number, e.g. 1.0 or 0.1."),
        ("batch_size", lambda v: v is None or v >= 1, "a mini-batch needs at least 1 example."),
        ("noise", lambda v: v is None or (v >= 0 and v == v), "noise must be 0 or positive."),
        ("seed", lambda v: 0 <= v < 2**32, "numpy seeds must be between 0 and 2**32 - 1."),
    ]
    for name, ok, why in checks:
        if name in o and not ok(o[name]):
            raise bad_option("--" + name.replace("_", "-"), o[name], why)
    return TrainConfig(**o)


def _choice(o: dict, name: str, allowed: tuple[str, ...]) -> None:
    if name in o and o[name] not in allowed:
        raise bad_option("--" + name.replace("_", "-"), o[name], "choose one of " + ", ".join(allowed) + ".")


def parse_int_list(text: str, option: str) -> tuple[int, ...]:
    """Parse ``"1000"`` or ``"64,64"`` into positive ints, or raise a clear error."""
    parts = [p.strip() for p in str(text).split(",") if p.strip()]
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        raise bad_option(option, text, "give whole numbers separated by commas, "
                         "e.g. 1000 or 64,64.") from None
    if not sizes or any(s < 1 for s in sizes):
        raise bad_option(option, text, "every size must be at least 1, e.g. 1000 or 64,64.")
    return sizes
