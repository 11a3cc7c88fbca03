"""The Train panel's settings: validated into a :class:`chainrule.config.TrainConfig`.

The page sends its controls as one JSON object (the same keys live in the URL fragment,
so that a teacher can send a link to a setup).  Every value is checked here, with the
limits that keep one page's memory and work bounded; a bad value raises a
:class:`~chainrule.errors.ChainruleError` naming the control, which the page shows next to it.
"""

from __future__ import annotations

from typing import Any, Optional

from chainrule.config import ACTIVATION_NAMES, LOSS_NAMES, OPTIMIZERS, TrainConfig, build_config
from chainrule.data import DATASETS, Dataset
from chainrule.errors import ChainruleError, bad_option
from chainrule.serve.protocol import MAX_ROWS

#: The learner's network: what the page starts with.
DEFAULTS: dict[str, Any] = {
    "dataset": "spiral", "points": 400, "classes": 2, "noise": None, "hidden": [1000],
    "activation": "relu", "loss": "softmax", "step_size": 1.0, "reg": 0.0,
    "optimizer": "gd", "batch_size": None, "seed": 0,
    "train": "engine",  # "script": run the learner's own script (chainrule serve SCRIPT) instead
}
MAX_CLASSES = 6  # the page has six class colours
MAX_LAYERS = 4
MAX_UNITS = 1000
MAX_WEIGHTS = 250_000  # all layers' weights together (the learner's network has 5 000)
MAX_ACTIVATIONS = 2_500_000  # points × widest layer: the size of one training pass's arrays

CHOICES = {"dataset": tuple(DATASETS), "activation": ACTIVATION_NAMES, "loss": LOSS_NAMES,
           "optimizer": OPTIMIZERS, "train": ("engine", "script")}


def _number(key: str, value: Any, kind: type) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise bad_option(key, value, "give a number.")
    try:
        out = kind(value)
    except (TypeError, ValueError):
        raise bad_option(key, value, "give a number.") from None
    if kind is int and out != float(value):
        raise bad_option(key, value, "give a whole number.")
    return out


def _hidden(value: Any) -> tuple[int, ...]:
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",") if p.strip()]
    elif isinstance(value, (list, tuple)):
        parts = list(value)
    else:
        raise bad_option("hidden", value, "give the hidden layer sizes, e.g. 1000 or 16,16.")
    try:
        sizes = tuple(_number("hidden", p, int) for p in parts)
    except ChainruleError:
        raise bad_option("hidden", value, "give whole numbers separated by commas, e.g. 16,16.") from None
    if not sizes or len(sizes) > MAX_LAYERS or any(s is None or not 1 <= s <= MAX_UNITS for s in sizes):
        raise bad_option("hidden", value, f"give 1 to {MAX_LAYERS} layer sizes, each from 1 to "
                         f"{MAX_UNITS}, e.g. 1000 or 16,16.")
    return sizes


def parse_settings(raw: dict[str, Any], custom: Optional[Dataset] = None
                   ) -> tuple[dict[str, Any], TrainConfig]:
    """Check the page's settings; return them cleaned and as a TrainConfig.

    Parameters
    ----------
    raw : dict
        The controls; missing keys take :data:`DEFAULTS`, unknown keys are refused.
    custom : Dataset, optional
        The page's own data (an upload, clicked points): ``dataset`` is then ``"custom"``
        and the data's features, classes and rows replace the generator's.
    """
    dim, classes, rows = (custom.dim, custom.classes, custom.n) if custom else (2, None, None)
    unknown = sorted(set(raw) - set(DEFAULTS))
    if unknown:
        raise ChainruleError(f"Unknown setting {unknown[0]!r}: the page knows "
                             f"{', '.join(DEFAULTS)}.", option=unknown[0])
    s = {**DEFAULTS, **raw}
    if custom is not None:
        s["dataset"], s["classes"] = "custom", custom.classes
    elif s["dataset"] == "custom":
        raise ChainruleError("There is no data of your own yet: upload a CSV file, or click on "
                             "the plot to add points.", option="dataset")
    for key, allowed in CHOICES.items():
        s[key] = str(s[key]).lower()
        if s[key] not in allowed and not (key == "dataset" and custom is not None):
            raise bad_option(key, s[key], "choose one of " + ", ".join(allowed) + ".")
    s["hidden"] = list(_hidden(s["hidden"]))
    for key, kind in (("points", int), ("classes", int), ("seed", int), ("batch_size", int),
                      ("noise", float), ("step_size", float), ("reg", float)):
        s[key] = _number(key, s[key], kind)
    if s["step_size"] is None:
        raise bad_option("step_size", None, "give a positive step size, e.g. 1.0 or 0.1.")
    if not 0 < s["step_size"] <= 100:
        raise bad_option("step_size", s["step_size"], "use a step size above 0 and at most 100.")
    if s["reg"] is None or not 0 <= s["reg"] <= 10:
        raise bad_option("reg", s["reg"], "use a regularisation strength from 0 to 10.")
    if s["classes"] is None or not 2 <= s["classes"] <= MAX_CLASSES:
        raise bad_option("classes", s["classes"], f"the page draws 2 to {MAX_CLASSES} classes.")
    if custom is None and (s["points"] is None or not 1 <= s["points"] * s["classes"] <= MAX_ROWS):
        raise bad_option("points", s["points"], f"use at least 1 point per class and at most "
                         f"{MAX_ROWS} points in all ({MAX_ROWS // s['classes']} per class here).")
    k = classes or s["classes"]
    sizes = [dim, *s["hidden"], k]
    weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    if weights > MAX_WEIGHTS:
        raise bad_option("hidden", s["hidden"], f"that network has {weights:,} weights; the page "
                         f"trains at most {MAX_WEIGHTS:,} (e.g. 1000, or 64,64).")
    n = rows or s["points"] * s["classes"]
    if n * max(s["hidden"]) > MAX_ACTIVATIONS:
        raise bad_option("hidden", s["hidden"], f"{n:,} points × {max(s['hidden']):,} units is more than one "
                         f"page trains ({MAX_ACTIVATIONS:,}); use fewer points or a smaller layer.")
    if s["batch_size"] is not None and not 1 <= s["batch_size"] <= n:
        raise bad_option("batch_size", s["batch_size"], f"use 1 to {n} examples per batch, "
                         "or leave it empty for the full batch.")
    config = build_config(
        dataset=s["dataset"] if classes is None else "spiral", points=s["points"],
        classes=s["classes"], noise=s["noise"], hidden=tuple(s["hidden"]),
        activation=s["activation"], loss=s["loss"], reg=s["reg"], step_size=s["step_size"],
        optimizer=s["optimizer"], batch_size=s["batch_size"], seed=s["seed"], log_every=0)
    return s, config
