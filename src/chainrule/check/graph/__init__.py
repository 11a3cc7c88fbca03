"""Graph: the recorded iteration split into parameters, optimizer steps, loss, forward and backward."""

from chainrule.check.graph.build import Graph, build
from chainrule.check.graph.optim import Param

__all__ = ["Graph", "Param", "build"]
