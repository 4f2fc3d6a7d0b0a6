"""Assignment 3's tables for the kit tests: plausible wrong implementations of each graded function
(each must lose that function's points and only those) and two sets of correct alternatives."""

from tests.student_notebooks import Realistic

BUILD = """
    def build_dqn(input_shape=(4,), n_outputs=2):
        return keras.Sequential([keras.layers.Input(shape=input_shape), keras.layers.Dense(64, activation="elu"),
                                 keras.layers.Dense(64, activation="elu"), keras.layers.Dense(n_outputs)])
"""
POLICY = """
    def epsilon_greedy_policy(model, state, epsilon=0.0):
        n_outputs = model.output_shape[-1]
        if np.random.rand() < epsilon:
            return int(np.random.randint(n_outputs))
        Q_values = model(state[np.newaxis])
        return int(np.argmax(Q_values[0]))
"""
SAMPLE = """
    def sample_experiences(replay_buffer, batch_size):
        indices = np.random.randint(len(replay_buffer), size=batch_size)
        batch = [replay_buffer[index] for index in indices]
        return tuple(np.array([experience[field] for experience in batch]) for field in range(6))
"""
PLAY = """
    def play_one_step(env, state, epsilon, model, replay_buffer):
        action = epsilon_greedy_policy(model, state, epsilon)
        next_state, reward, done, truncated, info = env.step(action)
        replay_buffer.append((state, action, reward, next_state, done, truncated))
        return next_state, reward, done, truncated, info
"""
STEP = """
    def training_step(model, optimizer, loss_fn, experiences, discount_factor, n_outputs):
        states, actions, rewards, next_states, dones, truncateds = experiences
        next_Q_values = model(next_states).numpy()
        max_next_Q_values = next_Q_values.max(axis=1)
        target_Q_values = rewards + (1 - dones) * discount_factor * max_next_Q_values
        target_Q_values = target_Q_values.reshape(-1, 1)
        mask = tf.one_hot(actions, n_outputs)
        with tf.GradientTape() as tape:
            all_Q_values = model(states)
            Q_values = tf.reduce_sum(all_Q_values * mask, axis=1, keepdims=True)
            loss = tf.reduce_mean(loss_fn(target_Q_values, Q_values))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss
"""
FIXED = STEP.replace(
    "def training_step(model, optimizer", "def fixed_target_training_step(model, target_model, optimizer"
).replace("next_Q_values = model(next_states)", "next_Q_values = target_model(next_states)")
DOUBLE = STEP.replace(
    "def training_step(model, optimizer", "def double_dqn_training_step(model, target_model, optimizer"
).replace(
    """        next_Q_values = model(next_states).numpy()
        max_next_Q_values = next_Q_values.max(axis=1)""",
    """        best_next_actions = np.argmax(model(next_states).numpy(), axis=1)
        target_next = target_model(next_states).numpy()
        max_next_Q_values = target_next[np.arange(len(target_next)), best_next_actions]""",
)
PER = """
    def per_sample(priorities, batch_size, zeta, beta, rng):
        scaled = np.asarray(priorities, dtype=float) ** zeta
        probabilities = scaled / scaled.sum()
        indices = rng.choice(len(probabilities), size=batch_size, p=probabilities)
        weights = (len(probabilities) * probabilities[indices]) ** (-beta)
        return indices, weights / weights.max()
"""
DUELING = """
    def build_dueling_dqn(input_shape=(4,), n_outputs=2):
        inputs = keras.layers.Input(shape=input_shape)
        hidden = keras.layers.Dense(64, activation="elu")(inputs)
        hidden = keras.layers.Dense(64, activation="elu")(hidden)
        values = keras.layers.Dense(1)(hidden)
        advantages = keras.layers.Dense(n_outputs)(hidden)
        Q_values = values + advantages - tf.reduce_max(advantages, axis=1, keepdims=True)
        return keras.Model(inputs=[inputs], outputs=[Q_values])
"""
TRAIN = """
    REPLAY_BUFFER_SIZE = 50_000
    EPSILON_FRACTION = 0.2
    EPSILON_MIN = 0.01

    def train_dqn(env, model, target_model, n_episodes, n_max_steps, batch_size, discount_factor, optimizer,
                  loss_fn, warmup_episodes, target_update_period, seed):
        tf.random.set_seed(seed)
        np.random.seed(seed)
        replay_buffer = deque(maxlen=REPLAY_BUFFER_SIZE)
        episode_returns, training_steps = [], 0
        for episode in range(n_episodes):
            state, info = env.reset(seed=seed if episode == 0 else None)
            epsilon = max(1 - episode / (EPSILON_FRACTION * n_episodes), EPSILON_MIN)
            episode_return = 0.0
            for step in range(n_max_steps):
                state, reward, done, truncated, info = play_one_step(env, state, epsilon, model, replay_buffer)
                episode_return += reward
                if episode >= warmup_episodes:
                    double_dqn_training_step(model, target_model, optimizer, loss_fn,
                                             sample_experiences(replay_buffer, batch_size), discount_factor, 2)
                    training_steps += 1
                    if training_steps % target_update_period == 0:
                        target_model.set_weights(model.get_weights())
                if done or truncated:
                    break
            episode_returns.append(episode_return)
        return episode_returns
"""

MUTANTS = {
    "build_dqn": {
        "the lesson's 32 units": BUILD.replace("Dense(64", "Dense(32"),
        "relu instead of elu": BUILD.replace('"elu"', '"relu"'),
        "input_shape = [5], the lesson's typo": BUILD.replace("input_shape=(4,)", "input_shape=(5,)"),
        "always 2 outputs": BUILD.replace("keras.layers.Dense(n_outputs)", "keras.layers.Dense(2)"),
    },
    "epsilon_greedy_policy": {
        "never explores": POLICY.replace("if np.random.rand() < epsilon:", "if False:"),
        "explores with probability 1 - epsilon": POLICY.replace(
            "np.random.rand() < epsilon", "np.random.rand() > epsilon"
        ),
        "the lowest Q-value": POLICY.replace("np.argmax(Q_values[0])", "np.argmin(Q_values[0])"),
        "model.predict, as in the lesson": POLICY.replace(
            "model(state[np.newaxis])", "model.predict(state[np.newaxis], verbose=0)"
        ),
        "returns an array": POLICY.replace("return int(np.argmax(Q_values[0]))", "return np.argmax(Q_values, axis=1)"),
        "explores half the time whatever epsilon": POLICY.replace(
            "if np.random.rand() < epsilon:", "if epsilon and np.random.rand() < 0.5:"
        ),
        "explores among the other actions only": """
            def epsilon_greedy_policy(model, state, epsilon=0.0):
                n_outputs = model.output_shape[-1]
                greedy = int(np.argmax(model(state[np.newaxis])[0]))
                if np.random.rand() < epsilon:
                    return int((greedy + np.random.randint(1, n_outputs)) % n_outputs)
                return greedy
        """,
    },
    "sample_experiences": {
        "the first experiences, not random ones": SAMPLE.replace(
            "np.random.randint(len(replay_buffer), size=batch_size)", "np.arange(batch_size) % len(replay_buffer)"
        ),
        "never the last experience": SAMPLE.replace(
            "np.random.randint(len(replay_buffer)", "np.random.randint(len(replay_buffer) - 1"
        ),
        "never the first experience": SAMPLE.replace(
            "np.random.randint(len(replay_buffer)", "np.random.randint(1, len(replay_buffer)"
        ),
        "five fields, as in the lesson": SAMPLE.replace("range(6)", "range(5)"),
        "one draw per field": """
            def sample_experiences(replay_buffer, batch_size):
                return tuple(np.array([replay_buffer[i][field] for i in np.random.randint(len(replay_buffer),
                                                                                          size=batch_size)])
                             for field in range(6))
        """,
    },
    "play_one_step": {
        "stores the lesson's 5-tuple": PLAY.replace(
            "(state, action, reward, next_state, done, truncated))", "(state, action, reward, next_state, done))"
        ),
        "stores done or truncated as done": PLAY.replace(
            "(state, action, reward, next_state, done, truncated))",
            "(state, action, reward, next_state, done or truncated, truncated))",
        ).replace(
            "return next_state, reward, done, truncated, info",
            "return next_state, reward, done or truncated, truncated, info",
        ),
        "a random action": PLAY.replace(
            "action = epsilon_greedy_policy(model, state, epsilon)", "action = int(np.random.randint(2))"
        ),
        "returns the old state": PLAY.replace("return next_state, reward", "return state, reward"),
    },
    "training_step": {
        "forgets 1 - done": STEP.replace("rewards + (1 - dones) * discount_factor", "rewards + discount_factor"),
        "stops bootstrapping at truncation too": STEP.replace("(1 - dones)", "(1 - (dones | truncateds))"),
        "targets of shape (batch,), broadcast by the loss": STEP.replace(
            "        target_Q_values = target_Q_values.reshape(-1, 1)\n", ""
        ),
        "the one-hot mask along the wrong axis": STEP.replace(
            "tf.one_hot(actions, n_outputs)", "tf.one_hot(actions, n_outputs, axis=0)"
        ),
        "no gradient step": STEP.replace(
            "        optimizer.apply_gradients(zip(grads, model.trainable_variables))\n", ""
        ),
        "returns nothing": STEP.replace("        return loss\n", ""),
    },
    "fixed_target_training_step": {
        "targets from the online model": FIXED.replace("target_model(next_states)", "model(next_states)"),
        "forgets 1 - done": FIXED.replace("rewards + (1 - dones) * discount_factor", "rewards + discount_factor"),
        "trains the target model": FIXED.replace(
            "zip(grads, model.trainable_variables)", "zip(grads, target_model.trainable_variables)"
        ),
        "returns nothing": FIXED.replace("        return loss\n", ""),
    },
    "double_dqn_training_step": {
        "the target model picks and values": DOUBLE.replace(
            "np.argmax(model(next_states)", "np.argmax(target_model(next_states)"
        ),
        "the online model values": DOUBLE.replace(
            "target_next = target_model(next_states)", "target_next = model(next_states)"
        ),
        "max where argmax belongs": DOUBLE.replace(
            "best_next_actions = np.argmax(model(next_states).numpy(), axis=1)",
            "best_next_actions = np.max(model(next_states).numpy(), axis=1).astype(int)",
        ),
        "forgets 1 - done": DOUBLE.replace("rewards + (1 - dones) * discount_factor", "rewards + discount_factor"),
        "returns nothing": DOUBLE.replace("        return loss\n", ""),
    },
    "per_sample": {
        "uniform sampling": PER.replace("p=probabilities)", ")"),
        "priorities without the zeta power": PER.replace("** zeta", ""),
        "the lesson's +beta": PER.replace("** (-beta)", "** beta"),
        "weights normalised by their sum": PER.replace("weights / weights.max()", "weights / weights.sum()"),
        "indices as a list": PER.replace("return indices, weights", "return indices.tolist(), weights"),
    },
    "build_dueling_dqn": {
        "the mean advantage instead of the max": DUELING.replace(
            "tf.reduce_max(advantages", "tf.reduce_mean(advantages"
        ),
        "no subtraction": DUELING.replace(" - tf.reduce_max(advantages, axis=1, keepdims=True)", ""),
        "no value head": DUELING.replace("values + advantages", "advantages").replace(
            "        values = keras.layers.Dense(1)(hidden)\n", ""
        ),
        "always 2 actions": DUELING.replace("keras.layers.Dense(n_outputs)", "keras.layers.Dense(2)"),
    },
    "train_dqn": {
        "epsilon counted from episode 1": TRAIN.replace("1 - episode /", "1 - (episode + 1) /"),
        "trains during the warm-up": TRAIN.replace(
            "if episode >= warmup_episodes:", "if len(replay_buffer) >= batch_size:"
        ),
        "plain training_step instead of double DQN": TRAIN.replace(
            "double_dqn_training_step(model, target_model, optimizer", "training_step(model, optimizer"
        ),
        "never updates the target model": TRAIN.replace("target_model.set_weights(model.get_weights())", "pass"),
        "no training at all": TRAIN.replace(
            """                    double_dqn_training_step(model, target_model, optimizer, loss_fn,
                                             sample_experiences(replay_buffer, batch_size), discount_factor, 2)
""",
            "",
        ),
        "returns the running total": TRAIN.replace(
            "episode_returns.append(episode_return)", "episode_returns.append(episode_return + sum(episode_returns))"
        ),
        "the first reset without the seed": TRAIN.replace(
            "env.reset(seed=seed if episode == 0 else None)", "env.reset()"
        ),
    },
}

ALTERNATIVES = [
    {  # functional API, TensorFlow ops, different loops
        "build_dqn": """
            def build_dqn(input_shape=(4,), n_outputs=2):
                inputs = keras.Input(shape=tuple(input_shape))
                x = keras.layers.Dense(64, activation=tf.nn.elu)(inputs)
                x = keras.layers.Dense(64, activation=tf.nn.elu)(x)
                return keras.Model(inputs, keras.layers.Dense(n_outputs, activation=None)(x))
        """,
        "epsilon_greedy_policy": """
            def epsilon_greedy_policy(model, state, epsilon=0.0):
                if np.random.random() < epsilon:
                    return int(np.random.choice(model.output_shape[-1]))
                return int(tf.argmax(model(tf.reshape(tf.cast(state, tf.float32), (1, -1)))[0]))
        """,
        "sample_experiences": """
            def sample_experiences(replay_buffer, batch_size):
                chosen = [replay_buffer[i] for i in np.random.choice(len(replay_buffer), size=batch_size)]
                return tuple(np.array(field) for field in zip(*chosen))
        """,
        "play_one_step": """
            def play_one_step(env, state, epsilon, model, replay_buffer):
                action = epsilon_greedy_policy(model, state, epsilon)
                outcome = env.step(action)
                next_state, reward, done, truncated, _ = outcome
                replay_buffer.append((state, action, reward, next_state, done, truncated))
                return outcome
        """,
        "training_step": """
            def training_step(model, optimizer, loss_fn, experiences, discount_factor, n_outputs):
                states, actions, rewards, next_states, dones, _ = experiences
                rewards = tf.constant(rewards, tf.float32)
                bootstrap = 1.0 - tf.constant(dones, tf.float32)
                targets = rewards + bootstrap * discount_factor * tf.reduce_max(model(next_states), axis=1)
                with tf.GradientTape() as tape:
                    chosen = tf.gather(model(states), actions, batch_dims=1)
                    loss = tf.reduce_mean(loss_fn(tf.expand_dims(targets, 1), tf.expand_dims(chosen, 1)))
                optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables),
                                              model.trainable_variables))
                return loss
        """,
        "fixed_target_training_step": """
            def fixed_target_training_step(model, target_model, optimizer, loss_fn, experiences, discount_factor,
                                           n_outputs):
                states, actions, rewards, next_states, dones, _ = experiences
                rewards = tf.constant(rewards, tf.float32)
                bootstrap = 1.0 - tf.constant(dones, tf.float32)
                targets = rewards + bootstrap * discount_factor * tf.reduce_max(target_model(next_states), axis=1)
                with tf.GradientTape() as tape:
                    chosen = tf.gather(model(states), actions, batch_dims=1)
                    loss = tf.reduce_mean(loss_fn(tf.expand_dims(targets, 1), tf.expand_dims(chosen, 1)))
                optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables),
                                              model.trainable_variables))
                return loss
        """,
        "double_dqn_training_step": """
            def double_dqn_training_step(model, target_model, optimizer, loss_fn, experiences, discount_factor,
                                         n_outputs):
                states, actions, rewards, next_states, dones, _ = experiences
                best = tf.argmax(model(next_states), axis=1)
                next_values = tf.gather(target_model(next_states), best, batch_dims=1)
                targets = tf.constant(rewards, tf.float32) + (1.0 - tf.constant(dones, tf.float32)) \\
                    * discount_factor * next_values
                with tf.GradientTape() as tape:
                    chosen = tf.gather(model(states), actions, batch_dims=1)
                    loss = tf.reduce_mean(loss_fn(tf.expand_dims(targets, 1), tf.expand_dims(chosen, 1)))
                optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables),
                                              model.trainable_variables))
                return loss
        """,
        "per_sample": """
            def per_sample(priorities, batch_size, zeta, beta, rng):
                p = np.power(np.array(priorities, dtype=np.float64), zeta)
                P = p / np.sum(p)
                indices = np.searchsorted(np.cumsum(P), rng.random(batch_size) * np.sum(P))
                indices = np.minimum(indices, len(P) - 1)
                w = np.power(len(P) * P[indices], -beta)
                return indices, w / np.max(w)
        """,
        "build_dueling_dqn": """
            def build_dueling_dqn(input_shape=(4,), n_outputs=2):
                inputs = keras.Input(shape=tuple(input_shape))
                hidden = keras.layers.Dense(64, activation="elu")(keras.layers.Dense(64, activation="elu")(inputs))
                advantages = keras.layers.Dense(n_outputs)(hidden)
                value = keras.layers.Dense(1)(hidden)
                outputs = keras.layers.Lambda(lambda va: va[0] + va[1] - tf.reduce_max(va[1], axis=1, keepdims=True))(
                    [value, advantages])
                return keras.Model(inputs, outputs)
        """,
        "train_dqn": """
            REPLAY_BUFFER_SIZE = 50_000
            EPSILON_FRACTION = 0.2
            EPSILON_MIN = 0.01

            def train_dqn(env, model, target_model, n_episodes, n_max_steps, batch_size, discount_factor,
                          optimizer, loss_fn, warmup_episodes, target_update_period, seed):
                np.random.seed(seed)
                tf.random.set_seed(seed)
                buffer = deque(maxlen=REPLAY_BUFFER_SIZE)
                returns, updates = [], 0
                for episode in range(n_episodes):
                    state, _ = env.reset(seed=seed) if episode == 0 else env.reset()
                    epsilon = max(EPSILON_MIN, 1.0 - episode / (EPSILON_FRACTION * n_episodes))
                    total, steps, finished = 0.0, 0, False
                    while not finished and steps < n_max_steps:
                        state, reward, done, truncated, _ = play_one_step(env, state, epsilon, model, buffer)
                        total += reward
                        steps += 1
                        finished = done or truncated
                        if episode < warmup_episodes:
                            continue
                        batch = sample_experiences(buffer, batch_size)
                        double_dqn_training_step(model, target_model, optimizer, loss_fn, batch, discount_factor,
                                                 model.output_shape[-1])
                        updates += 1
                        if updates % target_update_period == 0:
                            target_model.set_weights(model.get_weights())
                    returns.append(float(total))
                return returns
        """,
    },
    {  # eager NumPy-heavy versions
        "build_dqn": """
            def build_dqn(input_shape=(4,), n_outputs=2):
                model = keras.models.Sequential()
                model.add(keras.layers.Dense(64, activation="elu", input_shape=input_shape))
                model.add(keras.layers.Dense(64))
                model.add(keras.layers.Activation("elu"))
                model.add(keras.layers.Dense(n_outputs))
                return model
        """,
        "epsilon_greedy_policy": """
            def epsilon_greedy_policy(model, state, epsilon=0.0):
                n = model.output_shape[-1]
                if np.random.uniform() >= epsilon:
                    q = model(np.asarray([state], dtype=np.float32)).numpy()[0]
                    return int(q.argmax())
                return int(np.random.randint(0, n))
        """,
        "sample_experiences": """
            def sample_experiences(replay_buffer, batch_size):
                picks = np.random.randint(0, len(replay_buffer), batch_size)
                fields = [[], [], [], [], [], []]
                for index in picks:
                    for field, value in zip(fields, replay_buffer[index]):
                        field.append(value)
                return [np.array(field) for field in fields]
        """,
        "play_one_step": """
            def play_one_step(env, state, epsilon, model, replay_buffer):
                action = epsilon_greedy_policy(model, state, epsilon=epsilon)
                next_state, reward, done, truncated, info = env.step(action)
                replay_buffer.append(tuple([state, action, reward, next_state, done, truncated]))
                return next_state, reward, done, truncated, info
        """,
        "training_step": STEP,
        "fixed_target_training_step": FIXED,
        "double_dqn_training_step": DOUBLE,
        "per_sample": """
            def per_sample(priorities, batch_size, zeta, beta, rng):
                priorities = np.asarray(priorities, dtype=float)
                probabilities = priorities ** zeta
                probabilities /= probabilities.sum()
                indices = np.array([rng.choice(len(priorities), p=probabilities) for _ in range(batch_size)])
                weights = np.array([(len(priorities) * probabilities[i]) ** -beta for i in indices])
                return indices, weights / weights.max()
        """,
        "build_dueling_dqn": DUELING,
        "train_dqn": TRAIN,
    },
]

REALISTIC = [
    Realistic(  # Google Colab (nbgrader's metadata lost): compiled helpers in cells of their own, the notebook's
        app="colab",  # full training run left in, magics, debugging prints
        added=(
            (
                "build_dqn",
                "before",
                """
                !pip install -q tf-agents
                %matplotlib inline
                HIDDEN = 64
                ACTIVATION = "elu"
            """,
            ),
            (
                "epsilon_greedy_policy",
                "before",
                """
                @tf.function(reduce_retracing=True)
                def q_of(model, states):
                    return model(states, training=False)
            """,
            ),
            (
                "train_dqn",
                "after",
                """
                %%time
                env = gym.make("CartPole-v1")
                model, target_model = build_dqn(), build_dqn()
                target_model.set_weights(model.get_weights())
                returns = train_dqn(env, model, target_model, 300, 500, 64, 0.99, keras.optimizers.Adam(1e-3),
                                    keras.losses.Huber(), 10, 100, 42)
                print(returns[-10:])
            """,
            ),
        ),
        cells={
            "build_dqn": """
                def build_dqn(input_shape=(4,), n_outputs=2):
                    print("building a DQN for", input_shape)
                    return keras.Sequential([keras.layers.Input(shape=input_shape),
                                             keras.layers.Dense(HIDDEN, activation=ACTIVATION),
                                             keras.layers.Dense(HIDDEN, activation=ACTIVATION),
                                             keras.layers.Dense(n_outputs)])
            """,
            "epsilon_greedy_policy": """
                %%time
                def epsilon_greedy_policy(model, state, epsilon=0.0):
                    if np.random.rand() < epsilon:
                        return int(np.random.randint(model.output_shape[-1]))
                    return int(np.argmax(q_of(model, tf.constant(state[np.newaxis], dtype=tf.float32))[0]))

                epsilon_greedy_policy(build_dqn(), np.zeros(4, np.float32), 0.5)
            """,
        },
    )
]
