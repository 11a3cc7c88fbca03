#!/usr/bin/env python
# coding: utf-8

# # Two moons, one tanh hidden layer
# Exported from my notebook with "Download as .py".

# In[1]:


get_ipython().system('pip install numpy matplotlib')


# In[2]:


import numpy as np
import matplotlib.pyplot as plt
get_ipython().run_line_magic('matplotlib', 'inline')


# In[3]:


rng = np.random.RandomState(7)
theta = np.pi * rng.rand(75)
X = np.vstack([np.c_[np.cos(theta), np.sin(theta)], np.c_[1 - np.cos(theta), 0.4 - np.sin(theta)]])
X += 0.1 * rng.randn(*X.shape)
y = np.r_[np.zeros(75, dtype=int), np.ones(75, dtype=int)]
plt.scatter(X[:, 0], X[:, 1], c=y)


# In[4]:


W1 = rng.randn(2, 10) * 0.7
b1 = np.zeros((1, 10))
W2 = rng.randn(10, 2) * 0.7
b2 = np.zeros((1, 2))
lr = 0.6
n = len(X)


# In[5]:


get_ipython().run_cell_magic('time', '', 'print("cell magics become calls too")\n')


# In[6]:


for epoch in range(150):
    a1 = np.tanh(X.dot(W1) + b1)
    z2 = a1.dot(W2) + b2
    probs = np.exp(z2) / np.exp(z2).sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(n), y]).mean()
    d2 = probs.copy()
    d2[np.arange(n), y] -= 1
    d2 /= n
    dW2 = a1.T.dot(d2)
    db2 = d2.sum(axis=0, keepdims=True)
    d1 = d2.dot(W2.T) * (1 - a1 ** 2)
    dW1 = X.T.dot(d1)
    db1 = d1.sum(axis=0, keepdims=True)
    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2
    if epoch % 50 == 0:
        print(epoch, loss)
