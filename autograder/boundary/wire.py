"""The only serialisation across the sandbox boundary.

A message is a 4-byte big-endian length followed by UTF-8 JSON. Values are plain
JSON (None, bool, int, float, str, list, dict with str keys) plus NumPy arrays,
carried as ``{"__ndarray__": [dtype, shape, "<base64 of the raw bytes>"]}``: the
dtype is one of a fixed list of numeric and boolean little-endian types, the
shape must account for the bytes exactly, and the array is rebuilt with
``np.frombuffer``, so no object, record or pickle can ever be made from it.
Sizes are checked before anything is parsed (and, when writing, an array's before it
is encoded), and nesting is capped so that code walking a decoded value cannot
recurse without bound.

Both sides use this module: the grader imports it as ``autograder.boundary.wire``; inside
the sandbox the runner imports the same file as ``wire``. It needs only the
standard library and NumPy.
"""

import base64
import json
import math
import os
import struct

import numpy as np

ARRAY_KEY = "__ndarray__"
DTYPES = {
    name: np.dtype(name)
    for name in ("|b1", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8", "<f2", "<f4", "<f8")
}
MAX_DEPTH = 64
_HEADER = struct.Struct(">I")
KIT_KEY = "__kit__"
"""The key that marks a plain stand-in for a kit object (an env, a model, a buffer), in either direction."""


class Op:
    """What the grader asks of the runner: the ``op`` of its messages."""

    EXEC = "exec"
    """Run a cell: ``cell``, ``source``, ``lenient``, ``seed``, ``seed_tensorflow``; answered by ``EXECUTED``."""
    CALL = "call"
    """Call a student function: ``fn``, ``args``, ``kwargs``, ``helpers``, ``view``; answered by ``RESULT``."""
    EVALUATE = "evaluate"
    """Play an agent the runner holds in the grader's games: ``args``, ``view``; answered by ``RESULT``."""
    REPLY = "reply"
    """The grader's answer to a runner's ``ENV`` or ``HELPER`` request: ``ok``, ``value`` or ``error``."""


class Kind:
    """What the runner sends: the ``kind`` of its messages."""

    READY = "ready"
    """Started, its preloaded modules imported."""
    EXECUTED = "executed"
    """A cell ran: ``ok``, ``error``."""
    RESULT = "result"
    """A call or an evaluation ended: ``ok`` with ``value`` (and what its view asked for), or ``error``."""
    ERROR = "error"
    """A request the runner does not know."""
    ENV = "env"
    """In the middle of a call: a method of one of the grader's environments (``id``, ``method``, ``args``)."""
    HELPER = "helper"
    """In the middle of a call: a value from one of the grader's functions (``name``, ``args``, ``kwargs``)."""


class WireError(Exception):
    """A value that may not cross the boundary, or a malformed message."""


def to_jsonable(value, fallback=None, depth=0, budget=None):
    """Turn a plain value into JSON-ready data.

    Anything else goes to ``fallback``, which returns a plain stand-in for it or
    raises WireError; without one, WireError is raised. With a ``_Budget``, arrays
    over it are refused before they are encoded.
    """
    if depth > MAX_DEPTH:
        raise WireError(f"a value nested deeper than {MAX_DEPTH} levels")
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if kind in (list, tuple):
        return [to_jsonable(item, fallback, depth + 1, budget) for item in value]
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise WireError("a dictionary with keys that are not strings")
        return {key: to_jsonable(item, fallback, depth + 1, budget) for key, item in value.items()}
    if isinstance(value, (np.ndarray, np.generic)):
        return {ARRAY_KEY: _array_to_base64(np.asarray(value), budget)}
    if fallback is None:
        raise WireError(f"an object of type {kind.__name__}")
    return to_jsonable(fallback(value), fallback, depth + 1, budget)


class _Budget:
    """The bytes a message's arrays may take once encoded."""

    def __init__(self, max_bytes):
        self.max_bytes, self.spent = max_bytes, 0

    def spend(self, array):
        self.spent += 4 * math.ceil(array.nbytes / 3)  # its base64
        if self.spent > self.max_bytes:
            raise WireError(f"a value of more than {self.spent} bytes, over the limit of {self.max_bytes}")


def _array_to_base64(array, budget=None):
    dtype = array.dtype.newbyteorder("<") if array.dtype.byteorder == ">" else array.dtype
    if dtype.str not in DTYPES:
        raise WireError(f"an array of dtype {array.dtype}")
    if budget is not None:
        budget.spend(array)
    data = np.ascontiguousarray(array, dtype=dtype).tobytes()
    return [dtype.str, list(array.shape), base64.b64encode(data).decode("ascii")]


def encode(value, fallback=None, max_bytes=None):
    """Encode a plain value as message bytes (without the length header); see ``to_jsonable``. With
    ``max_bytes``, arrays that alone would take more are refused before they are encoded."""
    budget = _Budget(max_bytes) if max_bytes is not None else None
    return json.dumps(to_jsonable(value, fallback, budget=budget), separators=(",", ":")).encode("utf-8")


def decode(data, max_bytes):
    """Decode message bytes into plain values; raise WireError if malformed or too large."""
    if len(data) > max_bytes:
        raise WireError(f"a value of {len(data)} bytes, over the limit of {max_bytes}")
    try:
        value = json.loads(data.decode("utf-8"), object_hook=_decode_array)
    except WireError:
        raise
    except (ValueError, RecursionError, UnicodeDecodeError) as error:
        raise WireError(f"malformed message: {type(error).__name__}") from None
    _check_depth(value)
    return value


def _decode_array(obj):
    if ARRAY_KEY not in obj:
        return obj
    described = obj[ARRAY_KEY]
    if len(obj) != 1 or type(described) is not list or len(described) != 3:
        raise WireError("malformed array")
    dtype, shape, data = described
    if type(dtype) is not str or dtype not in DTYPES:
        raise WireError(f"an array of dtype {str(dtype)[:20]!r}")
    if type(shape) is not list or len(shape) > 32 or not all(type(n) is int and n >= 0 for n in shape):
        raise WireError("malformed array shape")
    try:
        raw = base64.b64decode(data, validate=True)
    except (TypeError, ValueError):
        raise WireError("malformed array data") from None
    if len(raw) != DTYPES[dtype].itemsize * math.prod(shape):
        raise WireError("array data of the wrong size for its shape")
    return np.frombuffer(raw, dtype=DTYPES[dtype]).reshape(shape).copy()


def _check_depth(value):
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise WireError(f"a value nested deeper than {MAX_DEPTH} levels")
        if type(item) is list:
            stack.extend((child, depth + 1) for child in item)
        elif type(item) is dict:
            stack.extend((child, depth + 1) for child in item.values())


def frame(payload):
    """Prefix message bytes with their length."""
    return _HEADER.pack(len(payload)) + payload


def write_message(fd, value, max_bytes, fallback=None):
    """Encode and write one framed message to a file descriptor (blocking)."""
    payload = encode(value, fallback, max_bytes)
    if len(payload) > max_bytes:
        raise WireError(f"a value of {len(payload)} bytes, over the limit of {max_bytes}")
    data = memoryview(frame(payload))
    while data:
        written = os.write(fd, data)
        data = data[written:]


def parse_header(header, max_bytes):
    """Return the payload length announced by a 4-byte header, checked against the limit."""
    (length,) = _HEADER.unpack(header)
    if length > max_bytes:
        raise WireError(f"a value of {length} bytes, over the limit of {max_bytes}")
    return length


HEADER_BYTES = _HEADER.size


def read_message(fd, max_bytes):
    """Read one framed message from a file descriptor (blocking); None at end of stream."""
    header = _read_exactly(fd, HEADER_BYTES)
    if header is None:
        return None
    length = parse_header(header, max_bytes)
    payload = _read_exactly(fd, length) if length else b""
    if payload is None:
        raise WireError("stream ended inside a message")
    return decode(payload, max_bytes)


def _read_exactly(fd, n):
    chunks, remaining = [], n
    while remaining:
        chunk = os.read(fd, remaining)
        if not chunk:
            if remaining == n:
                return None
            raise WireError("stream ended inside a message")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
