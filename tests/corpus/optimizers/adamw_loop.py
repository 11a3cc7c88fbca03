"""AdamW: Adam with the weight decay *decoupled* from the gradient (wd·p added to the step, not to the
gradient), the moments created lazily with setdefault, and the update loop over the parameter dict."""
import numpy as np

np.random.seed(1)
N, D, H, K = 40, 3, 8, 3
X = np.random.randn(N, D)
y = np.random.randint(0, K, N)
P = {"W1": np.random.randn(D, H) * 0.5, "b1": np.zeros((1, H)),
     "W2": np.random.randn(H, K) * 0.5, "b2": np.zeros((1, K))}
lr, wd, beta1, beta2, eps = 0.05, 0.01, 0.9, 0.999, 1e-8
moments = {}
for it in range(60):
    h = np.maximum(0, X @ P["W1"] + P["b1"])
    s = h @ P["W2"] + P["b2"]
    e = np.exp(s - s.max(axis=1, keepdims=True))
    prob = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(prob[np.arange(N), y]).mean()
    ds = prob.copy()
    ds[np.arange(N), y] -= 1
    ds /= N
    dh = ds @ P["W2"].T
    dh[h <= 0] = 0
    G = {"W2": h.T @ ds, "b2": ds.sum(axis=0, keepdims=True), "W1": X.T @ dh, "b1": dh.sum(axis=0, keepdims=True)}
    for k in P:
        st = moments.setdefault(k, {"m": np.zeros_like(P[k]), "v": np.zeros_like(P[k])})
        st["m"] = beta1 * st["m"] + (1 - beta1) * G[k]
        st["v"] = beta2 * st["v"] + (1 - beta2) * G[k] ** 2
        m_hat = st["m"] / (1 - beta1 ** (it + 1))
        v_hat = st["v"] / (1 - beta2 ** (it + 1))
        P[k] -= lr * (m_hat / (np.sqrt(v_hat) + eps) + wd * P[k])
