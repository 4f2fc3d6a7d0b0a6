"""The boundary's serialisation: plain values and numeric arrays cross, nothing else does."""

import base64
import json
import os
import pickle

import numpy as np
import pytest

from autograder.boundary import wire

LIMIT = 1 << 20


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        3,
        -2.5,
        "text",
        [1, [2, 3]],
        {"a": [1.0, None]},
        np.arange(6, dtype=np.int32).reshape(2, 3),
        np.array([1.5, np.nan, np.inf]),
        np.array(True),
        np.float32(2.5),
    ],
)
def test_plain_values_round_trip(value):
    decoded = wire.decode(wire.encode(value), LIMIT)
    if isinstance(value, (np.ndarray, np.generic)):
        assert isinstance(decoded, np.ndarray) and decoded.dtype == np.asarray(value).dtype
        np.testing.assert_array_equal(decoded, value)
    else:
        assert decoded == value


def test_tuples_become_lists():
    assert wire.decode(wire.encode((1, (2, 3))), LIMIT) == [1, [2, 3]]


@pytest.mark.parametrize(
    "value",
    [
        object(),
        np.array([object()]),
        np.array([(1, 2.0)], dtype=[("a", "i4"), ("b", "f8")]),
        {1: "key"},
        np.array(["text"]),
        b"bytes",
    ],
)
def test_other_values_are_refused(value):
    with pytest.raises(wire.WireError):
        wire.encode(value)


def array_message(dtype, shape, raw):
    return json.dumps({wire.ARRAY_KEY: [dtype, shape, base64.b64encode(raw).decode()]}).encode()


@pytest.mark.parametrize("dtype", ["|O", "<U4", "|V8", "|S4", ">f8", "<c16", "object"])
def test_only_numeric_dtypes_are_rebuilt(dtype):
    with pytest.raises(wire.WireError):
        wire.decode(array_message(dtype, [1], pickle.dumps([1, 2])[:8]), LIMIT)


def test_a_pickle_never_becomes_an_object():
    payload = pickle.dumps([1, 2])
    decoded = wire.decode(array_message("|u1", [len(payload)], payload), LIMIT)
    assert isinstance(decoded, np.ndarray) and decoded.dtype == np.uint8


def test_big_endian_arrays_arrive_as_little_endian_values():
    decoded = wire.decode(wire.encode(np.arange(3, dtype=">i4")), LIMIT)
    assert decoded.dtype == np.dtype("<i4") and decoded.tolist() == [0, 1, 2]


@pytest.mark.parametrize(
    "data",
    [
        b"{",
        b"\xff\xfe",
        b"[" * 100_000 + b"]" * 100_000,
        b"1" * 5000,
        json.dumps({wire.ARRAY_KEY: "AAAA"}).encode(),
        json.dumps({wire.ARRAY_KEY: ["<f8", [1], "not base64!"]}).encode(),
        json.dumps({wire.ARRAY_KEY: ["<f8", [2], "AAAAAAAAAAA="]}).encode(),
        json.dumps({wire.ARRAY_KEY: ["<f8", [-1], ""]}).encode(),
        json.dumps({wire.ARRAY_KEY: ["<f8", [1], "AAAAAAAAAAA="], "extra": 1}).encode(),
    ],
)
def test_malformed_messages_are_refused(data):
    with pytest.raises(wire.WireError):
        wire.decode(data, LIMIT)


def test_deep_nesting_is_refused_even_within_jsons_own_limit():
    deep = b"[" * (wire.MAX_DEPTH + 5) + b"]" * (wire.MAX_DEPTH + 5)
    with pytest.raises(wire.WireError):
        wire.decode(deep, LIMIT)


def test_sizes_are_checked_before_parsing():
    with pytest.raises(wire.WireError):
        wire.decode(b"[" + b"0," * LIMIT + b"0]", LIMIT)
    with pytest.raises(wire.WireError):
        wire.parse_header(wire.frame(b"x" * 10)[:4], 5)


def test_arrays_over_the_limit_are_refused_before_they_are_encoded():
    virtual = np.broadcast_to(np.float64(0), (10**10,))  # 80 GB if it were ever copied to be encoded
    with pytest.raises(wire.WireError, match="over the limit of 1000"):
        wire.encode({"huge": virtual}, max_bytes=1000)
    with pytest.raises(wire.WireError, match="more than 1408 bytes"):
        wire.encode([np.zeros(66), np.zeros(66)], max_bytes=1000)  # 704 bytes of base64 each: together too many
    assert wire.decode(wire.encode([np.zeros(66)], max_bytes=1000), 1000)[0].shape == (66,)


def test_framed_messages_cross_a_pipe():
    read_end, write_end = os.pipe()
    wire.write_message(write_end, {"x": np.ones(3)}, LIMIT)
    os.close(write_end)
    message = wire.read_message(read_end, LIMIT)
    assert wire.read_message(read_end, LIMIT) is None
    np.testing.assert_array_equal(message["x"], np.ones(3))
    os.close(read_end)
