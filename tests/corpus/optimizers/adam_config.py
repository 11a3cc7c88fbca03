"""Adam as a function like the CS231n optim.py: next_w, config = adam(w, dw, config)."""
import numpy as np


def adam(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault('learning_rate', 1e-3)
    config.setdefault('beta1', 0.9)
    config.setdefault('beta2', 0.999)
    config.setdefault('epsilon', 1e-8)
    config.setdefault('m', np.zeros_like(w))
    config.setdefault('v', np.zeros_like(w))
    config.setdefault('t', 0)
    config['t'] += 1
    config['m'] = config['beta1'] * config['m'] + (1 - config['beta1']) * dw
    config['v'] = config['beta2'] * config['v'] + (1 - config['beta2']) * (dw ** 2)
    m_hat = config['m'] / (1 - config['beta1'] ** config['t'])
    v_hat = config['v'] / (1 - config['beta2'] ** config['t'])
    next_w = w - config['learning_rate'] * m_hat / (np.sqrt(v_hat) + config['epsilon'])
    return next_w, config


np.random.seed(19)
N, D, H, C = 100, 3, 20, 4
X = np.random.randn(N, D)
y = np.digitize(X[:, 0] + X[:, 1], [-1.0, 0.0, 1.0])
model = {'W1': 0.5 * np.random.randn(D, H), 'b1': np.zeros(H),
         'W2': 0.5 * np.random.randn(H, C), 'b2': np.zeros(C)}
configs = {p: {'learning_rate': 0.02} for p in model}

for t in range(100):
    a = np.maximum(0, X.dot(model['W1']) + model['b1'])
    s = a.dot(model['W2']) + model['b2']
    s = s - s.max(axis=1, keepdims=True)
    probs = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(N), y]).mean()
    ds = probs
    ds[np.arange(N), y] -= 1
    ds /= N
    grads = {'W2': a.T.dot(ds), 'b2': ds.sum(axis=0)}
    da = ds.dot(model['W2'].T)
    da[a <= 0] = 0
    grads['W1'] = X.T.dot(da)
    grads['b1'] = da.sum(axis=0)
    for p in ('W1', 'b1', 'W2', 'b2'):
        model[p], configs[p] = adam(model[p], grads[p], configs[p])
    if t % 25 == 0:
        print('t = %d, loss = %.4f' % (t, loss))
