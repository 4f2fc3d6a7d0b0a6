"""The grader's peak memory reading assignment 4's weights file: a valid file next to crafted ones.

For the network of course_config.py, it writes a valid q_weights.npz (np.savez and
np.savez_compressed) and hostile ones (a deflated member that inflates to far more than its
array, members whose zip headers lie about their size, bzip2 and lzma members), reads each
with the grader's reader (``atari.load_q_weights``) under tracemalloc, and prints the peak
next to the valid file's size, with what the reader said.

    .venv/bin/python benchmarks/weights_memory.py
"""

import io
import struct
import sys
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder import config
from autograder.assignments import atari

SETTINGS = config.assignment("a4_breakout_dqn").grading


def valid(compressed=False):
    rng = np.random.default_rng(0)
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(
        buffer, **{name: rng.normal(size=shape).astype(np.float32) for name, shape in atari.weight_shapes(SETTINGS)}
    )
    return buffer.getvalue()


def rewritten(compression, tail_bytes=0, lie=False):
    """The valid file's members rewritten with ``compression``; fc1_kernel followed by ``tail_bytes`` zeros;
    with ``lie``, every member's zip headers claim 1 KiB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(valid())) as source, zipfile.ZipFile(buffer, "w", compression) as archive:
        for info in source.infolist():
            with archive.open(info.filename, "w", force_zip64=True) as member:
                member.write(source.read(info))
                if info.filename == "fc1_kernel.npy":
                    for _ in range(tail_bytes >> 20):
                        member.write(bytes(1 << 20))
    data = bytearray(buffer.getvalue())
    if lie:
        for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
            at = data.find(signature)
            while at >= 0:
                data[at + offset : at + offset + 4] = struct.pack("<I", 1024)
                at = data.find(signature, at + 1)
    return bytes(data)


def peak(data):
    tracemalloc.start()
    try:
        atari.load_q_weights(data, SETTINGS)
        said = "read"
    except atari.WeightsError as error:
        said = str(error)[:70]
    size = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return size, said


def main():
    files = {
        "valid (np.savez)": valid(),
        "valid (np.savez_compressed)": valid(True),
        "deflate bomb: 1 GiB of zeros after fc1_kernel": rewritten(zipfile.ZIP_DEFLATED, 1 << 30),
        "deflated, headers lying about sizes": rewritten(zipfile.ZIP_DEFLATED, lie=True),
        "bzip2, headers lying about sizes": rewritten(zipfile.ZIP_BZIP2, 256 << 20, lie=True),
        "lzma": rewritten(zipfile.ZIP_LZMA),
    }
    reference = len(files["valid (np.savez)"])
    print(f"{'file':<48} {'file MiB':>9} {'peak MiB':>9} {'peak / valid file':>18}  reader")
    for name, data in files.items():
        size, said = peak(data)
        print(f"{name:<48} {len(data) / 2**20:9.2f} {size / 2**20:9.2f} {size / reference:18.2f}  {said}")


if __name__ == "__main__":
    main()
