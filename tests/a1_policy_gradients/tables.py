"""Assignment 1's tables for the kit tests: plausible wrong implementations of each graded function
(each must lose that function's points and only those), correct alternatives (full marks), and notebooks as
students really write and save them (full marks)."""

from tests.student_notebooks import Realistic

REFERENCE_PLAY_ONE_STEP = """
    def play_one_step(env, obs, model, loss_fn):
        with tf.GradientTape() as tape:
            left_proba = model(obs[np.newaxis])
            action = tf.random.uniform([1, 1]) > left_proba
            y_target = tf.constant([[1.0]]) - tf.cast(action, tf.float32)
            loss = tf.reduce_mean(loss_fn(y_target, left_proba))
        grads = tape.gradient(loss, model.trainable_variables)
        obs, reward, terminated, truncated, info = env.step(int(action[0, 0].numpy()))
        return obs, reward, terminated or truncated, grads
"""
REFERENCE_EPISODES = """
    def play_multiple_episodes(env, n_episodes, n_max_steps, model, loss_fn):
        all_rewards, all_grads = [], []
        for episode in range(n_episodes):
            current_rewards, current_grads = [], []
            obs, info = env.reset()
            for step in range(n_max_steps):
                obs, reward, done, grads = play_one_step(env, obs, model, loss_fn)
                current_rewards.append(reward)
                current_grads.append(grads)
                if done:
                    break
            all_rewards.append(current_rewards)
            all_grads.append(current_grads)
        return all_rewards, all_grads
"""
REFERENCE_TRAIN = """
    def train_policy_gradient(env, model, n_iterations, n_episodes_per_update, n_max_steps,
                              discount_factor, optimizer, loss_fn):
        curve = []
        for iteration in range(n_iterations):
            all_rewards, all_grads = play_multiple_episodes(env, n_episodes_per_update, n_max_steps, model, loss_fn)
            curve.append(float(np.mean([sum(rewards) for rewards in all_rewards])))
            all_final_rewards = discount_and_normalise_rewards(all_rewards, discount_factor)
            all_mean_grads = []
            for var_index in range(len(model.trainable_variables)):
                all_mean_grads.append(tf.reduce_mean(
                    [final_reward * all_grads[episode_index][step][var_index]
                     for episode_index, final_rewards in enumerate(all_final_rewards)
                     for step, final_reward in enumerate(final_rewards)], axis=0))
            optimizer.apply_gradients(zip(all_mean_grads, model.trainable_variables))
        return curve
"""

MUTANTS = {
    "basic_policy": {
        "reads obs[0][2], as the old gym code did": """
            def basic_policy(obs):
                angle = obs[0][2]
                return 0 if angle < 0 else 1
        """,
        "follows the cart's position": """
            def basic_policy(obs):
                return 0 if obs[0] < 0 else 1
        """,
        "returns a float action": """
            def basic_policy(obs):
                return 0.0 if obs[2] < 0 else 1.0
        """,
    },
    "build_policy_model": {
        "relu instead of elu": """
            def build_policy_model(n_inputs=4, n_hidden=5):
                return keras.Sequential([keras.layers.Input(shape=(n_inputs,)),
                                         keras.layers.Dense(n_hidden, activation="relu"),
                                         keras.layers.Dense(1, activation="sigmoid")])
        """,
        "n_inputs = 5, the lesson's typo": """
            def build_policy_model(n_inputs=5, n_hidden=5):
                return keras.Sequential([keras.layers.Input(shape=(n_inputs,)),
                                         keras.layers.Dense(n_hidden, activation="elu"),
                                         keras.layers.Dense(1, activation="sigmoid")])
        """,
        "ignores n_inputs and n_hidden": """
            def build_policy_model(n_inputs=4, n_hidden=5):
                return keras.Sequential([keras.layers.Input(shape=(4,)),
                                         keras.layers.Dense(5, activation="elu"),
                                         keras.layers.Dense(1, activation="sigmoid")])
        """,
    },
    "discount_rewards": {
        "integer arithmetic, as in the lesson": """
            def discount_rewards(rewards, discount_factor):
                discounted = np.array(rewards)
                for step in range(len(rewards) - 2, -1, -1):
                    discounted[step] += discounted[step + 1] * discount_factor
                return discounted
        """,
        "accumulates forwards instead of backwards": """
            def discount_rewards(rewards, discount_factor):
                discounted = np.array(rewards, dtype=float)
                for step in range(1, len(discounted)):
                    discounted[step] += discounted[step - 1] * discount_factor
                return discounted
        """,
        "changes the caller's array": """
            def discount_rewards(rewards, discount_factor):
                discounted = np.asarray(rewards, dtype=float)
                for step in range(len(discounted) - 2, -1, -1):
                    discounted[step] += discounted[step + 1] * discount_factor
                return discounted
        """,
        "fails on an empty episode": """
            def discount_rewards(rewards, discount_factor):
                discounted = np.array(rewards, dtype=float)
                running = discounted[-1]
                for step in range(len(discounted) - 2, -1, -1):
                    running = discounted[step] + discount_factor * running
                    discounted[step] = running
                return discounted
        """,
    },
    "discount_and_normalise_rewards": {
        "normalises each episode on its own": """
            def discount_and_normalise_rewards(all_rewards, discount_factor):
                result = []
                for rewards in all_rewards:
                    discounted = discount_rewards(rewards, discount_factor)
                    result.append((discounted - discounted.mean()) / discounted.std())
                return result
        """,
        "returns one flat array": """
            def discount_and_normalise_rewards(all_rewards, discount_factor):
                flat = np.concatenate([discount_rewards(r, discount_factor) for r in all_rewards])
                return (flat - flat.mean()) / flat.std()
        """,
    },
    "play_one_step": {
        "target = action (the wrong sign)": REFERENCE_PLAY_ONE_STEP.replace(
            "tf.constant([[1.0]]) - tf.cast(action, tf.float32)", "tf.cast(action, tf.float32)"
        ),
        "done = terminated only": REFERENCE_PLAY_ONE_STEP.replace(
            "terminated or truncated, grads", "terminated, grads"
        ),
        "always takes the likelier action": REFERENCE_PLAY_ONE_STEP.replace(
            "tf.random.uniform([1, 1]) > left_proba", "left_proba < 0.5"
        ),
        "P(left) used as P(right)": REFERENCE_PLAY_ONE_STEP.replace(
            "tf.random.uniform([1, 1]) > left_proba", "tf.random.uniform([1, 1]) < left_proba"
        ),
        "steps twice": REFERENCE_PLAY_ONE_STEP.replace(
            "obs, reward, terminated, truncated, info = env.step",
            "env.step(int(action[0, 0].numpy()))\n        obs, reward, terminated, truncated, info = env.step",
        ),
        "returns info in place of done": REFERENCE_PLAY_ONE_STEP.replace(
            "terminated or truncated, grads", "info, grads"
        ),
    },
    "play_multiple_episodes": {
        "resets only once": REFERENCE_EPISODES.replace(
            "        for episode in range(n_episodes):\n            current_rewards, current_grads = [], []\n"
            "            obs, info = env.reset()",
            "        obs, info = env.reset()\n        for episode in range(n_episodes):\n"
            "            current_rewards, current_grads = [], []",
        ),
        "keeps stepping after done": REFERENCE_EPISODES.replace("if done:\n                    break", "pass"),
        "one step too many": REFERENCE_EPISODES.replace("range(n_max_steps)", "range(n_max_steps + 1)"),
        "always passes the reset observation": REFERENCE_EPISODES.replace(
            "obs, reward, done, grads = play_one_step", "_, reward, done, grads = play_one_step"
        ),
        "returns flat lists": REFERENCE_EPISODES.replace(
            "all_rewards.append(current_rewards)\n            all_grads.append(current_grads)",
            "all_rewards.extend(current_rewards)\n            all_grads.extend(current_grads)",
        ),
        "drops the last step": REFERENCE_EPISODES.replace(
            "current_rewards.append(reward)\n                current_grads.append(grads)\n"
            "                if done:\n                    break",
            "if done:\n                    break\n                current_rewards.append(reward)\n"
            "                current_grads.append(grads)",
        ),
    },
    "train_policy_gradient": {
        "gradient ascent": REFERENCE_TRAIN.replace(
            "all_mean_grads.append(tf.reduce_mean(", "all_mean_grads.append(-tf.reduce_mean("
        ),
        "sums instead of averaging": REFERENCE_TRAIN.replace("tf.reduce_mean(", "tf.reduce_sum("),
        "ignores the advantages": REFERENCE_TRAIN.replace("[final_reward * all_grads", "[all_grads"),
        "returns the last episode's return": REFERENCE_TRAIN.replace(
            "curve.append(float(np.mean([sum(rewards) for rewards in all_rewards])))",
            "curve.append(float(sum(all_rewards[-1])))",
        ),
    },
}


ALTERNATIVES = [
    {
        "basic_policy": """
        def basic_policy(obs):
            return int(np.sign(obs[2]) >= 0)
    """,
        "build_policy_model": """
        def build_policy_model(n_inputs=4, n_hidden=5):
            model = keras.models.Sequential()
            model.add(keras.layers.Dense(n_hidden, activation="elu", input_shape=[n_inputs]))
            model.add(keras.layers.Dense(1))
            model.add(keras.layers.Activation("sigmoid"))
            return model
    """,
        "discount_rewards": """
        def discount_rewards(rewards, discount_factor):
            rewards = np.asarray(rewards, dtype=np.float32)
            powers = discount_factor ** np.arange(len(rewards), dtype=np.float64)
            return np.array([np.sum(rewards[t:] * powers[:len(rewards) - t]) for t in range(len(rewards))],
                            dtype=np.float64)
    """,
        "discount_and_normalise_rewards": """
        def discount_and_normalise_rewards(all_rewards, discount_factor):
            discounted = [discount_rewards(rewards, discount_factor) for rewards in all_rewards]
            lengths = np.cumsum([len(d) for d in discounted])[:-1]
            flat = np.concatenate(discounted)
            return np.split((flat - np.mean(flat)) / np.std(flat), lengths)
    """,
        "play_one_step": """
        def play_one_step(env, obs, model, loss_fn):
            obs_batch = tf.convert_to_tensor(obs.reshape(1, -1), dtype=tf.float32)
            with tf.GradientTape() as tape:
                p_left = model(obs_batch, training=False)
                go_right = tf.cast(tf.random.uniform(tf.shape(p_left)) >= p_left, tf.float32)
                loss = loss_fn(1.0 - go_right, p_left)
            grads = tape.gradient(loss, model.trainable_variables)
            next_obs, reward, terminated, truncated, _ = env.step(int(go_right.numpy().item()))
            return next_obs, reward, bool(terminated or truncated), grads
    """,
        "play_multiple_episodes": """
        def play_multiple_episodes(env, n_episodes, n_max_steps, model, loss_fn):
            all_rewards, all_grads = [], []
            for _ in range(n_episodes):
                obs, _ = env.reset()
                rewards, grads_list, done, steps = [], [], False, 0
                while not done and steps < n_max_steps:
                    obs, reward, done, grads = play_one_step(env, obs, model, loss_fn)
                    rewards.append(reward)
                    grads_list.append(grads)
                    steps += 1
                all_rewards.append(rewards)
                all_grads.append(grads_list)
            return all_rewards, all_grads
    """,
        "train_policy_gradient": """
        def train_policy_gradient(env, model, n_iterations, n_episodes_per_update, n_max_steps,
                                  discount_factor, optimizer, loss_fn):
            curve = []
            for _ in range(n_iterations):
                all_rewards, all_grads = play_multiple_episodes(env, n_episodes_per_update, n_max_steps,
                                                                model, loss_fn)
                curve.append(np.mean([np.sum(r) for r in all_rewards]))
                advantages = discount_and_normalise_rewards(all_rewards, discount_factor)
                n_steps = sum(len(a) for a in advantages)
                mean_grads = [tf.zeros_like(v) for v in model.trainable_variables]
                for episode_advantages, episode_grads in zip(advantages, all_grads):
                    for advantage, step_grads in zip(episode_advantages, episode_grads):
                        mean_grads = [m + float(advantage) * g / n_steps for m, g in zip(mean_grads, step_grads)]
                optimizer.apply_gradients(zip(mean_grads, model.trainable_variables))
            return [float(value) for value in curve]
    """,
    }
]

REALISTIC = [
    Realistic(  # JupyterLab 4: what students add around their functions, and a whole training run left in
        app="jupyterlab",
        added=(
            (
                "basic_policy",
                "before",
                """
                !pip install gymnasium
                %load_ext autoreload
                %matplotlib inline
                ANGLE = 2  # the pole's angle in an observation
            """,
            ),
            (
                "discount_rewards",
                "before",
                """
                import math
                from itertools import accumulate

                CHECK_REWARDS = [10, 0, -50]
                print("checking with", CHECK_REWARDS)
            """,
            ),
            (
                "discount_rewards",
                "after",
                '''
                def _backwards(values, factor):
                    """Returns accumulated from the last step back (called by discount_rewards, defined after it)."""
                    out = values.copy()
                    for step in range(len(out) - 2, -1, -1):
                        out[step] += out[step + 1] * factor
                    return out
            ''',
            ),
            (
                "train_policy_gradient",
                "after",
                """
                %%time
                model = build_policy_model()
                curve = train_policy_gradient(env, model, 150, 10, 200, 0.95, keras.optimizers.Adam(0.01),
                                              keras.losses.binary_crossentropy)
                print(curve[-5:])
            """,
            ),
        ),
        cells={
            "basic_policy": """
                def basic_policy(obs):
                    return 0 if obs[ANGLE] < 0 else 1

                %time basic_policy(np.zeros(4))
            """,
            "discount_rewards": """
                %%time
                def discount_rewards(rewards, discount_factor):
                    return _backwards(np.asarray(rewards, dtype=float), discount_factor)

                print(discount_rewards(CHECK_REWARDS, 0.8))
            """,
        },
        moved=("play_multiple_episodes",),
    ),
    Realistic(  # Google Colab, which drops nbgrader's metadata: helpers in cells of their own, debugging prints
        app="colab",
        added=(
            (
                "play_one_step",
                "before",
                """
                from tensorflow.keras import losses as keras_losses

                TARGET_LEFT = tf.constant([[1.0]])

                @tf.function
                def sample(model, obs, loss_fn):
                    with tf.GradientTape() as tape:
                        left_proba = model(obs)
                        action = tf.random.uniform([1, 1]) > left_proba
                        loss = tf.reduce_mean(loss_fn(TARGET_LEFT - tf.cast(action, tf.float32), left_proba))
                    return tf.cast(action[0, 0], tf.int32), tape.gradient(loss, model.trainable_variables)
            """,
            ),
            (
                "discount_and_normalise_rewards",
                "after",
                "discount_and_normalise_rewards([[10, 0, -50], [10, 20]], 0.8)",
            ),
        ),
        cells={
            "play_one_step": """
                def play_one_step(env, obs, model, loss_fn):
                    action, grads = sample(model, tf.constant(obs[np.newaxis], tf.float32), loss_fn)
                    obs, reward, terminated, truncated, info = env.step(int(action))
                    return obs, reward, terminated or truncated, grads

                print(play_one_step)
            """
        },
    ),
]
