"""Debian's headless Chromium, driven over its DevTools pipe, for the tests that look at pages as people see
them (students' feedback, the instructor's formgrader)."""

import json
import os
import shutil
import signal
import subprocess
import time

import pytest

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--remote-debugging-pipe",
)
TIMEOUT_S = 60


class Browser:
    """Chromium driven over its DevTools pipe (fd 3 in, fd 4 out; messages end with a NUL byte)."""

    def __init__(self, profile):
        chromium = shutil.which("chromium")
        if chromium is None:
            pytest.fail("Debian's chromium is not installed: `apt-get install chromium` (.ci/run installs it)")
        commands_read, self.commands = os.pipe()
        self.replies, replies_write = os.pipe()

        def as_devtools_fds():
            os.dup2(commands_read, 3)
            os.dup2(replies_write, 4)

        self.process = subprocess.Popen(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            pass_fds=(3, 4),
            preexec_fn=as_devtools_fds,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(commands_read)
        os.close(replies_write)
        self.buffer, self.next_id = b"", 0

    def send(self, method, session=None, **params):
        """Send a DevTools command and return its result (events that arrive meanwhile are dropped)."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self.receive()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def receive(self):
        while b"\0" not in self.buffer:
            chunk = os.read(self.replies, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed its DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def open(self, url, blocked=("http://*", "https://*")):
        """A session on a new page showing ``url``, once its document has loaded; requests to ``blocked`` URLs
        fail (offline, as in CI, by default)."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.send("Network.enable", session)
        self.send("Network.setBlockedURLs", session, urls=list(blocked))
        self.send("Page.navigate", session, url=url)
        deadline = time.monotonic() + TIMEOUT_S
        while self.evaluate(session, "document.readyState") != "complete":
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not finish loading in {TIMEOUT_S} s")
            time.sleep(0.1)
        return session

    def evaluate(self, session, expression):
        return self.send("Runtime.evaluate", session, expression=expression, returnByValue=True)["result"].get("value")

    def wait_for(self, session, expression, what):
        """Wait until the page's ``expression`` is true."""
        deadline = time.monotonic() + TIMEOUT_S
        while not self.evaluate(session, expression):
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{what} did not happen in {TIMEOUT_S} s: "
                    f"{str(self.evaluate(session, 'document.body.innerText'))[:2000]}"
                )
            time.sleep(0.2)

    def close(self):
        """Stop Chromium with every process it started (its own process group): a renderer left running
        would go on writing into the profile folder while it is removed."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(TIMEOUT_S)
        os.close(self.commands)
        os.close(self.replies)
