# Logistic regression as a one-neuron network (week 2), on tiny synthetic 4x4 RGB "images".
import numpy as np

np.random.seed(1)
m_train = 80
images = np.random.randint(0, 256, size=(m_train, 4, 4, 3))
labels = (images[:, :2, :, 0].mean(axis=(1, 2)) > images[:, 2:, :, 2].mean(axis=(1, 2))).astype(int)
train_set_x_flatten = images.reshape(images.shape[0], -1).T
train_set_x = train_set_x_flatten / 255.
train_set_y = labels.reshape(1, m_train)


def sigmoid(z):
    s = 1 / (1 + np.exp(-z))
    return s


def init_zeros(dim):
    w = np.zeros((dim, 1))
    b = 0.
    return w, b


def forward_backward(w, b, X, Y):
    """Cost and gradients of logistic regression.
    w -- weights, (num_px * num_px * 3, 1); b -- bias, a scalar; X -- data (num_px * num_px * 3, m)
    """
    m = X.shape[1]
    # FORWARD PROPAGATION (FROM X TO COST)
    A = sigmoid(np.dot(w.T, X) + b)
    cost = -1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    # BACKWARD PROPAGATION (TO FIND GRAD)
    dw = 1 / m * np.dot(X, (A - Y).T)
    db = 1 / m * np.sum(A - Y)
    cost = float(np.squeeze(cost))
    grads = {"dw": dw, "db": db}
    return grads, cost


def gradient_descent(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    costs = []
    for i in range(num_iterations):
        grads, cost = forward_backward(w, b, X, Y)
        dw = grads["dw"]
        db = grads["db"]
        # update rule
        w = w - learning_rate * dw
        b = b - learning_rate * db
        if i % 50 == 0:
            costs.append(cost)
            if print_cost:
                print("Cost after iteration %i: %f" % (i, cost))
    params = {"w": w, "b": b}
    grads = {"dw": dw, "db": db}
    return params, grads, costs


def predict_labels(w, b, X):
    A = sigmoid(np.dot(w.T, X) + b)
    return (A > 0.5).astype(float)


def logistic_model(X_train, Y_train, num_iterations=2000, learning_rate=0.5, print_cost=False):
    w, b = init_zeros(X_train.shape[0])
    params, grads, costs = gradient_descent(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
    Y_prediction_train = predict_labels(params["w"], params["b"], X_train)
    print("train accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_train - Y_train)) * 100))
    return {"costs": costs, "w": params["w"], "b": params["b"]}


d = logistic_model(train_set_x, train_set_y, num_iterations=200, learning_rate=0.05, print_cost=True)
