"""How bench/run.py times processes and describes the machine: the parts that must be right for
any figure to mean something, kept apart from what is measured."""

from __future__ import annotations

import os
import platform
import re
import resource
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYCACHE = Path(tempfile.gettempdir()) / "briefgen-bench-pycache"


@dataclass
class Timed:
    """One finished process: its wall time, and the CPU time (user + system) of it and of every
    child it waited for, i.e. the build's worker processes too."""

    wall: float
    cpu: float
    stdout: str
    largest_mb: float = 0.0  # highest VmHWM of any one process of the tree (sampled runs only)
    tree_mb: float = 0.0  # peak of the tree's summed VmRSS (sampled runs only)


def child_env() -> dict[str, str]:
    """The environment of a measured process. Bytecode is cached under /tmp, as an installed
    package has it in __pycache__: the venv may set PYTHONDONTWRITEBYTECODE, which would make
    every start compile briefgen, and bench/ must not write into the work tree."""
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(PYCACHE), PYTHONUNBUFFERED="1")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


class MemorySampler(threading.Thread):
    """Samples a process tree from /proc every 50 ms. `ru_maxrss` from wait4 will not do: on
    Linux a child's starts from its parent's RSS at fork, i.e. this script's; each process's own
    VmHWM does not."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.largest, self.tree = pid, 0, 0
        self.done = threading.Event()

    def _pids(self, pid: int) -> list[int]:
        pids = [pid]
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
                for child in children:
                    pids += self._pids(int(child))
        except OSError:
            pass  # the process ended between two reads
        return pids

    def run(self) -> None:
        while not self.done.is_set():
            total = 0
            for pid in self._pids(self.pid):
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
                total += int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
                self.largest = max(self.largest, int(fields.get("VmHWM", "0 kB").split()[0]) * 1024)
            self.tree = max(self.tree, total)
            self.done.wait(0.05)


def run_process(args: list[object], cwd: Path, sample_memory: bool = False) -> Timed:
    """Run a command to its end and time it as a user would wait for it. `os.wait4` gives the
    CPU time of the process and the children it reaped, which `subprocess.run` cannot."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen([str(a) for a in args], cwd=cwd, env=child_env(),
                                stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        sampler = MemorySampler(proc.pid) if sample_memory else None
        if sampler:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if sampler:
            sampler.done.set()
            sampler.join()
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(map(str, args))} failed (exit {proc.returncode}):\n"
                             f"{stdout}\n{err.read().decode('utf-8', 'replace')}")
    timed = Timed(wall, usage.ru_utime + usage.ru_stime, stdout)
    if sampler:
        timed.largest_mb, timed.tree_mb = sampler.largest / 2**20, sampler.tree / 2**20
    return timed


def own_cpu() -> float:
    """CPU time of this process and its reaped children: a build run in-process forks a worker,
    whose time `time.process_time` would miss."""
    return sum(u.ru_utime + u.ru_stime for u in
               (resource.getrusage(resource.RUSAGE_SELF),
                resource.getrusage(resource.RUSAGE_CHILDREN)))


class OtherLoad:
    """The share of the machine other processes used while a block ran: busy time of all CPUs
    (/proc/stat) less this script's and its children's. On a shared machine a wall time means
    little without it."""

    def _busy(self) -> float:
        """Seconds all CPUs spent busy since boot: user, nice, system, irq, softirq, steal."""
        ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        return sum(ticks[i] for i in (0, 1, 2, 5, 6, 7)) / os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> OtherLoad:
        self.start = (time.perf_counter(), self._busy(), own_cpu())
        self.share = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.perf_counter() - self.start[0]
        others = (self._busy() - self.start[1]) - (own_cpu() - self.start[2])
        self.share = round(max(0.0, others) / (wall * len(os.sched_getaffinity(0))), 3)


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout


def repository() -> dict[str, object]:
    """The commit measured, and which paths outside bench/ differed from it: others edit the
    tree while the benchmark runs, and their edits of briefgen/ or templates/ are measured."""
    dirty = [line[3:] for line in _git("status", "--porcelain").splitlines()
             if not line[3:].startswith("bench/")]
    return {"commit": _git("rev-parse", "--short", "HEAD").strip(),
            "uncommitted_outside_bench": dirty}


def machine() -> dict[str, str]:
    """What the figures depend on: hardware, system, versions, and whether WeasyPrint subsets
    fonts with HarfBuzz (without libharfbuzz-subset0 every PDF takes about a second longer)."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    cpu = re.search(r"^model name\s*:\s*(.*)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
    hb = harfbuzz_subset is not None and harfbuzz.hb_version_atleast(4, 1, 0)
    ram = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30
    return {
        "CPU": cpu.group(1) if cpu else platform.machine(),
        "cores": f"{os.cpu_count()} logical, {len(os.sched_getaffinity(0))} usable",
        "RAM": f"{ram:.1f} GiB",
        "OS": f"{platform.freedesktop_os_release().get('PRETTY_NAME', platform.system())} "
              f"(kernel {platform.release()})",
        "Python": platform.python_version(),
        "WeasyPrint": version("weasyprint"),
        "briefgen": version("briefgen"),
        "font subsetting": "HarfBuzz (libharfbuzz-subset0)" if hb else "fontTools (slower)",
    }


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])
