"""The runner's end of the message channel to the grader."""

import contextlib
import threading

import wire
from runner.plain import described, tensor_as_array

REPLY_ERRORS = {
    "AssertionError": AssertionError,
    "TypeError": TypeError,
    "ValueError": ValueError,
    "RuntimeError": RuntimeError,
}


class Channel:
    """Framed plain-value messages over two pipes inherited from the grader."""

    def __init__(self, in_fd, out_fd, max_bytes):
        self.in_fd, self.out_fd, self.max_bytes = in_fd, out_fd, max_bytes
        self._lock = threading.Lock()  # a request is one message and its reply, whichever thread asks
        self._serving = False

    @contextlib.contextmanager
    def serving(self):
        """The grader answers requests while a call runs, and only then: a request a thread makes after the
        call returned (a dataset's prefetching, say) fails there instead of reaching the grader out of turn."""
        with self._lock:
            self._serving = True
        try:
            yield
        finally:
            with self._lock:
                self._serving = False

    def send(self, message):
        """Send a reply; tensors in it become arrays, any other object is a WireError."""
        wire.write_message(self.out_fd, message, self.max_bytes, tensor_as_array)

    def receive(self):
        return wire.read_message(self.in_fd, self.max_bytes)

    def env_call(self, env_id, method, args):
        """A method of one of the grader's environments, in the middle of a call: its value."""
        return self._request({"kind": wire.Kind.ENV, "id": env_id, "method": method, "args": args})

    def helper_call(self, name, args, kwargs):
        """A value from one of the grader's functions, in the middle of a call."""
        return self._request({"kind": wire.Kind.HELPER, "name": name, "args": list(args), "kwargs": kwargs})

    def _request(self, message):
        with self._lock:
            if not self._serving:
                raise RuntimeError("the grader answers requests only while it waits for a call to return")
            wire.write_message(self.out_fd, message, self.max_bytes, described)
            reply = self.receive()
        if type(reply) is not dict or reply.get("op") != wire.Op.REPLY:
            raise RuntimeError("the grader sent no reply")
        if reply.get("ok"):
            return reply.get("value")
        error = reply.get("error") or {}
        raise REPLY_ERRORS.get(error.get("type"), RuntimeError)(error.get("message", ""))
