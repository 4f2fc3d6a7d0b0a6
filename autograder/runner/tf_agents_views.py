"""Plain descriptions of assignment 4's TF-Agents objects, as the grader's views ask for them.

A view ``{"result": "tf_agents", "as": KIND, ...}`` describes a call's result (and
the arguments it changed) with the function ``KIND`` below. Nothing here decides a
grade: the grader compares what comes back with its own values and the reference's.
"""

import importlib
import inspect
import os

import numpy as np

TRAJECTORY_FIELDS = ("step_type", "observation", "action", "next_step_type", "reward", "discount")


def describe(view, result, args):
    return VIEWS[view["as"]](view, result, args)


def _tf():
    return importlib.import_module("tensorflow")


def _spec(spec):
    tf = _tf()
    if not isinstance(spec, tf.TensorSpec):
        return {"type": type(spec).__name__}
    return {
        "type": type(spec).__name__,
        "shape": list(spec.shape),
        "dtype": spec.dtype.name,
        "minimum": np.asarray(getattr(spec, "minimum", np.nan)).tolist(),
        "maximum": np.asarray(getattr(spec, "maximum", np.nan)).tolist(),
    }


def environment(view, env, args):
    """Specs, then the time steps of a reset and of the view's actions, one list per step."""
    from tf_agents.environments.tf_environment import TFEnvironment

    if not isinstance(env, TFEnvironment):
        return {"is_tf_environment": False, "type": type(env).__name__}
    tf = _tf()
    described = {
        "is_tf_environment": True,
        "batch_size": env.batch_size,
        "observation_spec": _spec(env.observation_spec()),
        "action_spec": _spec(env.action_spec()),
    }
    steps = [env.reset()]
    for actions in view["actions"]:
        steps.append(env.step(tf.constant(actions, dtype=env.action_spec().dtype)))
    for field in ("step_type", "reward", "discount"):
        described[field] = np.stack([np.asarray(getattr(step, field)) for step in steps])
    if view["observed"]:
        described["observations"] = np.stack([np.asarray(steps[index].observation) for index in view["observed"]])
    return described


def q_network(view, network, args):
    """Weight shapes and, with the view's weights set, the Q-values of the view's inputs."""
    from tf_agents.networks.network import Network

    if not isinstance(network, Network):
        return {"is_network": False, "type": type(network).__name__}
    network.create_variables()
    shapes = [list(np.shape(weight)) for weight in network.get_weights()]
    described = {"is_network": True, "type": type(network).__name__, "weight_shapes": shapes}
    if shapes == [list(weight.shape) for weight in view["weights"]]:
        network.set_weights(view["weights"])
        described["outputs"] = network(view["inputs"], training=False)[0]
    return described


def agent(view, dqn_agent, args):
    """Hyperparameters; the TD losses of the view's errors; one training step on the view's batch, if it has one
    (loss, weights after), or one on each of its batches in turn (losses, weights after the last); epsilon at
    the view's training steps."""
    from tf_agents.agents.dqn.dqn_agent import DqnAgent

    if not isinstance(dqn_agent, DqnAgent):
        return {"is_dqn_agent": False, "type": type(dqn_agent).__name__}
    tf = _tf()
    updates = dqn_agent._update_target  # a common.Periodically of the soft update with its tau
    described = {
        "is_dqn_agent": True,
        "gamma": float(dqn_agent._gamma),
        "target_update_period": int(updates._period),
        "target_update_tau": float(inspect.getclosurevars(updates._body).nonlocals["tau"]),
        "optimizer": _optimizer(dqn_agent._optimizer),
    }
    if view.get("td_errors") is not None:
        errors = view["td_errors"]
        described["td_losses"] = dqn_agent._td_errors_loss_fn(tf.zeros_like(errors), tf.constant(errors))
    if view.get("batch") is not None:
        loss = dqn_agent.train(trajectories(view["batch"], dqn_agent.collect_data_spec)).loss
        described["train"] = {"loss": loss, "weights": dqn_agent._q_network.get_weights()}
    if view.get("batches") is not None:
        losses = [dqn_agent.train(trajectories(batch, dqn_agent.collect_data_spec)).loss for batch in view["batches"]]
        described["trained"] = {"losses": losses, "weights": dqn_agent._q_network.get_weights()}
    described["epsilon"] = []
    for step in view.get("epsilon_steps", []):
        dqn_agent.train_step_counter.assign(step)
        epsilon = dqn_agent._epsilon_greedy
        described["epsilon"].append(float(np.asarray(epsilon() if callable(epsilon) else epsilon)))
    return described


def _optimizer(optimizer):
    config = optimizer.get_config() if hasattr(optimizer, "get_config") else {}
    return {
        "type": type(optimizer).__name__,
        **{
            key: value.item() if isinstance(value, np.generic) else value
            for key, value in config.items()
            if isinstance(value, (bool, int, float, np.bool_, np.number))
        },
    }


def replay_buffer(view, result, args):
    """``(replay_buffer, observer)``: the buffer's kind and sizes, then its contents once the view's
    batches of trajectories went through the observer."""
    from tf_agents.replay_buffers.tf_uniform_replay_buffer import TFUniformReplayBuffer

    pair = type(result) in (tuple, list) and len(result) == 2
    buffer, observer = result if pair else (result, None)
    if not pair or not isinstance(buffer, TFUniformReplayBuffer) or not callable(observer):
        return {
            "is_buffer_and_observer": False,
            "types": [type(item).__name__ for item in result]
            if type(result) in (tuple, list)
            else [type(result).__name__],
        }
    described = {
        "is_buffer_and_observer": True,
        "capacity": int(buffer.capacity),
        "batch_size": int(buffer._batch_size),
        "data_spec": {field: _spec(getattr(buffer.data_spec, field)) for field in TRAJECTORY_FIELDS},
    }
    for batch in view["feed"]:
        observer(trajectories(batch, buffer.data_spec))
    described["contents"] = contents(buffer)
    return described


def collected(view, result, args):
    """What a collection run left: the replay buffer's contents (the view's fields, after the first ``skip``
    items of each row; observations only at the view's ``observed`` (row, item) positions), the weights of the
    agent's Q-network if the view names the agent, and the result if the view keeps it."""
    buffer = args[view["buffer"]]
    skip, fields = view.get("skip", 0), view.get("fields", TRAJECTORY_FIELDS)
    described = {"contents": contents(buffer, skip, [field for field in fields if field != "observation"])}
    if view.get("observed"):
        observations = np.asarray(buffer.gather_all().observation)[:, skip:]
        rows, items = np.asarray(view["observed"]).T
        inside = (rows < observations.shape[0]) & (items < observations.shape[1])
        described["observed"] = observations[rows[inside], items[inside]] if inside.all() else None
    if "agent" in view:
        described["weights"] = args[view["agent"]]._q_network.get_weights()
    if view.get("result_kept"):
        described["result"] = result
    return described


def contents(buffer, skip=0, fields=TRAJECTORY_FIELDS):
    """Fields of every trajectory in a replay buffer, shape (batch, time, ...), from item ``skip`` on."""
    everything = buffer.gather_all()
    return {field: np.asarray(getattr(everything, field))[:, skip:] for field in fields}


def saved_file(view, result, args):
    """The bytes of the file at the path given as argument ``view["path"]``, if it exists and is small."""
    path = str(args[view["path"]])
    if not os.path.isfile(path):
        return {"exists": False}
    size = os.path.getsize(path)
    if size > view["max_bytes"]:
        return {"exists": True, "size": size}
    with open(path, "rb") as saved:
        return {"exists": True, "size": size, "bytes": np.frombuffer(saved.read(view["max_bytes"] + 1), np.uint8)}


def trajectories(data, data_spec):
    """A Trajectory of tensors of ``data_spec``'s dtypes from ``{field: array}`` (no policy info)."""
    tf = _tf()
    fields = {
        field: () if spec == () else tf.constant(np.asarray(data[field]), dtype=spec.dtype)
        for field, spec in data_spec._asdict().items()
    }
    return type(data_spec)(**fields)


VIEWS = {
    "environment": environment,
    "q_network": q_network,
    "agent": agent,
    "replay_buffer": replay_buffer,
    "collected": collected,
    "saved_file": saved_file,
}
