"""The libraries a learner would pick instead, written the way their tutorials do, for ``bench --arch``.

Every runner trains the same network from the same initial weights on the
same data and the same mini-batches as chainrule (the batch indices are
drawn once from chainrule's stream), so their final losses can be compared
with chainrule's: the JSON reports each engine's loss on all the data after
a block.  A runner is ``reset()`` (untimed: weights and optimizer back to the
start) then ``run(n)`` (timed: ``n`` iterations); ``params()`` gives the
weights as float64 ``[(W, b), ...]``.

PyTorch: ``nn.Sequential`` of ``nn.Linear`` and activations, ``F.cross_entropy``
(hinge: ``F.multi_margin_loss`` times K, which averages over classes where
chainrule sums), ``torch.optim.SGD`` / ``SGD(momentum=)`` / ``Adam``, eager
autograd.  JAX (optional): the whole block of iterations in one
``jax.jit``-compiled ``lax.scan`` (the fastest way to run JAX on a CPU),
gradients by ``jax.grad``, the optimizers written out (no optax).
"""

from __future__ import annotations

import numpy as np


def torch_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("torch") is not None


def jax_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("jax") is not None


class TorchRunner:
    """PyTorch CPU eager autograd, float32 or float64."""

    def __init__(self, config, dtype: str, X, y, params0, batches) -> None:
        import torch

        self.torch, self.config = torch, config
        self.tdt = getattr(torch, dtype)
        self.X = torch.tensor(X, dtype=self.tdt)
        self.y = torch.tensor(y, dtype=torch.int64)
        self.params0 = params0
        self.batches = None if batches is None else [torch.from_numpy(b) for b in batches]
        self.K = params0[-1][0].shape[1]

    def reset(self) -> None:
        torch, c = self.torch, self.config
        nn = torch.nn
        acts = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid,
                "leaky_relu": lambda: nn.LeakyReLU(0.01)}
        layers = []
        for i, (W, b) in enumerate(self.params0):
            lin = nn.Linear(*W.shape, dtype=self.tdt)
            with torch.no_grad():
                lin.weight.copy_(torch.tensor(W.T))
                lin.bias.copy_(torch.tensor(b.ravel()))
            layers.append(lin)
            if i < len(self.params0) - 1:
                layers.append(acts[c.activation]())
        self.model = nn.Sequential(*layers)
        params = self.model.parameters()
        extra = c.extra or {}
        if c.optimizer == "adam":
            self.opt = torch.optim.Adam(params, lr=c.lr, betas=(extra.get("beta1", 0.9),
                                                                 extra.get("beta2", 0.999)),
                                        eps=extra.get("eps", 1e-8))
        else:
            self.opt = torch.optim.SGD(params, lr=c.lr,
                                       momentum=extra.get("mu", 0.9) if c.optimizer == "momentum" else 0)
        self.k = 0

    def run(self, n: int) -> None:
        F = self.torch.nn.functional
        hinge = self.config.loss == "hinge"
        reg = self.config.reg
        weights = [m.weight for m in self.model if isinstance(m, self.torch.nn.Linear)]
        for _ in range(n):
            if self.batches is None:
                xb, yb = self.X, self.y
            else:
                idx = self.batches[self.k]
                xb, yb = self.X[idx], self.y[idx]
            self.k += 1
            scores = self.model(xb)
            loss = self.K * F.multi_margin_loss(scores, yb) if hinge else F.cross_entropy(scores, yb)
            if reg:
                loss = loss + sum(0.5 * reg * (W * W).sum() for W in weights)
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()

    def params(self):
        lins = [m for m in self.model if isinstance(m, self.torch.nn.Linear)]
        return [(m.weight.detach().numpy().T.astype(np.float64),
                 m.bias.detach().numpy().reshape(1, -1).astype(np.float64)) for m in lins]


class JaxRunner:
    """JAX on the CPU: ``jit`` + ``lax.scan`` over a block of iterations, float32 or float64."""

    compiles_per_length = True  # one XLA compilation per block length: warm up with the real one

    def __init__(self, config, dtype: str, X, y, params0, batches) -> None:
        import jax

        if dtype == "float64":
            jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp

        self.jax, self.jnp, self.config = jax, jnp, config
        self.dt = jnp.float64 if dtype == "float64" else jnp.float32
        self.X = jnp.asarray(X, dtype=self.dt)
        self.y = jnp.asarray(y)
        self.params0 = [(jnp.asarray(W, self.dt), jnp.asarray(b.ravel(), self.dt)) for W, b in params0]
        self.batches = None if batches is None else np.stack(batches)
        self._compiled: dict[int, object] = {}

    def _loss(self, params, xb, yb):
        jax, jnp, c = self.jax, self.jnp, self.config
        act = {"relu": jax.nn.relu, "tanh": jnp.tanh, "sigmoid": jax.nn.sigmoid,
               "leaky_relu": lambda z: jnp.where(z > 0, z, 0.01 * z)}[c.activation]
        h = xb
        for i, (W, b) in enumerate(params):
            h = h @ W + b
            if i < len(params) - 1:
                h = act(h)
        rows = jnp.arange(h.shape[0])
        if c.loss == "hinge":
            margins = jnp.maximum(0, h - h[rows, yb][:, None] + 1.0).at[rows, yb].set(0)
            data = jnp.sum(margins) / h.shape[0]
        else:
            data = -jnp.mean(jax.nn.log_softmax(h)[rows, yb])
        return data + sum(0.5 * c.reg * jnp.sum(W * W) for W, _ in params) if c.reg else data

    def _block(self, n: int):
        jax, jnp, c = self.jax, self.jnp, self.config
        extra = c.extra or {}
        lr, mu = c.lr, extra.get("mu", 0.9)
        b1, b2, eps = extra.get("beta1", 0.9), extra.get("beta2", 0.999), extra.get("eps", 1e-8)
        grad = jax.grad(self._loss)
        X, y = self.X, self.y
        tmap = jax.tree_util.tree_map

        def step(carry, idx):
            params, m, v, t = carry
            xb, yb = (X, y) if idx is None else (X[idx], y[idx])
            g = grad(params, xb, yb)
            t = t + 1
            if c.optimizer == "adam":
                m = tmap(lambda m_, g_: b1 * m_ + (1 - b1) * g_, m, g)
                v = tmap(lambda v_, g_: b2 * v_ + (1 - b2) * g_ * g_, v, g)
                c1, c2 = 1 - b1 ** t, 1 - b2 ** t
                params = tmap(lambda p, m_, v_: p - lr * (m_ / c1) / (jnp.sqrt(v_ / c2) + eps),
                              params, m, v)
            elif c.optimizer == "momentum":
                m = tmap(lambda m_, g_: mu * m_ - lr * g_, m, g)
                params = tmap(lambda p, m_: p + m_, params, m)
            else:
                params = tmap(lambda p, g_: p - lr * g_, params, g)
            return (params, m, v, t), None

        if self.batches is None:
            return jax.jit(lambda carry: jax.lax.scan(step, carry, None, length=n)[0])
        return jax.jit(lambda carry, idx: jax.lax.scan(step, carry, idx)[0])

    def reset(self) -> None:
        zeros = self.jax.tree_util.tree_map(self.jnp.zeros_like, self.params0)
        self.carry = (self.params0, zeros, zeros, self.jnp.asarray(0, self.dt))
        self.k = 0

    def run(self, n: int) -> None:
        if n not in self._compiled:
            self._compiled[n] = self._block(n)
        block = self._compiled[n]
        if self.batches is None:
            self.carry = block(self.carry)
        else:
            self.carry = block(self.carry, self.jnp.asarray(self.batches[self.k:self.k + n]))
            self.k += n
        self.jax.block_until_ready(self.carry)

    def params(self):
        return [(np.asarray(W, np.float64), np.asarray(b, np.float64).reshape(1, -1))
                for W, b in self.carry[0]]
