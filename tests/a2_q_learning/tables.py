"""Assignment 2's tables for the kit tests: plausible wrong implementations of each graded function
(each must lose that function's points and only those) and two sets of correct alternatives."""

from tests.student_notebooks import Realistic

REFERENCE_ITERATION = """
    def q_value_iteration(transition_probabilities, rewards, possible_actions, gamma, n_iterations=50):
        n_states, n_actions = len(transition_probabilities), len(transition_probabilities[0])
        Q_values = np.full((n_states, n_actions), -np.inf)
        for state, actions in enumerate(possible_actions):
            Q_values[state, actions] = 0.0
        for iteration in range(n_iterations):
            Q_prev = Q_values.copy()
            for s in range(n_states):
                for a in possible_actions[s]:
                    Q_values[s, a] = np.sum([transition_probabilities[s][a][sp]
                                             * (rewards[s][a][sp] + gamma * np.max(Q_prev[sp]))
                                             for sp in range(n_states)])
        return Q_values
"""
REFERENCE_Q_LEARNING = """
    def q_learning(step, exploration_policy, possible_actions, n_iterations=10000, alpha0=0.05, decay=0.005,
                   gamma=0.9, start_state=0, seed=None):
        n_states, n_actions = len(possible_actions), max(max(actions) for actions in possible_actions) + 1
        Q_values = np.full((n_states, n_actions), -np.inf)
        for state, actions in enumerate(possible_actions):
            Q_values[state, actions] = 0.0
        state = start_state
        for iteration in range(n_iterations):
            action = exploration_policy(state)
            next_state, reward = step(state, action)
            next_value = np.max(Q_values[next_state])
            alpha = alpha0 / (1 + iteration * decay)
            Q_values[state, action] *= 1 - alpha
            Q_values[state, action] += alpha * (reward + gamma * next_value)
            state = next_state
        return Q_values
"""

MUTANTS = {
    "q_value_iteration": {
        "updates in place, without the previous sweep's copy": REFERENCE_ITERATION.replace(
            "Q_prev = Q_values.copy()", "Q_prev = Q_values"
        ),
        "zeros for the impossible actions": REFERENCE_ITERATION.replace(
            "np.full((n_states, n_actions), -np.inf)", "np.zeros((n_states, n_actions))"
        ),
        "always makes 50 sweeps": REFERENCE_ITERATION.replace("range(n_iterations)", "range(50)"),
        "the current state's best value instead of the next state's": REFERENCE_ITERATION.replace(
            "np.max(Q_prev[sp])", "np.max(Q_prev[s])"
        ),
    },
    "optimal_policy": {
        "argmax over the states": """
            def optimal_policy(Q):
                return np.argmax(Q, axis=0)
        """,
        "the worst action": """
            def optimal_policy(Q):
                return np.argmin(np.where(np.isneginf(Q), np.inf, Q), axis=1)
        """,
        "float actions": """
            def optimal_policy(Q):
                return np.argmax(Q, axis=1).astype(float)
        """,
    },
    "td_update": {
        "updates the caller's array": """
            def td_update(V, state, reward, next_state, alpha, gamma):
                V[state] += alpha * (reward + gamma * V[next_state] - V[state])
                return V
        """,
        "the TD error's sign flipped": """
            def td_update(V, state, reward, next_state, alpha, gamma):
                V = np.array(V, dtype=float)
                V[state] += alpha * (V[state] - reward - gamma * V[next_state])
                return V
        """,
        "no learning rate": """
            def td_update(V, state, reward, next_state, alpha, gamma):
                V = np.array(V, dtype=float)
                V[state] = reward + gamma * V[next_state]
                return V
        """,
        "decays V(s) before reading the target": """
            def td_update(V, state, reward, next_state, alpha, gamma):
                V = np.array(V, dtype=float)
                V[state] *= 1 - alpha
                V[state] += alpha * (reward + gamma * V[next_state])
                return V
        """,
    },
    "q_learning": {
        "constant learning rate": REFERENCE_Q_LEARNING.replace("alpha0 / (1 + iteration * decay)", "alpha0"),
        "schedule counted from 1": REFERENCE_Q_LEARNING.replace(
            "(1 + iteration * decay)", "(1 + (iteration + 1) * decay)"
        ),
        "the current state's best value in the target": REFERENCE_Q_LEARNING.replace(
            "np.max(Q_values[next_state])", "np.max(Q_values[state])"
        ),
        "zeros for the impossible actions": REFERENCE_Q_LEARNING.replace(
            "np.full((n_states, n_actions), -np.inf)", "np.zeros((n_states, n_actions))"
        ),
        "never leaves the start state": REFERENCE_Q_LEARNING.replace("state = next_state", "pass"),
    },
    "exploration_function": {
        "k / N, without the 1": """
            def exploration_function(q_values, counts, k):
                return np.asarray(q_values, dtype=float) + k / np.asarray(counts, dtype=float)
        """,
        "multiplies instead of adding": """
            def exploration_function(q_values, counts, k):
                return np.asarray(q_values, dtype=float) * k / (1 + np.asarray(counts))
        """,
        "integer division": """
            def exploration_function(q_values, counts, k):
                return np.asarray(q_values) + k // (1 + np.asarray(counts))
        """,
    },
}

ALTERNATIVES = [
    {  # vectorised NumPy
        "q_value_iteration": """
            def q_value_iteration(transition_probabilities, rewards, possible_actions, gamma, n_iterations=50):
                n_states, n_actions = len(transition_probabilities), len(transition_probabilities[0])
                T = np.array([[row if row is not None else [0.0] * n_states for row in state_rows]
                              for state_rows in transition_probabilities])
                R = np.asarray(rewards, dtype=float)
                possible = np.zeros((n_states, n_actions), dtype=bool)
                for state, actions in enumerate(possible_actions):
                    possible[state, actions] = True
                Q = np.where(possible, 0.0, -np.inf)
                for _ in range(n_iterations):
                    Q = np.where(possible, np.sum(T * (R + gamma * Q.max(axis=1)), axis=2), -np.inf)
                return Q
        """,
        "optimal_policy": """
            def optimal_policy(Q):
                return Q.argmax(axis=-1)
        """,
        "td_update": """
            def td_update(V, state, reward, next_state, alpha, gamma):
                updated = np.copy(np.asarray(V, dtype=float))
                target = reward + gamma * updated[next_state]
                updated[state] = (1 - alpha) * updated[state] + alpha * target
                return updated
        """,
        "q_learning": """
            def q_learning(step, exploration_policy, possible_actions, n_iterations=10000, alpha0=0.05,
                           decay=0.005, gamma=0.9, start_state=0, seed=None):
                if seed is not None:
                    np.random.seed(seed)
                n_actions = 1 + max(a for actions in possible_actions for a in actions)
                Q = np.full((len(possible_actions), n_actions), -np.inf)
                for s, actions in enumerate(possible_actions):
                    Q[s, actions] = 0
                s = start_state
                for t in range(n_iterations):
                    a = exploration_policy(s)
                    s2, r = step(s, a)
                    alpha = alpha0 / (1 + t * decay)
                    Q[s, a] += alpha * (r + gamma * Q[s2].max() - Q[s, a])
                    s = s2
                return Q
        """,
        "exploration_function": """
            def exploration_function(q_values, counts, k):
                return np.array(q_values, dtype=float) + k * np.reciprocal(1.0 + np.array(counts, dtype=float))
        """,
    },
    {  # plain Python loops
        "q_value_iteration": """
            def q_value_iteration(transition_probabilities, rewards, possible_actions, gamma, n_iterations=50):
                n_states, n_actions = len(transition_probabilities), len(transition_probabilities[0])
                Q = [[0.0 if a in possible_actions[s] else -np.inf for a in range(n_actions)]
                     for s in range(n_states)]
                for _ in range(n_iterations):
                    V = [max(Q[s][a] for a in possible_actions[s]) for s in range(n_states)]
                    Q = [[sum(transition_probabilities[s][a][s2] * (rewards[s][a][s2] + gamma * V[s2])
                              for s2 in range(n_states)) if a in possible_actions[s] else -np.inf
                          for a in range(n_actions)] for s in range(n_states)]
                return np.array(Q, dtype=float)
        """,
        "optimal_policy": """
            def optimal_policy(Q):
                return np.array([max(range(len(row)), key=lambda a: row[a]) for row in Q])
        """,
        "td_update": """
            def td_update(V, state, reward, next_state, alpha, gamma):
                new = [float(value) for value in V]
                td_error = reward + gamma * new[next_state] - new[state]
                new[state] += alpha * td_error
                return np.array(new)
        """,
        "q_learning": """
            def q_learning(step, exploration_policy, possible_actions, n_iterations=10000, alpha0=0.05,
                           decay=0.005, gamma=0.9, start_state=0, seed=None):
                rng_state = np.random.seed(seed) if seed is not None else None
                table = {(s, a): 0.0 for s, actions in enumerate(possible_actions) for a in actions}
                state = start_state
                for iteration in range(n_iterations):
                    action = exploration_policy(state)
                    next_state, reward = step(state, action)
                    best_next = max(table[next_state, a] for a in possible_actions[next_state])
                    alpha = alpha0 / (1 + iteration * decay)
                    table[state, action] = (1 - alpha) * table[state, action] + alpha * (reward + gamma * best_next)
                    state = next_state
                n_actions = max(a for s, a in table) + 1
                return np.array([[table.get((s, a), -np.inf) for a in range(n_actions)]
                                 for s in range(len(possible_actions))])
        """,
        "exploration_function": """
            def exploration_function(q_values, counts, k):
                q = np.array(q_values, dtype=float)
                n = np.array(counts, dtype=float)
                return np.add(q, np.divide(k, np.add(n, 1.0)))
        """,
    },
]

REALISTIC = [
    Realistic(  # VS Code: helpers and constants in cells of their own, before and after the functions using them
        app="vscode",
        added=(
            (
                "q_value_iteration",
                "before",
                """
                !nvidia-smi
                import itertools as it
                IMPOSSIBLE = -np.inf
            """,
            ),
            (
                "q_value_iteration",
                "after",
                '''
                def _backup(transition_probabilities, rewards, gamma, Q_prev, s, a):
                    """The Bellman backup of one state-action pair (defined after its user, called at run time)."""
                    return sum(transition_probabilities[s][a][sp] * (rewards[s][a][sp] + gamma * np.max(Q_prev[sp]))
                               for sp in range(len(Q_prev)))
            ''',
            ),
            (
                "exploration_function",
                "after",
                """
                %timeit exploration_function(np.zeros(3), np.arange(3), 2.0)
                values = exploration_function(np.zeros(3), np.arange(3), 2.0)
                print(values)
            """,
            ),
        ),
        cells={
            "q_value_iteration": """
                def q_value_iteration(transition_probabilities, rewards, possible_actions, gamma, n_iterations=50):
                    n_states, n_actions = len(transition_probabilities), len(transition_probabilities[0])
                    Q_values = np.full((n_states, n_actions), IMPOSSIBLE)
                    for state, actions in enumerate(possible_actions):
                        Q_values[state, actions] = 0.0
                    for _ in range(n_iterations):
                        Q_prev = Q_values.copy()
                        for s, a in it.chain.from_iterable(((s, a) for a in possible_actions[s])
                                                           for s in range(n_states)):
                            Q_values[s, a] = _backup(transition_probabilities, rewards, gamma, Q_prev, s, a)
                    return Q_values

                print(q_value_iteration([[[1.0]]], [[[1.0]]], [[0]], 0.5, 10))
            """
        },
    ),
    Realistic(  # Notebook 7: cell magics around definitions, a cell moved to the end, no outputs kept
        app="notebook7",
        outputs=False,
        added=(
            (
                "td_update",
                "before",
                """
                %%capture
                from copy import deepcopy
                def as_floats(values):
                    return np.array(deepcopy(values), dtype=np.float64)
            """,
            ),
        ),
        cells={
            "td_update": """
                %%time
                def td_update(V, state, reward, next_state, alpha, gamma):
                    V = as_floats(V)
                    V[state] += alpha * (reward + gamma * V[next_state] - V[state])
                    return V
                td_update([0.0, 1.0], 0, 1.0, 1, 0.5, 0.9)
            """
        },
        moved=("optimal_policy",),
    ),
]
