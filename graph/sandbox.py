"""The fence around user SPARQL that does not depend on parsing it: no network sockets, no files outside the store.

pyoxigraph follows SERVICE and LOAD with real HTTP and has no switch to stop it, and graph/guard.py decides on a
token scan that must agree with Oxigraph's lexer token for token (issue 19 found a gap). So whatever runs user
SPARQL is also fenced by the kernel, with filters any user may install once `no_new_privs` is set:

- seccomp: `socket()` and `socketpair()` of any family but AF_UNIX are refused, and io_uring (whose operations
  seccomp cannot see) is unavailable. In a worker *process* an AF_INET/AF_INET6 socket kills the process with
  SIGSYS: the engine sees that evidence, refuses the query with 403 and replaces the worker. In a *thread* of the
  serving process (the real update, in-memory queries) the call fails with ENETUNREACH instead, an errno nothing
  else in a thread without network produces, so the engine can tell the client why (`refused_by_fence`).
- Landlock (worker processes only; it binds a whole process and its later threads): files may be read only under
  the directories given (the store's snapshots, Python's and chainkg's own code, system libraries) and written only
  under the writable ones; TCP connect and bind are refused (Landlock ABI 4 and later), abstract unix sockets and
  signals outside the process are scoped (ABI 6).

Linux on x86-64 or arm64 only. Elsewhere, or where the kernel lacks a layer, `fence_process` and `fence_thread`
say so in their report and the caller logs it: the fence degrades loudly, never silently.
"""

from __future__ import annotations

import ctypes
import errno
import importlib.util
import os
import platform
import struct
import sys
import sysconfig
from dataclasses import dataclass, field

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_TSYNC = 1
SECCOMP_RET_KILL_PROCESS = 0x80000000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_ALLOW = 0x7FFF0000
AF_UNIX, AF_INET, AF_INET6 = 1, 2, 10
THREAD_ERRNO = errno.ENETUNREACH  # what a fenced thread's socket() fails with
NETWORK_REFUSAL = ("tried to open a network connection, which this endpoint never does unless the setting "
                   "CHAINKG_ALLOWED_REMOTE lists the IRI (SERVICE, LOAD); it was stopped")

# (audit arch, seccomp, socket, socketpair) system call numbers per machine; io_uring is 425–427 on both.
ARCHES = {
    "x86_64": (0xC000003E, 317, 41, 53),
    "aarch64": (0xC00000B7, 277, 198, 199),
}
IO_URING = (425, 426, 427)
LANDLOCK_CREATE_RULESET, LANDLOCK_ADD_RULE, LANDLOCK_RESTRICT_SELF = 444, 445, 446  # the same on every arch

# BPF opcodes: load a word of seccomp_data, compare, return
_LD, _JEQ, _JGE, _RET = 0x20, 0x15, 0x35, 0x06
_NR, _ARCH, _ARG0 = 0, 4, 16  # offsets in struct seccomp_data (the low word of args[0] on little-endian)


class FenceError(OSError):
    """A layer of the fence could not be installed although the kernel offers it."""


@dataclass
class Report:
    """Which layers are on, and why any is not: the engine logs it once."""

    seccomp: bool = False
    landlock_abi: int = 0  # 0: not installed
    network: bool = False  # a worker for allowed SERVICE IRIs
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing

    def __str__(self) -> str:
        layers = []
        if self.seccomp:
            layers.append("seccomp (no network sockets)" if not self.network else "seccomp (TCP allowed)")
        if self.landlock_abi:
            layers.append(f"Landlock ABI {self.landlock_abi} (files under the store's snapshots and code only"
                          f"{', no TCP' if self.landlock_abi >= 4 and not self.network else ''})")
        text = " + ".join(layers) or "nothing"
        return text + ("" if not self.missing else "; NOT fenced: " + "; ".join(self.missing))


class _SockFilter(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _arch() -> tuple[int, int, int, int] | None:
    return ARCHES.get(platform.machine()) if sys.platform == "linux" else None


def socket_filter(inet_action: int) -> bytes:
    """The seccomp BPF program: AF_UNIX sockets pass, AF_INET/AF_INET6 get `inet_action`, other families
    EAFNOSUPPORT, io_uring ENOSYS; another ABI (x32, i386 through int 0x80) kills the process.

    >>> len(socket_filter(SECCOMP_RET_KILL_PROCESS)) % 8 == 0
    True
    """
    arch = _arch()
    if arch is None:
        raise FenceError(f"no seccomp filter for {sys.platform}/{platform.machine()}")
    audit_arch, _, sys_socket, sys_socketpair = arch
    # (code, label if true, label if false, k); a label names the instruction to jump to, None the next one
    program = [
        ("arch", _LD, None, None, _ARCH),
        (None, _JEQ, "nr", "kill", audit_arch),            # another ABI (i386 through int 0x80): killed
        ("nr", _LD, None, None, _NR),
        (None, _JGE, "kill", None, 0x40000000),            # x32 system calls: killed
        (None, _JEQ, "family", None, sys_socket),
        (None, _JEQ, "family", None, sys_socketpair),
        (None, _JGE, None, "allow", IO_URING[0]),
        (None, _JGE, "allow", "no-uring", IO_URING[-1] + 1),
        ("no-uring", _RET, None, None, SECCOMP_RET_ERRNO | errno.ENOSYS),
        ("family", _LD, None, None, _ARG0),
        (None, _JEQ, "allow", None, AF_UNIX),
        (None, _JEQ, "inet", None, AF_INET),
        (None, _JEQ, "inet", "other", AF_INET6),
        ("other", _RET, None, None, SECCOMP_RET_ERRNO | errno.EAFNOSUPPORT),
        ("inet", _RET, None, None, inet_action),
        ("kill", _RET, None, None, SECCOMP_RET_KILL_PROCESS),
        ("allow", _RET, None, None, SECCOMP_RET_ALLOW),
    ]
    where = {label: i for i, (label, *_rest) in enumerate(program) if label}
    assembled = [(code, where[true] - i - 1 if true else 0, where[false] - i - 1 if false else 0, k)
                 for i, (_label, code, true, false, k) in enumerate(program)]
    return b"".join(struct.pack("=HBBI", *instruction) for instruction in assembled)


def _no_new_privs(libc: ctypes.CDLL) -> None:
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise FenceError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")


def _install_seccomp(inet_action: int, *, whole_process: bool) -> None:
    libc = _libc()
    code = socket_filter(inet_action)
    buffer = ctypes.create_string_buffer(code, len(code))
    prog = _SockFilter(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    _no_new_privs(libc)
    if whole_process:  # every thread of the process, those already running included (TSYNC)
        result = libc.syscall(_arch()[1], SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, ctypes.byref(prog))
    else:  # this thread and the threads it starts from now on
        result = libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0)
    if result != 0:
        raise FenceError(ctypes.get_errno(), "installing the seccomp filter failed")


def refused_by_fence(error: BaseException) -> bool:
    """True when Oxigraph's error, raised on a fenced thread, is the fence's doing: a refused socket ("… (os error
    101)"), or a host name the resolver could not look up because its own socket was refused.

    >>> refused_by_fence(OSError("Network is unreachable (os error 101)"))
    True
    """
    text = str(error)
    return f"(os error {THREAD_ERRNO})" in text or "failed to lookup address information" in text


def fence_thread() -> Report:
    """Fence the calling thread (and the threads it starts): no AF_INET/AF_INET6 socket, ENETUNREACH instead.

    The serving process's other threads (the web server's) are not affected: a filter installed without TSYNC
    binds only the thread that installs it.
    """
    report = Report()
    try:
        _install_seccomp(SECCOMP_RET_ERRNO | THREAD_ERRNO, whole_process=False)
        report.seccomp = True
    except (FenceError, AttributeError) as error:
        report.missing.append(f"seccomp: {error}")
    return report


def fence_process(readable: list[str], writable: list[str], *, network: bool = False) -> Report:
    """Fence this whole process for good: Landlock first (it opens the paths it is given), then seccomp, whose
    AF_INET/AF_INET6 action kills the process (SIGSYS) so that an attempt is evidence, not a quiet error that
    `SERVICE SILENT` would hide. With `network`, TCP sockets are allowed (and the resolver's files readable):
    only the files are fenced."""
    report = Report(network=network)
    if network:
        readable = [*readable, *RESOLVER_FILES]
    try:
        report.landlock_abi = _landlock(readable, writable, network=network)
    except (FenceError, AttributeError) as error:
        report.missing.append(f"Landlock: {error}")
    try:
        _install_seccomp(SECCOMP_RET_ALLOW if network else SECCOMP_RET_KILL_PROCESS, whole_process=True)
        report.seccomp = True
    except (FenceError, AttributeError) as error:
        report.missing.append(f"seccomp: {error}")
    return report


def code_paths() -> list[str]:
    """What a fenced worker may still read: Python's standard library and installed packages, chainkg's own code
    (an editable install maps it into the source tree), system libraries, /dev/null and /dev/urandom. Never the
    working directory that `python -m` puts on sys.path, nor /etc, /proc or anyone's home."""
    paths = {sysconfig.get_path(name) for name in ("stdlib", "platstdlib", "purelib", "platlib")}
    for module in ("chainkg", "chainkg.graph", "pyoxigraph"):
        try:
            spec = importlib.util.find_spec(module)
        except ModuleNotFoundError:  # not installed here: nothing of it to read
            continue
        for location in (spec.submodule_search_locations or []) if spec else []:
            paths.add(location)
    paths.update(["/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/local/lib", "/etc/ld.so.cache",
                  "/dev/null", "/dev/urandom"])
    return sorted(p for p in paths if p)


# ---------------------------------------------------------------------------------------------- Landlock
_FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1, 5: (1 << 16) - 1}
_READ = (1 << 0) | (1 << 2) | (1 << 3)  # execute (shared libraries), read file, read directory
_NET_TCP = (1 << 0) | (1 << 1)  # bind and connect
_SCOPES = (1 << 0) | (1 << 1)  # abstract unix sockets, signals
_RULE_PATH_BENEATH = 1
RESOLVER_FILES = ["/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/gai.conf", "/etc/host.conf",
                  "/etc/ssl", "/usr/share/ca-certificates"]  # host names and TLS, for a worker that may connect


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 where there is none (not Linux, too old, or disabled at boot)."""
    if _arch() is None:
        return 0
    libc = _libc()
    version = libc.syscall(LANDLOCK_CREATE_RULESET, None, 0, 1)  # LANDLOCK_CREATE_RULESET_VERSION
    return max(version, 0)


def _landlock(readable: list[str], writable: list[str], *, network: bool) -> int:
    abi = landlock_abi()
    if abi == 0:
        raise FenceError(errno.ENOSYS, "the kernel has no Landlock (Linux 5.13 or later, enabled at boot)")
    libc = _libc()
    fs = _FS_BY_ABI.get(abi, (1 << 16) - 1)
    net = 0 if network else _NET_TCP
    if abi >= 6:
        attr = struct.pack("=QQQ", fs, net, _SCOPES)
    elif abi >= 4:
        attr = struct.pack("=QQ", fs, net)
    else:
        attr = struct.pack("=Q", fs)
    ruleset = libc.syscall(LANDLOCK_CREATE_RULESET, attr, len(attr), 0)
    if ruleset < 0:
        raise FenceError(ctypes.get_errno(), "landlock_create_ruleset failed")
    try:
        for paths, access in ((readable, _READ), (writable, fs)):
            for path in paths:
                _allow(libc, ruleset, path, access, fs)
        _no_new_privs(libc)
        if libc.syscall(LANDLOCK_RESTRICT_SELF, ruleset, 0) != 0:
            raise FenceError(ctypes.get_errno(), "landlock_restrict_self failed")
    finally:
        os.close(ruleset)
    return abi


def _allow(libc: ctypes.CDLL, ruleset: int, path: str, access: int, handled: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except FileNotFoundError:
        return  # nothing there to allow
    try:
        if not os.path.isdir(path):  # a file may carry only file rights
            access &= (1 << 0) | (1 << 1) | (1 << 2) | (1 << 14) | (1 << 15)
        attr = struct.pack("=Qi", access & handled, fd)
        if libc.syscall(LANDLOCK_ADD_RULE, ruleset, _RULE_PATH_BENEATH, attr, 0) != 0:
            raise FenceError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
    finally:
        os.close(fd)
