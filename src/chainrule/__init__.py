"""chainrule: which line of my backprop code is which formula, and is it right?

Library entry points:

* :func:`chainrule.train` - train a network (the learner's by default);
* :func:`chainrule.explain` - the walkthrough of every backward line, an object
  that renders itself in Jupyter;
* :func:`chainrule.check.check_script` - verify a learner's own numpy script;
* :func:`chainrule.explore` - the live page (``chainrule serve``) inline in Jupyter.
"""

from __future__ import annotations

__version__ = "0.1.0"


def __getattr__(name: str):
    # Lazy: `import chainrule` stays fast; heavy parts load on first use.
    if name == "train":
        from chainrule.training import train

        return train
    if name == "explain":
        from chainrule.explain import explain

        return explain
    if name == "explore":  # the live page inline in Jupyter
        from chainrule.serve import explore

        return explore
    raise AttributeError(f"module 'chainrule' has no attribute {name!r}")


__all__ = ["__version__", "train", "explain", "explore"]
