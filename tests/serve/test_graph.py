"""The graph the page draws (derived from the Report until the analysis fills Report.graph)."""

from __future__ import annotations

from chainrule.serve.graph import fallback_graph, graph_dict


def test_builtin_graph_edges_and_backward_lines(page):
    g = fallback_graph(page.report)
    edges = {(e.src, e.dst): e.backward_code for e in g.edges}
    assert edges == {
        ("X", "np.dot(X, W) + b"): "",
        ("np.dot(X, W) + b", "hidden_layer"): "dhidden[hidden_layer <= 0] = 0",
        ("hidden_layer", "scores"): "dhidden = np.dot(dscores, W2.T)",
        ("scores", "probs"): "dscores[range(num_examples),y] -= 1",
        ("probs", "loss"): "dscores[range(num_examples),y] -= 1",
        ("W", "np.dot(X, W) + b"): "dW = np.dot(X.T, dhidden)",
        ("b", "np.dot(X, W) + b"): "db = np.sum(dhidden, axis=0, keepdims=True)",
        ("W2", "scores"): "dW2 = np.dot(hidden_layer.T, dscores)",
        ("b2", "scores"): "db2 = np.sum(dscores, axis=0, keepdims=True)",
    }
    kinds = {n.id: (n.label, n.kind, tuple(n.shape)) for n in g.nodes}
    assert kinds["hidden_layer"] == ("H", "value", (800, 1000))
    assert kinds["W2"] == ("W_{2}", "param", (1000, 2))
    assert all(0 <= n.x <= 1 and 0 <= n.y <= 1 for n in g.nodes)
    assert len({(round(n.x, 3), round(n.y, 3)) for n in g.nodes}) == len(g.nodes)


def test_gradients_follow_the_backward_pass(page):
    d = graph_dict(page.report)
    S = next(n for n in d["nodes"] if n["name"] == "scores")
    assert [(gr["step"], gr["holds"]) for gr in S["grads"]] == [(1, "scaled"), (2, "gradient")]
    dS = page.report.steps[2].values[0].data
    assert S["grads"][1]["data"] == dS  # ∂L/∂S as the line after it reads it
    assert next(n for n in d["nodes"] if n["name"] == "W2")["text"] == "W₂"
