"""The one analysis that every renderer draws: a :class:`Report`.

``chainrule explain`` (the built-in learner's network) and ``chainrule explain
SCRIPT.py`` (a learner's own script, through the checker) both produce a
Report; the renderers in :mod:`chainrule.render` (terminal, Markdown, HTML,
notebook, JSON) only lay it out.  No renderer computes maths: every number,
formula, shape and verdict is in here.

Matrices are stored as nested lists (``Matrix``) so that a Report is plain
JSON-able data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Optional

Matrix = list  # nested lists of float (or int), row-major, as numpy's .tolist()
Holds = Literal["gradient", "scaled", "intermediate", "update", "wrong", "error"]
Notation = Literal["code", "nielsen", "ng"]
NOTATIONS: tuple[str, ...] = ("code", "nielsen", "ng")  # code: ∂L/∂S; nielsen: δ, BP1–BP4; ng: dZ, dW, db


@dataclass
class Value:
    """A named array printed in the tiny example: ``name`` (code name), ``shape``, ``data``."""

    name: str
    shape: list[int]
    data: Matrix
    note: str = ""  # e.g. "after this line" or "probs changed too (alias)"


@dataclass
class ForwardStep:
    """One link of the forward chain ``X -> Z -> H -> S -> P -> L``."""

    code: str  # the learner's line, e.g. "scores = np.dot(hidden_layer, W2) + b2"
    symbol: str  # the maths name, e.g. "S"
    name: str  # the code's name, e.g. "scores"
    formula_latex: str
    formula_text: str  # unicode, for the terminal
    shape: list[int]  # in the analysed (full-size) network
    shape_text: str  # e.g. "(N, h) = (800, 1000)"
    line: Optional[int] = None
    values: list[Value] = field(default_factory=list)  # tiny example
    note: str = ""  # plain words about this line, e.g. why `keepdims=True` matters here


@dataclass
class TextbookFormula:
    """A backward line written in a textbook's notation, and how the code's line becomes it.

    ``notation`` is ``"nielsen"`` (δ, BP1–BP4, one example as a column vector) or ``"ng"``
    (dZ, dW, db, examples as columns, 1/m inside dW and db).
    """

    notation: str
    name: str  # the textbook's name for it, e.g. "BP4" or "dW^[2] = (1/m)·dZ^[2]·A^[1]ᵀ"
    latex: str  # the formula in that notation (LaTeX)
    text: str  # the same in unicode, for the terminal (no LaTeX commands)
    translation: str = ""  # short plain words: rows vs columns, one example vs a batch, where 1/N is
    symbol: str = ""  # what the written variable holds, in this notation (unicode), e.g. "dZ^[2]ᵀ/m"


@dataclass
class GraphNode:
    """A node of the computation graph (the SVG picture and the live page draw the same data).

    ``x``/``y`` are layout coordinates (0..1) computed once in Python, so that every
    renderer places the nodes identically.
    """

    id: str  # unique, e.g. "Z"
    label: str  # the maths symbol, e.g. "Z"
    name: str  # the code's name or expression, e.g. "np.dot(X, W) + b"
    kind: str  # "data" | "param" | "value" | "loss"
    shape: list[int]
    x: float = 0.0
    y: float = 0.0
    step: Optional[int] = None  # index into Report.steps of the step that computes ∂L/∂(this node)
    line: Optional[int] = None  # the line that computes this node (forward)
    value: Optional[Matrix] = None  # tiny example
    grad: Optional[Matrix] = None  # tiny example: ∂L/∂(this node)
    width: float = 0.0  # box size, in the same 0..1 units as x (of Graph.width) and y (of Graph.height)
    height: float = 0.0
    forward: Optional[int] = None  # index into Report.forward of the line that computes this node
    grad_symbols: dict[str, str] = field(default_factory=dict)  # notation -> its name of ∂L/∂(node)


@dataclass
class GraphEdge:
    """A forward edge ``src -> dst``; the backward pass runs along it from ``dst`` to ``src``."""

    src: str
    dst: str
    backward_line: Optional[int] = None  # the line that computes ∂L/∂src from ∂L/∂dst
    backward_code: str = ""
    step: Optional[int] = None  # index into Report.steps
    backward_lines: list[int] = field(default_factory=list)  # every line on this edge (first..last)
    label: str = ""  # short label of the backward edge, e.g. "line 49"


@dataclass
class Graph:
    """The computation graph ``X → Z → H → S → P → L`` with the parameters feeding in.

    ``width``/``height`` are the layout's natural size in CSS pixels: node ``x`` and
    ``width`` are fractions of ``width``, ``y`` and ``height`` fractions of ``height``.
    """

    nodes: list[GraphNode] = field(default_factory=list)
    edges: list[GraphEdge] = field(default_factory=list)
    width: float = 1200.0
    height: float = 520.0


@dataclass
class NotationInfo:
    """One notation: who writes it, and how its layout differs from the code's."""

    id: str  # one of NOTATIONS
    name: str  # e.g. "Nielsen (Neural Networks and Deep Learning, ch. 2)"
    layout: str  # plain words: "one example at a time, as a column vector"


@dataclass
class BridgeRule:
    """One rule that turns a textbook formula into the code's line (rows vs columns, …)."""

    title: str
    text: str  # plain words, Markdown-light
    textbook_latex: str = ""
    code: str = ""  # the code form, e.g. "dscores @ W2.T"


@dataclass
class BridgeProof:
    """The textbook's algorithm written out in its own notation, run on the tiny example."""

    notation: str
    title: str
    explanation: str
    code: str  # self-contained after the report's setup code (a notebook cell)
    output: str  # what running it printed
    differences: dict[str, float] = field(default_factory=dict)  # gradient -> max |yours − textbook|
    values: list[Value] = field(default_factory=list)  # the textbook's gradients, in its layout


@dataclass
class BridgeRow:
    """One backward formula in every notation (a row of the bridge table)."""

    step: int  # index into Report.steps
    code: str
    line: Optional[int]
    formulas: dict[str, TextbookFormula] = field(default_factory=dict)  # notation -> formula


@dataclass
class Bridge:
    """From the formulas the learner knows (Nielsen's, Ng's) to the code's lines."""

    intro: str
    notations: list[NotationInfo] = field(default_factory=list)
    rules: list[BridgeRule] = field(default_factory=list)
    rows: list[BridgeRow] = field(default_factory=list)
    proofs: list[BridgeProof] = field(default_factory=list)


@dataclass
class GlossaryEntry:
    term: str
    meaning: str  # one or two short sentences


@dataclass
class Step:
    """One backward (or update) statement: what it computes, why, and the proof."""

    code: str  # the statement as written
    writes: str  # the variable it writes
    holds: Holds  # what the variable holds after this line
    gradient_of: Optional[str]  # learner's name or expression, e.g. "W2", "np.dot(X, W) + b"
    factor: Optional[float]  # variable == factor * ∂L/∂(gradient_of); 1.0 when exact
    title: str  # short heading, e.g. "Gradient of W2"
    holds_text: str  # plain words: "dscores now holds N·∂L/∂scores ..."
    formula_latex: Optional[str] = None  # matrix form
    index_latex: Optional[str] = None  # index form
    formula_text: Optional[str] = None  # unicode matrix form for the terminal
    chain: str = ""  # the chain-rule step: upstream × local, plain words + symbols
    shape_reason: str = ""  # why the shapes force this arrangement
    shapes: dict[str, list[int]] = field(default_factory=dict)  # full-size network shapes
    formula_keys: list[str] = field(default_factory=list)  # keys into chainrule.formulas
    values: list[Value] = field(default_factory=list)  # tiny-example numbers
    rel_error_fd: Optional[float] = None  # vs centered finite differences (float64)
    rel_error_autodiff: Optional[float] = None  # vs autograd
    check_code: str = ""  # python that recomputes this step and asserts the check (notebook)
    line: Optional[int] = None  # line number in the script, when from a file
    message: str = ""  # verdict message (check: what is wrong and the likely cause)
    ok: bool = True
    textbook: dict[str, TextbookFormula] = field(default_factory=dict)  # keyed by notation name


@dataclass
class Pitfall:
    """A trap in the learner's code, demonstrated with numbers."""

    id: str  # e.g. "alias"
    title: str
    explanation: str  # Markdown-light: paragraphs, `code`, $latex$ inline
    shown: bool  # demonstrated with real numbers (not only stated)
    code: str = ""  # the demonstration code (also a notebook cell)
    output: str = ""  # what running it printed
    fix: str = ""  # the corrected code
    shown_how: str = ""  # plain words: how it is shown, e.g. "shown with the tiny example's numbers"


@dataclass
class Training:
    """The trained full-size network: history and plots (PNG bytes, base64 in JSON)."""

    iterations: list[int]  # logged iterations; the last entry is the end of training (final_loss)
    losses: list[float]
    accuracies: list[float]
    final_loss: float
    train_accuracy: float
    seconds: float
    loss_png: bytes = b""
    boundary_png: bytes = b""


@dataclass
class Report:
    """Everything ``explain`` shows, for every renderer."""

    title: str
    intro: str  # a paragraph: what this page answers
    network: dict[str, Any]  # {"N":..., "D":..., "h":..., "K":..., "activation":..., "tiny": {...}}
    source: str = ""  # the whole script, when explaining a file / the learner's code
    forward: list[ForwardStep] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    pitfalls: list[Pitfall] = field(default_factory=list)
    training: Optional[Training] = None
    setup_code: str = ""  # notebook preamble that rebuilds the tiny example
    kinks: list[dict[str, Any]] = field(default_factory=list)
    notation: str = "code"  # the notation the renderers use for symbols (one of NOTATIONS)
    graph: Optional[Graph] = None
    bridge: Optional[Bridge] = None  # the textbook formulas next to the code (after the forward chain)
    glossary: list[GlossaryEntry] = field(default_factory=list)
    network_text: str = ""  # the network in plain words (renderers show it instead of key = value chips)
    script_hint: str = ""  # how to get the same walkthrough for one's own script
    training_code: str = ""  # plain numpy that trains the full network (the notebook's training cell)
    cells: list[tuple[int, int]] = field(default_factory=list)  # a notebook's code cells: (number, first line in source)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (PNG bytes left out; see ``render.json`` for the public JSON)."""
        d = asdict(self)
        if d.get("training"):
            d["training"].pop("loss_png", None)
            d["training"].pop("boundary_png", None)
        return d
