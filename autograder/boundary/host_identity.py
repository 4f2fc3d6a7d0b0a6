"""Who the sandbox is on the host.

A user namespace that root makes maps the sandbox's uid 0 to the host's root, and the
kernel checks writes to /proc/sys by that uid: a sandbox started by a root grader could
set ``kernel.core_pattern`` and have the host run its command as root, outside every
namespace. So when the grader runs as root, bubblewrap starts as an unprivileged user
and group of the sandbox's own (``SandboxLimits.user``, made by ``make sandbox``): the
sandbox's processes have that identity on the host and no capability there, and every
kernel tunable is read-only to them. A grader run by an ordinary user starts bubblewrap
as itself, which holds no more rights than that.

That user may not reach the paths bubblewrap binds (a Python under /root, a checkout in
a private home). So before it gives up root, the child that becomes bubblewrap enters a
mount namespace of its own, lays a tmpfs over /tmp there and binds each of those paths
onto a staging point in it; bubblewrap binds them from there, read-only. Nothing of this
is seen outside that child.
"""

import ctypes
import os
import pwd
from dataclasses import dataclass

CLONE_NEWNS = 0x00020000
MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 4096, 16384, 1 << 18
STAGE = "/tmp"
"""Where, in the child's own mount namespace, a tmpfs holds the staging points."""

_libc = ctypes.CDLL(None, use_errno=True)  # resolved here: the forked child only calls it
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]


class IdentityUnavailable(Exception):
    """The sandbox cannot be given an unprivileged identity on this machine."""


@dataclass(frozen=True)
class SandboxIdentity:
    """The host user bubblewrap starts as: the grader itself (``uid`` None), or the sandbox's own user."""

    uid: int = None
    gid: int = None
    name: str = None

    @classmethod
    def for_grader(cls, user):
        """As the grader when it is not root; else as ``user``, which must exist and not be root."""
        if os.geteuid() != 0:
            return cls()
        try:
            entry = pwd.getpwnam(user)
        except KeyError:
            raise IdentityUnavailable(
                f"the grader runs as root, so the sandbox runs as the unprivileged user {user!r}, and there is no "
                f"such user: create it with `make sandbox` (or `useradd --system --user-group --no-create-home "
                f"--shell /usr/sbin/nologin {user}`), or run the grader as an ordinary user"
            ) from None
        if entry.pw_uid == 0 or entry.pw_gid == 0:
            raise IdentityUnavailable(
                f"the sandbox's user {user!r} has uid {entry.pw_uid} and gid {entry.pw_gid}; "
                "expected an unprivileged user and group (neither 0)"
            )
        return cls(entry.pw_uid, entry.pw_gid, user)

    @property
    def drops_root(self):
        return self.uid is not None

    def staged(self, sources):
        """Where bubblewrap finds each source path: the path itself, or its staging point."""
        if not self.drops_root:
            return {source: source for source in sources}
        return {source: f"{STAGE}/{index}" for index, source in enumerate(dict.fromkeys(sources))}

    def enter(self, staged):
        """In the forked child, before bubblewrap: stage the sources (``staged()``'s mapping), then become
        the sandbox's user for good. Nothing to do for a grader that is not root."""
        if not self.drops_root:
            return
        _check(_libc.unshare(CLONE_NEWNS), "unshare the mount namespace")
        _check(_libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "make the mounts private")
        handles = {source: os.open(source, os.O_PATH | os.O_CLOEXEC) for source in staged}  # before /tmp is covered
        _check(
            _libc.mount(b"tmpfs", STAGE.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, b"mode=0755,size=64k"),
            "mount the staging tmpfs",
        )
        for source, target in staged.items():
            handle = f"/proc/self/fd/{handles[source]}"
            if os.path.isdir(handle):
                os.mkdir(target)
            else:
                os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o644))
            _check(_libc.mount(handle.encode(), target.encode(), None, MS_BIND | MS_REC, None), f"stage {source}")
            os.close(handles[source])
        os.setgroups([])
        os.setgid(self.gid)
        os.setuid(self.uid)
        if 0 in (os.getuid(), os.geteuid(), os.getgid(), os.getegid()):
            raise IdentityUnavailable("the sandbox's process kept root's identity")


def host_uid(pid):
    """The real uid of a process, as the host sees it (from /proc/PID/status)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("Uid:"):
                return int(line.split()[1])
    raise IdentityUnavailable(f"/proc/{pid}/status has no Uid line")


def _check(result, what):
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"cannot {what}: {os.strerror(error)}")
