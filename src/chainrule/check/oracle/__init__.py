"""Oracle: the true gradients of the recorded iteration (autograd replay, taps, kinks, finite differences)."""
