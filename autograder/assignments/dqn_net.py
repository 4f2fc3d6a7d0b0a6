"""Deep Q-networks in NumPy (float64): elu hidden layers, linear Q-value outputs.

The grader uses it to play a trained Q-network in its own CartPole and, while it
tests ``train_dqn``, to take the training steps it serves itself.
"""

import numpy as np

from autograder.assignments import mlp, replays
from autograder.assignments.envs import cartpole


def q_values(weights, states):
    """Q-values of a batch of states, shape (batch, n_actions)."""
    return mlp.forward(weights, states)[1][-1]


def greedy_action(weights, state):
    return int(np.argmax(q_values(weights, np.asarray(state)[None])[0]))


def evaluate(weights, episodes, seed):
    """Mean return of the greedy policy over ``episodes`` CartPole-v1 episodes (seeds ``seed``, ``seed + 1``,
    ...)."""
    return float(np.mean(returns(weights, episodes, seed)))


def returns(weights, episodes, seed, replay=None):
    """The returns of the greedy policy in ``episodes`` CartPole-v1 episodes (seeds ``seed``, ``seed + 1``, ...),
    played side by side so that each step takes one batched forward pass; ``replay`` records the first."""
    weights = [np.asarray(weight, dtype=np.float64) for weight in weights]
    envs = [cartpole() for _ in range(episodes)]
    states = [env.reset(seed=seed + episode)[0] for episode, env in enumerate(envs)]
    totals, playing = np.zeros(episodes), list(range(episodes))
    while playing:
        actions = q_values(weights, np.array([states[episode] for episode in playing])).argmax(axis=1)
        still = []
        for episode, action in zip(playing, actions):
            states[episode], reward, terminated, truncated, _ = envs[episode].step(int(action))
            if replay is not None and episode == 0:
                replay.add(lambda: replays.cartpole_frame(envs[0]), reward)
            totals[episode] += reward
            if not (terminated or truncated):
                still.append(episode)
        playing = still
    return list(totals)


def targets(kind, online, target, experiences, discount_factor):
    """The Q-value targets of a batch: kind is "online" (training_step), "fixed" or "double"."""
    _, _, rewards, next_states, dones, _ = experiences
    if kind == "online":
        next_values = q_values(online, next_states).max(axis=1)
    elif kind == "fixed":
        next_values = q_values(target, next_states).max(axis=1)
    else:
        best = q_values(online, next_states).argmax(axis=1)
        next_values = q_values(target, next_states)[np.arange(len(best)), best]
    not_done = 1.0 - np.asarray(dones, dtype=np.float64)
    return np.asarray(rewards, dtype=np.float64) + not_done * discount_factor * next_values


def loss_and_gradients(weights, experiences, targets_, loss):
    """The loss ("mean_squared_error" or "huber") between the targets and the Q-values of the actions
    taken, averaged over the batch, and its gradients per variable."""
    states, actions = experiences[0], np.asarray(experiences[1])
    pre_activations, activations = mlp.forward(weights, states)
    rows = np.arange(len(actions))
    error = activations[-1][rows, actions] - targets_
    if loss == "huber":
        value = np.mean(np.where(np.abs(error) <= 1, 0.5 * error**2, np.abs(error) - 0.5))
        d_error = np.clip(error, -1, 1)
    else:
        value, d_error = np.mean(error**2), 2 * error
    d_z = np.zeros_like(activations[-1])
    d_z[rows, actions] = d_error / len(actions)
    grads = [None] * len(weights)
    for layer in range(len(weights) // 2 - 1, -1, -1):
        grads[2 * layer] = activations[layer].T @ d_z
        grads[2 * layer + 1] = d_z.sum(axis=0)
        if layer:
            d_z = (d_z @ np.asarray(weights[2 * layer], dtype=np.float64).T) * mlp.elu_derivative(
                pre_activations[layer - 1]
            )
    return value, grads
