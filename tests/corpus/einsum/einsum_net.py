"""Forward and backward written with np.einsum, in the index notation of the formulas:
z_nj = Σ_i x_ni W_ij,  ∂L/∂W_ij = Σ_n x_ni δ_nj,  ∂L/∂x_ni = Σ_j δ_nj W_ij,  ∂L/∂b_j = Σ_n δ_nj."""
import numpy as np

rng = np.random.default_rng(13)
N, D, H, K = 50, 6, 6, 3
X = rng.normal(size=(N, D))
y = rng.integers(0, K, size=N)
W1 = rng.normal(0, 0.4, (D, H))
b1 = np.zeros(H)
W2 = rng.normal(0, 0.4, (H, H))
b2 = np.zeros(H)
W3 = rng.normal(0, 0.4, (H, K))
b3 = np.zeros(K)
for step in range(150):
    z1 = np.einsum("ni,ij->nj", X, W1) + b1
    a1 = np.maximum(z1, 0.0)
    z2 = np.einsum("ni,ij->nj", a1, W2) + b2
    a2 = np.maximum(z2, 0.0)
    s = np.einsum("ni,ij->nj", a2, W3) + b3
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(N), y]).mean()
    d = p.copy()
    d[np.arange(N), y] -= 1.0
    d /= N
    dW3 = np.einsum("ni,nj->ij", a2, d)
    db3 = np.einsum("nj->j", d)
    da2 = np.einsum("nj,ij->ni", d, W3)
    dz2 = da2 * (z2 > 0)
    dW2 = np.einsum("ni,nj->ij", a1, dz2)
    db2 = np.einsum("nj->j", dz2)
    da1 = np.einsum("nj,ij->ni", dz2, W2)
    dz1 = da1 * (z1 > 0)
    dW1 = np.einsum("ni,nj->ij", X, dz1)
    db1 = np.einsum("nj->j", dz1)
    for P_, G_ in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2), (W3, dW3), (b3, db3)):
        P_ -= 0.4 * G_
