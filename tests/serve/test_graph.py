"""The graph the page draws: Report.graph, laid out again when its boxes overlap."""

from __future__ import annotations

from pathlib import Path

from chainrule.report import Graph, GraphEdge, GraphNode
from chainrule.serve import load_page
from chainrule.serve.graph import graph_dict, layered, node_text, overlaps

CORPUS = Path(__file__).resolve().parents[1] / "check" / "corpus"


def _centre(d, name):
    n = next(n for n in d["nodes"] if n["name"] == name)
    return n["x"] * d["width"], n["y"] * d["height"]


def test_builtin_graph_keeps_explains_layout(page):
    d = graph_dict(page.report)
    assert not overlaps(page.report.graph)
    assert [(n["x"], n["y"]) for n in d["nodes"]] == [(n.x, n.y) for n in page.report.graph.nodes]
    edges = {(e["src"], e["dst"]): e["backward_code"] for e in d["edges"]}
    assert edges[("W2", "S")] == "dW2 = np.dot(hidden_layer.T, dscores)"


def test_gradients_follow_the_backward_pass(page):
    d = graph_dict(page.report)
    S = next(n for n in d["nodes"] if n["name"] == "scores")
    assert [(gr["step"], gr["holds"]) for gr in S["grads"]] == [(1, "scaled"), (2, "gradient")]
    dS = page.report.steps[2].values[0].data
    assert S["grads"][1]["data"] == dS  # ∂L/∂S as the line after it reads it
    assert next(n for n in d["nodes"] if n["name"] == "W2")["text"] == "W₂"


def test_a_scripts_graph_reads_left_to_right():
    """deeplearning.ai style: whatever the checker's layout, the page's has no overlaps, a chain, params above."""
    page = load_page(CORPUS / "ok_ng_style.py")
    d = graph_dict(page.report)
    g = Graph(nodes=[GraphNode(**{k: v for k, v in n.items() if k not in ("grads", "text")}) for n in d["nodes"]],
              width=d["width"], height=d["height"])
    assert not overlaps(g)
    chain = [_centre(d, n) for n in ("X", "Z1", "A1", "Z2", "A2")]
    assert [x for x, _ in chain] == sorted(x for x, _ in chain) and len({y for _, y in chain}) == 1
    for p, user in (('parameters["W1"]', "Z1"), ('parameters["W2"]', "Z2")):
        (px, py), (ux, uy) = _centre(d, p), _centre(d, user)
        assert py < uy and abs(px - ux) < 130  # above the node it feeds
    texts = {n["name"]: n["text"] for n in d["nodes"]}
    assert texts['parameters["W1"]'] == "W₁" and texts["cost"] == "L" and texts["A1"] == "H₁"


def test_layered_by_hand():
    n = [GraphNode(id=i, label=i, name=i, kind=k, shape=[]) for i, k in
         (("X", "data"), ("W", "param"), ("b", "param"), ("Z", "value"), ("L", "loss"), ("R", "value"))]
    g = layered(Graph(nodes=n, edges=[GraphEdge("X", "Z"), GraphEdge("W", "Z"), GraphEdge("b", "Z"),
                                      GraphEdge("Z", "L")]))
    at = {m.id: (m.x, m.y) for m in g.nodes}
    assert at["X"][0] < at["Z"][0] < at["L"][0] < at["R"][0]  # R joins nothing: at the end
    assert at["W"][1] == at["b"][1] < at["Z"][1] and at["W"][0] < at["b"][0]
    assert not overlaps(g)
    assert node_text(GraphNode(id="d", label=r"L_{\text{data}}", name="data_loss", kind="value", shape=[])) == "L_data"
