"""Entry point inside the sandbox: ``python -I -B /kit/runner/main.py IN_FD OUT_FD MAX_BYTES [MODULE ...]``.

The runner imports the MODULEs (the release's setup imports) before it says it is ready, so that a
sandbox started ahead of its first call has them loaded; a module that fails to import is left for the
notebook's own import to report.

The sandbox mounts this package at /kit/runner and the grader's ``wire.py`` at /kit/wire.py.
"""

import importlib
import os
import sys

KIT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [KIT, os.path.join(KIT, "assignment")]  # the runner, then the assignment's support files

import wire  # noqa: E402  (importable once the path is set)
from runner.channel import Channel  # noqa: E402
from runner.session import Session  # noqa: E402


def main():
    in_fd, out_fd, max_bytes = (int(arg) for arg in sys.argv[1:4])
    channel = Channel(in_fd, out_fd, max_bytes)
    for module in sys.argv[4:]:
        try:
            importlib.import_module(module)
        except BaseException:  # noqa: BLE001  (the notebook's own import reports it, in its cell)
            pass
    session = Session(channel)
    channel.send({"kind": wire.Kind.READY})
    while True:
        message = channel.receive()
        if message is None:
            return
        reply = session.handle(message)
        try:
            channel.send(reply)
        except wire.WireError as error:
            channel.send(
                {
                    "kind": wire.Kind.RESULT,
                    "ok": False,
                    "error": {
                        "type": "UnsupportedResult",
                        "message": f"returned {error}; only plain values come "
                        "back (numbers, strings, lists, dicts, NumPy arrays, tensors)",
                    },
                }
            )


if __name__ == "__main__":
    main()
