"""Measure briefgen on this machine and write bench/RESULTS.md.

    .venv/bin/python bench/run.py            # the full run (about 4-6 minutes on 2 cores)
    .venv/bin/python bench/run.py --quick    # one run of each, small scaling; writes to /tmp

A script, not a test. It only reads the repository: briefs are copied into a temporary project
folder, outputs go under /tmp, and child Pythons keep their bytecode under /tmp (see
`child_env`), so nothing is written outside bench/.

Measures (medians; 5 runs where cheap, 3 where expensive):
 1. overhead: briefgen building the example in the standard style (PDF only), in-process and warm,
    against bare WeasyPrint rendering the same HTML with the same CSS and fonts;
 2. `briefgen --help` and `briefgen validate` in a cold process, and that WeasyPrint is not loaded;
 3. every style of the example, `-j 1 --force` against `-j 2 --force`;
 4. a no-op rebuild (second run, no --force);
 5. scaling: 1, 10 and 50 generated briefs, standard PDF + HTML, `-j 2 --force`;
 6. the same PDF with HarfBuzz-subset and with fontTools subsetting.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes.util
import hashlib
import io
import json
import logging
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402

PYTHON = Path(sys.executable)
BRIEFGEN = PYTHON.parent / "briefgen"
EXAMPLE = ROOT / "content" / "kazakhstan-multi-vector"
SLUG = EXAMPLE.name
PYCACHE = Path(tempfile.gettempdir()) / "briefgen-bench-pycache"
COMMAND = ".venv/bin/python bench/run.py"

T0 = time.perf_counter()


# --------------------------------------------------------------------------------------------
# helpers


def say(text: str = "") -> None:
    print(f"[{time.perf_counter() - T0:6.1f}s] {text}" if text else "", flush=True)


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float]) -> str:
    if len(values) == 1:
        return "1 run"
    return f"{min(values):.3f}–{max(values):.3f}, n={len(values)}"


def child_env(bytecode: bool = True) -> dict[str, str]:
    """The environment of a measured `briefgen` process.

    With `bytecode`, compiled bytecode is read from (and written once to) a cache under /tmp, as
    a normal install would from __pycache__; without it, the environment is passed on as it is
    (where PYTHONDONTWRITEBYTECODE=1, briefgen's own modules are then compiled at every start).
    """
    env = dict(os.environ)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


@dataclass
class Proc:
    wall: float
    cpu: float  # user + system of the process and every child it waited for (the workers)
    maxrss_mb: float  # the largest single process (parent or one worker)
    tree_peak_mb: float  # the peak of the sum over the process and its live children
    rc: int
    stdout: str
    stderr: str
    lines: list[tuple[float, str]] = field(default_factory=list)  # (seconds since start, line)


class TreeRss(threading.Thread):
    """Samples the summed RSS of a process and its descendants every 50 ms (stdlib, /proc)."""

    PAGE = os.sysconf("SC_PAGE_SIZE")

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.largest = 0
        self.done = threading.Event()

    def _tree(self, pid: int) -> list[int]:
        pids = [pid]
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    for child in handle.read().split():
                        pids += self._tree(int(child))
        except OSError:
            pass
        return pids

    def run(self) -> None:
        while not self.done.is_set():
            total = 0
            for pid in self._tree(self.pid):
                try:
                    with open(f"/proc/{pid}/status") as handle:
                        status = handle.read()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                    elif line.startswith("VmHWM:"):  # this process's own high-water mark
                        self.largest = max(self.largest, int(line.split()[1]) * 1024)
            self.peak = max(self.peak, total)
            self.done.wait(0.05)


def run_proc(args: list[str], cwd: Path, env: dict[str, str] | None = None,
             sample_memory: bool = False, timestamps: bool = False) -> Proc:
    """Run a command to its end: wall time, CPU time and peak RSS of it and its children
    (`os.wait4`), optionally the summed RSS of its process tree and the time each stdout line
    appeared (the build prints one line per finished output when not on a terminal)."""
    env = dict(env or child_env())
    env["PYTHONUNBUFFERED"] = "1"
    lines: list[tuple[float, str]] = []
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen([str(a) for a in args], cwd=cwd, env=env,
                                stdout=subprocess.PIPE if timestamps else out, stderr=err,
                                stdin=subprocess.DEVNULL)
        reader = None
        if timestamps:
            def read() -> None:
                assert proc.stdout is not None
                for raw in proc.stdout:
                    lines.append((time.perf_counter() - start,
                                  raw.decode("utf-8", "replace").rstrip("\n")))
            reader = threading.Thread(target=read, daemon=True)
            reader.start()
        sampler = TreeRss(proc.pid) if sample_memory else None
        if sampler:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if sampler:
            sampler.done.set()
            sampler.join()
        if reader:
            reader.join()
            proc.stdout.close()
        out.seek(0)
        err.seek(0)
        stdout = ("\n".join(line for _, line in lines) if timestamps
                  else out.read().decode("utf-8", "replace"))
        # ru_maxrss of a child starts from this script's own RSS at fork time (Linux carries
        # the high-water mark across exec), so with a sampler the VmHWM it saw is used instead.
        largest = sampler.largest / 2**20 if sampler else usage.ru_maxrss / 1024
        return Proc(wall, usage.ru_utime + usage.ru_stime, largest,
                    (sampler.peak / 2**20) if sampler else 0.0, proc.returncode,
                    stdout, err.read().decode("utf-8", "replace"), lines)


class Background:
    """How much of the machine other processes used while a measure ran: the busy time of all
    CPUs (/proc/stat) minus this script's own CPU time and its children's, over wall × cores."""

    HZ = os.sysconf("SC_CLK_TCK")

    def _busy(self) -> float:
        try:
            fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        except (OSError, ValueError):
            return 0.0
        user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
        return (user + nice + system + irq + softirq + steal) / self.HZ

    @staticmethod
    def _mine() -> float:
        total = 0.0
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
            usage = resource.getrusage(who)
            total += usage.ru_utime + usage.ru_stime
        return total

    def __enter__(self) -> Background:
        self.start = (time.perf_counter(), self._busy(), self._mine())
        self.share = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.perf_counter() - self.start[0]
        others = (self._busy() - self.start[1]) - (self._mine() - self.start[2])
        cores = len(os.sched_getaffinity(0))
        self.share = max(0.0, others) / (wall * cores) if wall > 0 else 0.0


def pdf_pages(data: bytes) -> int | str:
    """Page count via pypdf (a dev dependency) if it is installed; WeasyPrint's PDFs keep their
    page objects in compressed object streams, so a byte search cannot count them."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return "?"
    return len(PdfReader(io.BytesIO(data)).pages)


def checked(proc: Proc, what: str) -> Proc:
    if proc.rc != 0:
        raise SystemExit(f"{what} failed (exit {proc.rc}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def make_project(folder: Path) -> Path:
    """A project folder holding a copy of the example brief (others edit content/ meanwhile)."""
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(EXAMPLE, folder / "content" / SLUG)
    return folder


def pkg_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def sh(args: list[str]) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, cwd=ROOT,
                              timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def busy_processes() -> list[str]:
    """Other processes using CPU right now (the machine may be shared)."""
    out = sh(["ps", "-eo", "pid,pcpu,comm", "--sort=-pcpu", "--no-headers"])
    rows = []
    for line in out.splitlines()[:8]:
        parts = line.split(None, 2)
        if len(parts) == 3 and float(parts[1]) >= 10 and int(parts[0]) != os.getpid():
            rows.append(f"{parts[2]} ({parts[1]}% CPU)")
    return rows


# --------------------------------------------------------------------------------------------
# machine and versions


def machine() -> dict[str, str]:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    osname = platform.platform()
    with contextlib.suppress(OSError):
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                osname = line.split("=", 1)[1].strip('"') + f" (kernel {platform.release()})"
    virt = sh(["systemd-detect-virt"]) or (
        "KVM guest" if "hypervisor" in Path("/proc/cpuinfo").read_text() else "")
    return {
        "CPU": cpu,
        "cores": f"{os.cpu_count()} logical, {len(os.sched_getaffinity(0))} usable",
        "RAM": mem,
        "OS": osname,
        "virtualisation": virt or "none detected",
    }


def versions() -> dict[str, str]:
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset  # noqa: F401

    hb_lib = ctypes.util.find_library("harfbuzz-subset")
    deb = sh(["dpkg-query", "-W", "-f", "${Version}", "libharfbuzz-subset0"])
    hb_ok = harfbuzz_subset is not None and harfbuzz.hb_version_atleast(4, 1, 0)
    head = sh(["git", "rev-parse", "--short", "HEAD"])
    dirty = [line for line in sh(["git", "status", "--porcelain"]).splitlines()
             if line and not line[3:].startswith("bench/")]
    return {
        "Python": platform.python_version(),
        "WeasyPrint": pkg_version("weasyprint"),
        "pydyf": pkg_version("pydyf"),
        "fontTools": pkg_version("fonttools"),
        "briefgen": pkg_version("briefgen"),
        "typer": pkg_version("typer"),
        "pydantic": pkg_version("pydantic"),
        "libharfbuzz-subset0": (
            f"present ({deb or 'not a dpkg package'}; {hb_lib or 'found by WeasyPrint'}); "
            f"WeasyPrint uses it: {'yes' if hb_ok else 'no'}"
            if harfbuzz_subset is not None else "absent (WeasyPrint falls back to fontTools)"),
        "repository": f"{head}" + (f", {len(dirty)} uncommitted path(s) besides bench/ while "
                                   "measuring (others edit the tree concurrently)"
                                   if dirty else ", clean besides bench/"),
    }


# --------------------------------------------------------------------------------------------
# 1. overhead, in-process and warm


def pdf_tagged(data: bytes) -> bool | None:
    """Whether a PDF has a structure tree (is tagged); None without pypdf."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    return "/StructTreeRoot" in PdfReader(io.BytesIO(data)).trailer["/Root"]


class Counting:
    """Counts calls of some methods while the block runs (restores them afterwards)."""

    def __init__(self, targets: dict[str, tuple[object, str]]) -> None:
        self.targets = targets
        self.counts = dict.fromkeys(targets, 0)
        self.saved: dict[str, Callable] = {}

    def __enter__(self) -> dict[str, int]:
        for name, (owner, attr) in self.targets.items():
            real = getattr(owner, attr)
            self.saved[name] = real

            def counted(*args, _real=real, _name=name, **kwargs):  # noqa: ANN002, ANN003, ANN202
                self.counts[_name] += 1
                return _real(*args, **kwargs)
            setattr(owner, attr, counted)
        return self.counts

    def __exit__(self, *exc: object) -> None:
        for name, (owner, attr) in self.targets.items():
            setattr(owner, attr, self.saved[name])


def probe_own_work(brief_dir: Path) -> dict:
    """How often briefgen's own steps parse Markdown, compose YAML documents and compile
    templates from source, for one brief in the standard style as a fresh command does it."""
    import jinja2.environment
    import markdown_it
    import yaml.composer

    from briefgen import build as builder
    from briefgen.content import find_briefs, load_briefs
    from briefgen.render import render_html
    from briefgen.styles import StyleLibrary

    targets = {"markdown": (markdown_it.MarkdownIt, "parse"),
               "yaml": (yaml.composer.Composer, "compose_document"),
               "jinja": (jinja2.environment.Environment, "_parse")}
    found: dict[str, dict[str, int]] = {}
    with Counting(targets) as counts:
        loaded = load_briefs(find_briefs([brief_dir]))
        found["load"] = dict(counts)
        library = StyleLibrary([])
        job = builder.plan(loaded, library, ["standard"], [], ["pdf"])[0]
        found["plan"] = {k: counts[k] - found["load"][k] for k in counts}
        render_html(job.brief, job.style, library, "pdf")
        found["render"] = {k: counts[k] - found["load"][k] - found["plan"][k] for k in counts}
    files = [p for p in loaded[0].files if p.suffix in (".md", ".yaml", ".yml")]
    return {"counts": found, "yaml_files": len(files)}


def measure_overhead(work: Path, runs: int) -> dict:
    say("1. overhead: briefgen (standard, pdf) vs bare WeasyPrint, in-process, warm")
    import weasyprint
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from briefgen import build as builder
    from briefgen import cli
    from briefgen.content import find_briefs, load_briefs
    from briefgen.pdf import lay_out
    from briefgen.render import render_html
    from briefgen.styles import StyleLibrary

    logging.getLogger("weasyprint").addHandler(logging.NullHandler())  # bare runs may warn
    project = make_project(work / "overhead")
    brief_dir = project / "content" / SLUG
    out_dir = project / "out"
    library = StyleLibrary([])
    loaded = load_briefs([brief_dir])
    job = builder.plan(loaded, library, ["standard"], [], ["pdf"])[0]
    rendered = render_html(job.brief, job.style, library, "pdf")
    base_url = str(rendered.base_url) + "/"

    def bare(tags: bool) -> Callable[[], bytes]:
        def go() -> bytes:
            fonts = FontConfiguration()
            sheets = [CSS(filename=str(p), font_config=fonts) for p in rendered.stylesheets]
            if rendered.page_css:
                sheets.append(CSS(string=rendered.page_css, font_config=fonts))
            return HTML(string=rendered.html, base_url=base_url).write_pdf(
                stylesheets=sheets, font_config=fonts, **({"pdf_tags": True} if tags else {}))
        return go

    def via_lay_out() -> bytes:
        return lay_out(rendered).pdf_bytes()

    def via_cli() -> bytes:
        cwd = Path.cwd()
        os.chdir(project)
        try:
            with contextlib.redirect_stdout(io.StringIO()), \
                    contextlib.redirect_stderr(io.StringIO()):
                code = cli.main(["build", str(brief_dir), "-s", "standard", "-f", "pdf",
                                 "-o", str(out_dir), "--force", "-j", "1"])
        finally:
            os.chdir(cwd)
        if code != 0:
            raise SystemExit(f"briefgen build failed in-process (exit {code})")
        return (out_dir / SLUG / "standard.pdf").read_bytes()

    variants = {
        "bare": ("bare WeasyPrint: `HTML(string=html, base_url=…).write_pdf(stylesheets=…, "
                 "font_config=…)`", bare(False)),
        "lay_out": ("briefgen.pdf only: `lay_out(rendered).pdf_bytes()` (guarded fetcher, "
                    "warnings collected; HTML rendered beforehand)", via_lay_out),
        "briefgen": ("briefgen build, the whole command in-process: `cli.main(['build', BRIEF, "
                     "'-s', 'standard', '-f', 'pdf', '-o', OUT, '--force', '-j', '1'])`",
                     via_cli),
        "bare_tags": ("for reference: bare WeasyPrint with `pdf_tags=True` given to "
                      "`write_pdf` (a tagged PDF)", bare(True)),
    }
    wall: dict[str, list[float]] = {k: [] for k in variants}
    cpu: dict[str, list[float]] = {k: [] for k in variants}
    pages: dict[str, int | str] = {}
    sizes: dict[str, int] = {}
    tagged: dict[str, bool | None] = {}
    for name, (_, fn) in variants.items():  # warm-up: imports, caches, first-use costs
        data = fn()
        sizes[name], pages[name], tagged[name] = len(data), pdf_pages(data), pdf_tagged(data)
    names = list(variants)
    for i in range(runs):  # interleaved, and rotated so no variant always runs first
        for name in names[i % len(names):] + names[:i % len(names)]:
            fn = variants[name][1]
            w, c = time.perf_counter(), time.process_time()
            fn()
            wall[name].append(time.perf_counter() - w)
            cpu[name].append(time.process_time() - c)
        say(f"   run {i + 1}/{runs}: " + ", ".join(f"{n} {wall[n][-1]:.3f}s" for n in variants))

    # Where briefgen's own time goes outside WeasyPrint, each step as a fresh command does it.
    phases: dict[str, list[float]] = {k: [] for k in ("load", "plan", "render_html", "hash")}
    for _ in range(runs):
        t = time.perf_counter()
        again = load_briefs(find_briefs([brief_dir]))
        phases["load"].append(time.perf_counter() - t)
        t = time.perf_counter()
        lib = StyleLibrary([])
        fresh = builder.plan(again, lib, ["standard"], [], ["pdf"])[0]
        phases["plan"].append(time.perf_counter() - t)
        t = time.perf_counter()
        render_html(fresh.brief, fresh.style, lib, "pdf")
        phases["render_html"].append(time.perf_counter() - t)
        try:  # what the cache key hashes: the brief, its sources, the style's files and fonts
            from briefgen.cache import FileHashes, input_hashes

            t = time.perf_counter()
            input_hashes([*fresh.brief.input_files(), *fresh.style.files()], FileHashes())
            phases["hash"].append(time.perf_counter() - t)
        except (ImportError, AttributeError, TypeError):
            pass  # the cache's API changed; the other steps are still timed

    # The baseline is bare WeasyPrint making the same kind of PDF as briefgen: tagged if
    # briefgen's PDF is tagged (the brief's definition has no pdf_tags; both rows are shown).
    base = "bare_tags" if tagged.get("briefgen") and tagged.get("bare_tags") else "bare"
    med = {k: median(v) for k, v in wall.items()}
    medc = {k: median(v) for k, v in cpu.items()}
    paired = [b / a for a, b in zip(wall[base], wall["briefgen"], strict=True)]
    paired_cpu = [b / a for a, b in zip(cpu[base], cpu["briefgen"], strict=True)]
    probe = probe_own_work(brief_dir)
    result = {
        "base": base, "probe": probe,
        "ratio_untagged_wall": med["briefgen"] / med["bare"],
        "ratio_untagged_cpu": medc["briefgen"] / medc["bare"],
        "variants": {k: v[0] for k, v in variants.items()},
        "wall": wall, "cpu": cpu, "median_wall": med, "median_cpu": medc,
        "min_wall": {k: min(v) for k, v in wall.items()},
        "pages": pages, "sizes": sizes, "tagged": tagged,
        "phases": {k: median(v) for k, v in phases.items() if v},
        "ratio_wall": med["briefgen"] / med[base],
        "ratio_cpu": medc["briefgen"] / medc[base],
        "ratio_paired_wall": median(paired), "ratio_paired_cpu": median(paired_cpu),
        "ratio_min_wall": min(wall["briefgen"]) / min(wall[base]),
        "ratio_lay_out_cpu": medc["lay_out"] / medc[base],
        "tags_cost_cpu": medc["bare_tags"] / medc["bare"],
        "weasyprint": weasyprint.__version__,
    }
    say("   median wall: " + ", ".join(f"{k} {v:.3f}s" for k, v in med.items()))
    say(f"   ratio briefgen/{base} = {result['ratio_wall']:.3f} wall, "
        f"{result['ratio_cpu']:.3f} CPU"
        f" (goal ≤ 1.05); paired per run {result['ratio_paired_wall']:.3f}; best-of "
        f"{result['ratio_min_wall']:.3f}; briefgen's PDF tagged: {tagged['briefgen']}")
    say("   briefgen's own steps (s): " + ", ".join(f"{k} {v:.3f}"
                                                   for k, v in result["phases"].items()))
    say(f"   calls per step: {probe['counts']}")
    return result


# --------------------------------------------------------------------------------------------
# 2. --help and validate, cold


IMPORT_CHECK = r"""
import json, sys
sys.argv = ["briefgen", *sys.argv[1:]]
from briefgen.cli import main
import contextlib, io
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
tops = {m.split(".")[0] for m in sys.modules}
heavy = sorted(tops & {"weasyprint", "pydyf", "fontTools", "cffi", "tinyhtml5", "cssselect2"})
others = sorted(tops & {"jinja2", "markdown_it", "pydantic", "yaml", "bibtexparser"})
print(json.dumps({"code": code, "heavy": heavy, "others": others,
                  "briefgen.pdf": "briefgen.pdf" in sys.modules, "modules": len(sys.modules)}))
"""


def importtime_top(stderr: str, count: int = 8) -> list[tuple[str, float]]:
    """Top-level imports by cumulative time from `python -X importtime` output."""
    rows = []
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match and len(match.group(3)) <= 3:  # depth 1 (and 2) only
            rows.append((match.group(4), int(match.group(2)) / 1e6))
    return sorted(rows, key=lambda r: -r[1])[:count]


def importtime_all(stderr: str) -> dict[str, float]:
    """Every module's cumulative import time (s) from `python -X importtime` output."""
    times: dict[str, float] = {}
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| *(\S+)", line)
        if match:
            times.setdefault(match.group(3), int(match.group(2)) / 1e6)
    return times


#: The third-party modules `validate` cannot do without: typer parses the command line (and
#: builds pydantic adapters for its options), rich prints, pydantic, PyYAML and markdown-it
#: load and check the brief; pydantic imports its plugin loader (and importlib.metadata) when
#: the first model class is built. Importing them alone is the floor under briefgen's own cost.
VALIDATE_LIBRARIES = ("typer", "typer._adapters", "rich.console", "pydantic",
                      "pydantic.plugin._loader", "yaml", "markdown_it")
LIBRARY_FLOOR = "python -c 'import " + ", ".join(VALIDATE_LIBRARIES) + "'"


def measure_cold(work: Path, runs: int) -> dict:
    say("2. `briefgen --help` and `briefgen validate`, cold processes")
    project = make_project(work / "cold")
    result: dict = {"envs": {}}
    envs = {"bytecode cached": child_env(True)}
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        envs["environment as is (PYTHONDONTWRITEBYTECODE=1)"] = child_env(False)
    commands = {
        "python -c pass": [PYTHON, "-c", "pass"],
        "briefgen --help": [BRIEFGEN, "--help"],
        "briefgen validate": [BRIEFGEN, "validate"],
        LIBRARY_FLOOR: [PYTHON, "-c", "import " + ", ".join(VALIDATE_LIBRARIES)],
    }
    for env_name, env in envs.items():
        for args in commands.values():  # warm-up: fills the bytecode cache, the page cache
            run_proc(args, project, env)
        times: dict[str, list[float]] = {k: [] for k in commands}
        for _ in range(runs):
            for name, args in commands.items():
                times[name].append(checked(run_proc(args, project, env), name).wall)
        result["envs"][env_name] = times
        say(f"   [{env_name}] " + ", ".join(f"{k} {median(v):.3f}s" for k, v in times.items()))

    checks = {}
    for name, argv in (("--help", ["--help"]), ("validate", ["validate"])):
        proc = checked(run_proc([PYTHON, "-c", IMPORT_CHECK, *argv], project), name)
        checks[name] = json.loads(proc.stdout.strip().splitlines()[-1])
        timing = run_proc([PYTHON, "-X", "importtime", BRIEFGEN, *argv], project)
        checks[name]["importtime_weasyprint"] = bool(
            re.search(r"\|\s+(weasyprint|pydyf)\b", timing.stderr))
        checks[name]["top_imports"] = importtime_top(timing.stderr)
        checks[name]["module_times"] = importtime_all(timing.stderr)
        say(f"   {name}: heavy modules loaded {checks[name]['heavy'] or 'none'}; -X importtime "
            f"shows weasyprint: {checks[name]['importtime_weasyprint']}")
    result["checks"] = checks
    return result


# --------------------------------------------------------------------------------------------
# 3. all styles, -j 1 vs -j 2; and 4. the no-op rebuild


JOB_TIMES = r"""
import json, sys, time
from pathlib import Path
t = time.perf_counter(); import briefgen.pdf; imported = time.perf_counter() - t
from briefgen import build as b
from briefgen.styles import StyleLibrary
from briefgen.content import load_briefs
lib = StyleLibrary([])
loaded = load_briefs([Path(sys.argv[1])])
t = time.perf_counter(); jobs = b.plan(loaded, lib, [], [], []); planned = time.perf_counter() - t
times = {}
for job in jobs:  # first pass warms WeasyPrint; the second is measured
    b.build_one(job, lib, Path(sys.argv[2]))
for job in jobs:
    t = time.perf_counter(); out = b.build_one(job, lib, Path(sys.argv[2]))
    times[job.label().split("/", 1)[1]] = [time.perf_counter() - t, out.pages]
# Each PDF once more, split: layout (HTML.render) vs writing (write_pdf), pages laid out.
import weasyprint.layout.page as wpage
from briefgen.pdf import lay_out
from briefgen.render import render_html
made = []
real_make_page = wpage.make_page
def counting(*args, **kwargs):
    made.append(1)
    return real_make_page(*args, **kwargs)
wpage.make_page = counting
split = {}
for job in jobs:
    if job.format != "pdf":
        continue
    rendered = render_html(job.brief, job.style, lib, "pdf")
    made.clear()
    t = time.perf_counter(); laid = lay_out(rendered); t1 = time.perf_counter()
    laid.pdf_bytes(); t2 = time.perf_counter()
    split[job.label().split("/", 1)[1]] = {"layout": t1 - t, "write": t2 - t1,
                                           "make_page": len(made), "pages": laid.page_count}
wpage.make_page = real_make_page
print(json.dumps({"import_weasyprint": imported, "plan": planned, "jobs": times, "split": split,
                  "order": [j.label().split("/", 1)[1] for j in
                            sorted(jobs, key=lambda j: j.format != "pdf")],
                  "max_pages": {j.style.name: j.style.settings.budgets.max_pages for j in jobs}}))
"""

NOOP_PHASES = r"""
import json, sys, time, contextlib, io
from pathlib import Path
t0 = time.perf_counter()
from briefgen import cli, build as b
from briefgen.content import find_briefs, load_briefs
from briefgen.styles import StyleLibrary
t1 = time.perf_counter()
loaded = load_briefs(find_briefs([]))
t2 = time.perf_counter()
import jinja2.environment
compiled = []
real_parse = jinja2.environment.Environment._parse
def counting(self, *args, **kwargs):
    compiled.append(1)
    return real_parse(self, *args, **kwargs)
jinja2.environment.Environment._parse = counting
t2b = time.perf_counter()  # the patch is not part of the timing
lib = StyleLibrary([])
jobs = b.plan(loaded, lib, [], [], [])
t3 = time.perf_counter()
jinja2.environment.Environment._parse = real_parse
report = b.run(jobs, lib, Path(sys.argv[1]), workers=2)
t4 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "load_briefs": t2 - t1, "plan": t3 - t2b,
                  "run (hash inputs, check cache, manifest)": t4 - t3,
                  "built": len(report.built), "weasyprint": "weasyprint" in sys.modules,
                  "templates_compiled": len(compiled)}))
"""


def simulate(durations: list[float], workers: int) -> float:
    """Makespan of greedy list scheduling (what a process pool does with a job queue)."""
    free = [0.0] * workers
    for duration in durations:
        i = free.index(min(free))
        free[i] += duration
    return max(free)


SPIN = "n = 0\nfor i in range(6_000_000):\n    n += i\n"  # ~0.3-0.6 s of pure CPU


def parallel_capacity(project: Path) -> tuple[float, list[float]]:
    """How much faster two CPU-bound processes finish side by side than one after the other,
    right now (2.0 on two idle cores, less when other work holds a core), and the CPU time each
    of the four took: identical work, so their spread shows how much the host's load moves
    CPU times themselves."""
    args = [PYTHON, "-c", SPIN]
    cpus = []
    start = time.perf_counter()
    for _ in range(2):
        cpus.append(checked(run_proc(args, project), "spin").cpu)
    one_by_one = time.perf_counter() - start
    start = time.perf_counter()
    both = [subprocess.Popen([str(a) for a in args], cwd=project) for _ in range(2)]
    for proc in both:
        _, _, usage = os.wait4(proc.pid, 0)
        proc.returncode = 0
        cpus.append(usage.ru_utime + usage.ru_stime)
    return one_by_one / (time.perf_counter() - start), cpus


def measure_styles(work: Path, runs: int, noop_runs: int) -> tuple[dict, dict]:
    say("3. every style of the example: -j 1 --force vs -j 2 --force")
    project = make_project(work / "styles")
    seq_cmd = [BRIEFGEN, "build", "-o", "out-seq", "-j", "1", "--force"]
    par_cmd = [BRIEFGEN, "build", "-o", "out-par", "-j", "2", "--force"]
    checked(run_proc(seq_cmd, project), "sequential build")  # warm-up
    checked(run_proc(par_cmd, project), "parallel build")
    seq: list[Proc] = []
    par: list[Proc] = []
    capacity: list[float] = []
    spin_cpu: list[float] = []
    for i in range(runs):
        seq.append(checked(run_proc(seq_cmd, project), "sequential build"))
        par.append(checked(run_proc(par_cmd, project), "parallel build"))
        ratio, spins = parallel_capacity(project)
        capacity.append(ratio)
        spin_cpu.extend(spins)
        say(f"   run {i + 1}/{runs}: -j 1 {seq[-1].wall:.2f}s ({seq[-1].cpu:.2f}s CPU), "
            f"-j 2 {par[-1].wall:.2f}s ({par[-1].cpu:.2f}s CPU); machine's parallel capacity "
            f"now {capacity[-1]:.2f}×")
    outputs = len(re.findall(r"^✓", seq[-1].stdout, re.MULTILINE))
    s, p = median([r.wall for r in seq]), median([r.wall for r in par])
    jobs = json.loads(checked(run_proc([PYTHON, "-c", JOB_TIMES, project / "content" / SLUG,
                                        work / "jobtimes"], project), "job timing").stdout)
    durations = {k: v[0] for k, v in jobs["jobs"].items()}
    in_order = [durations[k] for k in jobs["order"]]
    longest_first = sorted(durations.values(), reverse=True)
    startup = jobs["import_weasyprint"]
    styles = {
        "seq": [r.wall for r in seq], "par": [r.wall for r in par],
        "seq_cpu": [r.cpu for r in seq], "par_cpu": [r.cpu for r in par],
        "median_seq": s, "median_par": p, "speedup": s / p, "outputs": outputs,
        "capacity": capacity, "spin_cpu": spin_cpu,
        "jobs": jobs, "total_job_time": sum(durations.values()),
        "makespan_current_order": simulate(in_order, 2),
        "makespan_longest_first": simulate(longest_first, 2),
    }
    say(f"   median -j 1 {s:.2f}s, -j 2 {p:.2f}s: speedup {s / p:.2f}× (goal ≥ 1.7×)")
    say("   per output (s): " + ", ".join(f"{k} {v:.2f}" for k, v in durations.items()))
    styles["many"] = measure_many_briefs(work, MANY_BRIEFS, max(1, runs // 2))

    say("4. no-op rebuild of everything (second run, no --force)")
    noop_cmd = [BRIEFGEN, "build", "-o", "out-par"]
    checked(run_proc(noop_cmd, project), "no-op build")  # warm-up
    noop = [checked(run_proc(noop_cmd, project), "no-op build") for _ in range(noop_runs)]
    phases = json.loads(checked(run_proc([PYTHON, "-c", NOOP_PHASES, "out-par"], project),
                                "no-op phases").stdout)
    summary = noop[-1].stdout.strip().splitlines()[-1]
    timing = run_proc([PYTHON, "-X", "importtime", BRIEFGEN, *noop_cmd[1:]], project)
    noop_imports = importtime_all(timing.stderr)
    validate = median(measure_validate_once(project, 3))
    noop_result = {
        "times": [r.wall for r in noop], "median": median([r.wall for r in noop]),
        "summary": summary, "phases": phases, "validate_same_project": validate,
        "module_times": noop_imports,
    }
    say(f"   median {noop_result['median']:.3f}s (goal < 0.5 s); '{summary}'; phases: "
        + ", ".join(f"{k} {v:.3f}s" for k, v in phases.items() if isinstance(v, float)))

    # What two workers could achieve at best (Amdahl): the parent's serial start (imports, load,
    # plan: measured in the no-op phases), one WeasyPrint import per process, then the jobs.
    head = phases["imports"]
    prep = phases["load_briefs"] + phases["plan"]
    total = sum(in_order)
    seq_model = head + prep + startup + total
    bounds = {
        "plan order": head + prep + startup + styles["makespan_current_order"],
        "longest first (what the pool does)":
            head + prep + startup + styles["makespan_longest_first"],
        "longest first, WeasyPrint import overlapping load + plan":
            head + max(prep, startup) + styles["makespan_longest_first"],
    }
    styles["serial"] = {"imports": head, "load + plan": prep, "import WeasyPrint": startup}
    styles["seq_model"] = seq_model
    styles["bounds"] = {k: seq_model / v for k, v in bounds.items()}
    say("   2-worker bounds from those: " + ", ".join(f"{k} {v:.2f}×"
                                                     for k, v in styles["bounds"].items()))
    return styles, noop_result


MANY_BRIEFS = 10


def measure_many_briefs(work: Path, n: int, runs: int) -> dict:
    """The same comparison on a project of n generated briefs, standard PDFs only: outputs of
    equal size, none dominating, so what the pool itself achieves shows."""
    project = work / f"many-{n}"
    generate(n, project)
    base = [BRIEFGEN, "build", "-s", "standard", "-f", "pdf", "-o", "out", "--force", "-j"]
    checked(run_proc([*base, "2"], project), f"{n} briefs")  # warm-up
    seq: list[float] = []
    par: list[float] = []
    for _ in range(runs):
        seq.append(checked(run_proc([*base, "1"], project), f"{n} briefs, -j 1").wall)
        par.append(checked(run_proc([*base, "2"], project), f"{n} briefs, -j 2").wall)
    result = {"n": n, "seq": seq, "par": par, "speedup": median(seq) / median(par)}
    say(f"   {n} generated briefs, standard PDF: -j 1 {median(seq):.2f}s, -j 2 "
        f"{median(par):.2f}s: speedup {result['speedup']:.2f}×")
    return result


def measure_validate_once(project: Path, runs: int) -> list[float]:
    return [checked(run_proc([BRIEFGEN, "validate"], project), "validate").wall
            for _ in range(runs)]


# --------------------------------------------------------------------------------------------
# 5. scaling


def linear_fit(ns: list[int], ts: list[float]) -> dict:
    mean_n, mean_t = statistics.fmean(ns), statistics.fmean(ts)
    slope = sum((n - mean_n) * (t - mean_t) for n, t in zip(ns, ts, strict=True)) / sum(
        (n - mean_n) ** 2 for n in ns)
    fixed = mean_t - slope * mean_n
    worst = max(abs(t - (fixed + slope * n)) / t for n, t in zip(ns, ts, strict=True))
    marginal = [(ts[i + 1] - ts[i]) / (ns[i + 1] - ns[i]) for i in range(len(ns) - 1)]
    return {"fixed": fixed, "slope": slope, "worst_residual": worst, "marginal": marginal,
            "marginal_ratio": (marginal[-1] / marginal[0]) if len(marginal) > 1 else 1.0}


def is_linear(scaling: dict) -> bool:
    """No growth faster than linear: the CPU time (the work done, by every process of the
    build) per extra brief from the middle to the largest N is at most 25% above that from the
    smallest to the middle N. Wall time carries more of other processes' load."""
    return scaling["fit"]["cpu"]["marginal_ratio"] <= 1.25


def output_timeline(proc: Proc) -> dict:
    """From the time each `✓ …` line appeared: the start (to the first output), the end (after
    the last), the steady rate of PDFs in between, and that rate in the second half of the PDFs
    against the first half (> 1: later PDFs came slower, in the same run)."""
    done = [t for t, line in proc.lines if line.lstrip().startswith("✓")]
    pdfs = [t for t, line in proc.lines if line.lstrip().startswith("✓") and ".pdf" in line]
    result = {"first_output": done[0] if done else None,
              "after_last": proc.wall - done[-1] if done else None,
              "pdf_rate": None, "halves": None}
    if len(pdfs) >= 6:  # skip the first two (the workers' start-up), split the rest in halves
        mid = (len(pdfs) + 1) // 2
        first = (pdfs[mid] - pdfs[1]) / (mid - 1)
        second = (pdfs[-1] - pdfs[mid]) / (len(pdfs) - 1 - mid)
        result["pdf_rate"] = (pdfs[-1] - pdfs[1]) / (len(pdfs) - 2)
        result["halves"] = second / first
    return result


def measure_scaling(work: Path, plan: list[tuple[int, int]]) -> dict:
    say("5. scaling: N generated briefs, standard pdf+html, -j 2 --force")
    rows = []
    for n, runs in plan:
        project = work / f"scale-{n}"
        generate(n, project)
        cmd = [BRIEFGEN, "build", "-s", "standard", "-f", "pdf", "-f", "html", "-o", "out",
               "-j", "2", "--force"]
        procs = []
        lines = []
        shares = []
        for i in range(runs):
            with Background() as background:
                procs.append(checked(run_proc(cmd, project, sample_memory=True,
                                              timestamps=True), f"{n} briefs"))
            shares.append(background.share)
            lines.append(output_timeline(procs[-1]))
            tl = lines[-1]
            say(f"   N={n} run {i + 1}/{runs}: {procs[-1].wall:.2f}s, "
                f"{procs[-1].cpu:.2f}s CPU, largest process {procs[-1].maxrss_mb:.0f} MB, "
                f"all processes together {procs[-1].tree_peak_mb:.0f} MB"
                + (f"; a PDF every {tl['pdf_rate']:.3f}s, 2nd half / 1st half "
                   f"{tl['halves']:.2f}" if tl["halves"] else "")
                + f"; others used {shares[-1]:.0%} of the machine")
        manifest = json.loads((project / "out" / "manifest.json").read_text())
        wall = median([p.wall for p in procs])

        def med(key: str, timelines: list[dict] = lines) -> float | None:
            values = [tl[key] for tl in timelines if tl[key] is not None]
            return median(values) if values else None

        rows.append({
            "n": n, "runs": runs, "wall": wall, "walls": [p.wall for p in procs],
            "cpu": median([p.cpu for p in procs]), "cpus": [p.cpu for p in procs],
            "per_brief": wall / n, "cpu_per_brief": median([p.cpu for p in procs]) / n,
            "maxrss_mb": max(p.maxrss_mb for p in procs),
            "tree_peak_mb": max(p.tree_peak_mb for p in procs),
            "outputs": len(manifest["outputs"]),
            "pages": sorted({o["pages"] for o in manifest["outputs"] if o["pages"]}),
            "first_output": med("first_output"), "after_last": med("after_last"),
            "pdf_rate": med("pdf_rate"), "halves": med("halves"),
            "background": shares,
        })
        shutil.rmtree(project / "out", ignore_errors=True)
    # Linear cost: cost = fixed + per_brief × N, fitted to the wall times and to the CPU times;
    # the marginal cost per brief from 1→10 and 10→50 shows any growth faster than linear.
    fit = {key: linear_fit([r["n"] for r in rows], [r[key] for r in rows])
           for key in ("wall", "cpu")} if len(rows) >= 2 else {}
    for key, f in fit.items():
        say(f"   {key} fit: {f['fixed']:.2f}s + {f['slope']:.3f}s × N (worst residual "
            f"{f['worst_residual']:.1%}); marginal cost per brief "
            + " → ".join(f"{m:.3f}s" for m in f["marginal"]))
    return {"rows": rows, "fit": fit}


# --------------------------------------------------------------------------------------------
# 6. HarfBuzz-subset vs fontTools


def measure_subsetting(work: Path, runs: int) -> dict:
    say("6. the standard PDF with HarfBuzz-subset and with fontTools subsetting (in-process)")
    import weasyprint.pdf.fonts as wfonts
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    from briefgen import build as builder
    from briefgen.content import load_briefs
    from briefgen.pdf import lay_out
    from briefgen.render import render_html
    from briefgen.styles import StyleLibrary

    project = make_project(work / "subset")
    library = StyleLibrary([])
    loaded = load_briefs([project / "content" / SLUG])
    job = builder.plan(loaded, library, ["standard"], [], ["pdf"])[0]
    rendered = render_html(job.brief, job.style, library, "pdf")

    calls = {"harfbuzz": 0, "fonttools": 0}
    real_hb, real_ft = wfonts.Font._harfbuzz_subset, wfonts.Font._fonttools_subset

    def counted(kind: str, real: Callable) -> Callable:
        def wrapper(self, *args, **kwargs):  # noqa: ANN001, ANN202
            calls[kind] += 1
            return real(self, *args, **kwargs)
        return wrapper

    available = harfbuzz_subset is not None and harfbuzz.hb_version_atleast(4, 1, 0)
    modes = {"harfbuzz-subset": harfbuzz_subset, "fontTools": None}
    if not available:
        modes = {"fontTools": None}
    result: dict = {"available": available, "modes": {}}
    saved_epoch = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1795046400")  # identical metadata in every PDF
    silent = logging.NullHandler()
    logging.getLogger("weasyprint").addHandler(silent)
    wfonts.Font._harfbuzz_subset = counted("harfbuzz", real_hb)
    wfonts.Font._fonttools_subset = counted("fonttools", real_ft)
    try:
        samples: dict[str, dict[str, list]] = {m: {"write": [], "total": [], "sha": [],
                                                   "size": []} for m in modes}
        for lib in modes.values():  # warm-up each path once
            wfonts.harfbuzz_subset = lib
            lay_out(rendered).pdf_bytes()
        for _ in range(runs):
            for mode, lib in modes.items():
                wfonts.harfbuzz_subset = lib
                start = time.process_time()
                laid = lay_out(rendered)
                mid = time.process_time()
                data = laid.pdf_bytes()
                end = time.process_time()
                samples[mode]["write"].append(end - mid)
                samples[mode]["total"].append(end - start)
                samples[mode]["sha"].append(hashlib.sha256(data).hexdigest())
                samples[mode]["size"].append(len(data))
        for mode, got in samples.items():
            result["modes"][mode] = {
                "write_pdf_cpu": median(got["write"]), "total_cpu": median(got["total"]),
                "writes": got["write"], "size": got["size"][-1],
                "reproducible": len(set(got["sha"])) == 1, "sha": got["sha"][-1],
            }
            say(f"   {mode}: write_pdf {median(got['write']):.3f}s CPU, lay out + write "
                f"{median(got['total']):.3f}s CPU, {got['size'][-1]:,} bytes, identical across "
                f"runs: {len(set(got['sha'])) == 1}")
    finally:
        wfonts.harfbuzz_subset = harfbuzz_subset
        wfonts.Font._harfbuzz_subset, wfonts.Font._fonttools_subset = real_hb, real_ft
        logging.getLogger("weasyprint").removeHandler(silent)
        if saved_epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
    result["calls"] = calls
    return result


# --------------------------------------------------------------------------------------------
# RESULTS.md


def background_note(section: dict) -> str:
    share = section.get("background")
    if share is None:
        return ""
    return (f"Other processes used {share:.0%} of the machine's CPU time while this was "
            "measured (from /proc/stat, less this script's own processes).")


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def write_results(path: Path, info: dict) -> None:
    m, v = info["machine"], info["versions"]
    o, c, st, no, sc, hb = (info.get(k) for k in
                            ("overhead", "cold", "styles", "noop", "scaling", "subset"))
    L: list[str] = []
    add = L.append
    add("# briefgen benchmarks")
    add("")
    add(f"Measured {info['date']} by `{COMMAND}` (run from the repository root; "
        f"{info['duration']:.0f} s in all{', quick mode' if info['quick'] else ''}). "
        "Medians; each table gives the runs' range. The script writes this file; the "
        "“what stands in the way” notes are its reading of the figures it measured.")
    add("")
    add("## Machine and versions")
    add("")
    add("| | |")
    add("|---|---|")
    for key, value in {**m, **v}.items():
        add(f"| {key} | {value} |")
    add(f"| load average (1, 5, 15 min) | at start {info['load_start']}, at end "
        f"{info['load_end']} |")
    if info["busy"] or info["busy_end"]:
        add(f"| other busy processes | at start: {'; '.join(info['busy']) or 'none'}; at end: "
            f"{'; '.join(info['busy_end']) or 'none'} |")
    add(f"| commit at the end | {info['head_end']} |")
    add("")
    add("Conditions: the machine may be shared, so wall times carry noise from other work; CPU "
        "times (user + system, this process or the build's whole process tree) are given beside "
        "them and are steadier. Child processes run with bytecode cached under "
        f"`{PYCACHE}` (`PYTHONPYCACHEPREFIX`), as an installed package would from `__pycache__`; "
        "briefs are copied to a temporary project, so concurrent edits of `content/` do not "
        "reach the measurements (edits of `briefgen/` and `templates/` would).")
    add("")

    # summary
    add("## Summary")
    add("")
    add("| # | measure | goal | result | |")
    add("|---|---|---|---|---|")
    if o:
        kind = "tagged" if o["base"] == "bare_tags" else "untagged"
        literal = (f" (against untagged bare: {o['ratio_untagged_wall']:.3f} wall, "
                   f"{o['ratio_untagged_cpu']:.3f} CPU)" if o["base"] == "bare_tags" else "")
        add(f"| 1 | briefgen / bare WeasyPrint ({kind} PDF, like briefgen's), standard PDF, "
            f"in-process warm | ≤ 1.05 | {o['ratio_wall']:.3f} wall, {o['ratio_cpu']:.3f} CPU"
            f"{literal} | {verdict(o['ratio_wall'] <= 1.05 and o['ratio_cpu'] <= 1.05)} |")
    if c:
        cached = c["envs"]["bytecode cached"]
        for name in ("briefgen --help", "briefgen validate"):
            t = median(cached[name])
            add(f"| 2 | `{name}`, cold process | < 0.3 s | {t:.3f} s | {verdict(t < 0.3)} |")
        loaded = [k for k, ch in c["checks"].items() if ch["heavy"] or ch["importtime_weasyprint"]]
        add(f"| 2 | WeasyPrint not imported by --help / validate | not imported | "
            f"{'imported by ' + ', '.join(loaded) if loaded else 'not imported'} | "
            f"{verdict(not loaded)} |")
    if st:
        add(f"| 3 | every style, `-j 2` vs `-j 1` (both `--force`) | ≥ 1.7× | "
            f"{st['speedup']:.2f}× | {verdict(st['speedup'] >= 1.7)} |")
    if no:
        add(f"| 4 | no-op rebuild of everything | < 0.5 s | {no['median']:.3f} s | "
            f"{verdict(no['median'] < 0.5)} |")
    if sc and sc["fit"]:
        fc, fw = sc["fit"]["cpu"], sc["fit"]["wall"]
        add(f"| 5 | {' → '.join(str(r['n']) for r in sc['rows'])} briefs, cost grows "
            f"linearly | linear | CPU "
            f"{fc['fixed']:.2f} s + {fc['slope']:.2f} s × N, marginal per brief "
            + " → ".join(f"{m:.2f}" for m in fc["marginal"])
            + f" s; wall {fw['fixed']:.2f} s + {fw['slope']:.2f} s × N, marginal "
            + " → ".join(f"{m:.2f}" for m in fw["marginal"])
            + f" s; in the {sc['rows'][-1]['n']}-brief runs, 2nd-half PDFs "
            + (f"{sc['rows'][-1]['halves']:.2f}× as slow as the 1st half"
               if sc["rows"][-1].get("halves") is not None else "n/a")
            + f"; largest process {sc['rows'][0]['maxrss_mb']:.0f} → "
            f"{sc['rows'][-1]['maxrss_mb']:.0f} MB | {verdict(is_linear(sc))} |")
    if hb:
        if len(hb["modes"]) == 2:
            h, f = hb["modes"]["harfbuzz-subset"], hb["modes"]["fontTools"]
            add(f"| 6 | PDF with vs without libharfbuzz-subset0 | (compare) | write_pdf "
                f"{h['write_pdf_cpu']:.2f} s vs {f['write_pdf_cpu']:.2f} s CPU; "
                f"{h['size']:,} vs {f['size']:,} bytes | measured both ways |")
        else:
            add("| 6 | PDF with vs without libharfbuzz-subset0 | (compare) | only fontTools "
                "available | see below |")
    add("")

    if o:
        base = o["base"]
        kind = "tagged" if base == "bare_tags" else "untagged"
        add("## 1. Overhead: briefgen vs bare WeasyPrint (standard style, PDF only)")
        add("")
        add("In one process, after a warm-up run of each variant (imports done, fonts loaded), "
            f"{len(o['wall']['bare'])} interleaved rounds (the order rotates each round). The "
            "HTML comes from `briefgen.render.render_html`; every variant uses the same "
            "stylesheets (`fonts.css`, `standard/style.css`, the style's `@page` rule) and a "
            "`FontConfiguration` so the bundled fonts load.")
        add("")
        add(background_note(o))
        add("")
        add("| variant | wall median (s) | wall range | CPU median (s) | pages | bytes | "
            "tagged PDF |")
        add("|---|---|---|---|---|---|---|")
        for key, label in o["variants"].items():
            tag = {True: "yes", False: "no", None: "?"}[o["tagged"][key]]
            add(f"| {label} | {o['median_wall'][key]:.3f} | {spread(o['wall'][key])} | "
                f"{o['median_cpu'][key]:.3f} | {o['pages'][key]} | {o['sizes'][key]:,} | "
                f"{tag} |")
        add("")
        met = o["ratio_wall"] <= 1.05 and o["ratio_cpu"] <= 1.05
        n = len(o["wall"]["bare"])
        add(f"- **briefgen / bare = {o['ratio_wall']:.3f} wall, {o['ratio_cpu']:.3f} CPU** "
            f"(ratio of medians, against bare WeasyPrint making a {kind} PDF as briefgen "
            f"does; goal ≤ 1.05: {verdict(met)}). Median of the per-round ratios: "
            f"{o['ratio_paired_wall']:.3f} wall / {o['ratio_paired_cpu']:.3f} CPU; best-of-{n}: "
            f"{o['ratio_min_wall']:.3f}.")
        if base == "bare_tags":
            add(f"- Against the brief's literal baseline (`write_pdf(stylesheets=…)`, no "
                f"`pdf_tags`, so an untagged PDF): {o['ratio_untagged_wall']:.3f} wall, "
                f"{o['ratio_untagged_cpu']:.3f} CPU. Bare WeasyPrint tagged vs untagged: "
                f"×{o['tags_cost_cpu']:.2f} CPU here, and a file "
                f"{o['sizes']['bare_tags'] / o['sizes']['bare']:.2f}× larger; tagging is a "
                "feature (an accessible PDF), not overhead.")
        add(f"- `lay_out` + `pdf_bytes` alone (briefgen.pdf: the same WeasyPrint calls plus "
            "the guarded fetcher, dropping attachments, collecting warnings; no loading, "
            f"rendering, hashing or writing): {o['ratio_lay_out_cpu']:.3f}× the baseline's CPU "
            f"(best-of: {o['min_wall']['lay_out'] / o['min_wall'][base]:.3f}× wall). The "
            "spread of the rows and the gap between these two, which do the same WeasyPrint "
            "work, show how precisely a ratio can be read on this machine: a few percent.")
        ph = o["phases"]
        own = sum(ph.values())
        weasy = o["median_cpu"]["lay_out"]
        add(f"- briefgen's own steps, each timed as a fresh command runs it: loading the brief "
            f"{ph['load']:.3f} s, `plan` with a new StyleLibrary {ph['plan']:.3f} s, the first "
            f"`render_html` {ph['render_html']:.3f} s"
            + (f", hashing the inputs (brief, sources, style files, ~4 MB of fonts) "
               f"{ph['hash']:.3f} s" if "hash" in ph else "")
            + f": {own:.3f} s in all, {own / weasy:.1%} of WeasyPrint's {weasy:.3f} s; writing "
            "the file, the cache and the manifest come on top. These are steadier than the "
            "end-to-end ratio, because each is timed alone.")
        counts = o["probe"]["counts"]
        add(f"- What those steps do (calls counted): loading parses Markdown "
            f"{counts['load']['markdown']} times (markdown-it) and composes "
            f"{counts['load']['yaml']} YAML documents from {o['probe']['yaml_files']} files; "
            f"`plan` compiles {counts['plan']['jinja']} template(s) from source and the first "
            f"render {counts['render']['jinja']} more (imported macros), and parses Markdown "
            f"{counts['render']['markdown']} times (field by field).")
        if o["tagged"].get("briefgen") is False and o["tagged"].get("bare_tags"):
            add("- **briefgen's PDFs are not tagged**: `pdf_tags=True` must go to "
                "`Document.write_pdf()` — WeasyPrint 70 starts `write_pdf` from "
                "`DEFAULT_OPTIONS` (`pdf_tags: False`), whatever `render()` was given. Fix: "
                "`self.document.write_pdf(pdf_tags=True)` in `LaidOut.pdf_bytes()`, and a "
                f"test for `/StructTreeRoot`. Cost: ×{o['tags_cost_cpu']:.2f} CPU and "
                f"{o['sizes']['bare_tags'] / o['sizes']['bare']:.2f}× the bytes.")
        if not met or own > 0.05 * weasy * 0.8:
            fixes = []
            if counts["load"]["markdown"] > 3:
                fixes.append(f"parse the brief's Markdown once ({counts['load']['markdown']} "
                             "parses now, block structure only: `sections.parse_body` splits "
                             "on headings and re-parses sections and sub-sections from their "
                             "text) and slice the token stream, whose tokens carry `.map` line "
                             "numbers")
            if counts["load"]["yaml"] > o["probe"]["yaml_files"]:
                fixes.append("compose each YAML file once and construct the data from that "
                             "node tree (`construct_document(node)`)")
            if counts["plan"]["jinja"] + counts["render"]["jinja"] > 0:
                fixes.append("give the Jinja `Environment` a `FileSystemBytecodeCache` (under "
                             "the user's cache folder) so that a new process or worker loads "
                             f"the {counts['plan']['jinja'] + counts['render']['jinja']} "
                             "compiled templates instead of compiling them from source")
            label = "*What stands in the way:*" if not met else "*Margin:*"
            relation = ("exceed" if own > 0.05 * weasy else "take most of")
            add(f"- {label} briefgen's own steps ({own * 1000:.0f} ms, "
                f"{own / weasy:.1%} of the WeasyPrint time) {relation} the 5% budget "
                f"({0.05 * weasy * 1000:.0f} ms) on their own"
                + (", so the end-to-end ratio meets the goal only within its noise"
                   if met else "")
                + (". Fixes: " + "; ".join(fixes) + "." if fixes else
                   ". What is left is loading (pydantic validation, Markdown) and rendering "
                   "(Jinja, Markdown to HTML) themselves."))
        add("")

    if c:
        add("## 2. `briefgen --help` and `briefgen validate`, cold processes")
        add("")
        add("Each command is a new process (`subprocess`, the example project as working "
            "folder), after one warm-up; `python -c pass` is the floor.")
        add("")
        add(background_note(c))
        add("")
        add("| environment | command | median (s) | range |")
        add("|---|---|---|---|")
        for env_name, times in c["envs"].items():
            for name, values in times.items():
                add(f"| {env_name} | `{name}` | {median(values):.3f} | {spread(values)} |")
        add("")
        add("Modules loaded (checked through `sys.modules` after `cli.main` returns, and with "
            "`python -X importtime`):")
        add("")
        add("| command | WeasyPrint-side modules | -X importtime lists weasyprint | other heavy "
            "packages loaded | modules | slowest top-level imports (cumulative s) |")
        add("|---|---|---|---|---|---|")
        for name, ch in c["checks"].items():
            top = ", ".join(f"{mod} {t:.3f}" for mod, t in ch["top_imports"][:6])
            add(f"| `{name}` | {', '.join(ch['heavy']) or 'none'} | "
                f"{'yes' if ch['importtime_weasyprint'] else 'no'} | "
                f"{', '.join(ch.get('others', [])) or 'none'} | {ch['modules']} | {top} |")
        add("")
        cached = c["envs"]["bytecode cached"]
        slow = [n for n in ("briefgen --help", "briefgen validate") if median(cached[n]) >= 0.3]
        if slow:
            mt = c["checks"].get("validate", {}).get("module_times", {})
            parts = []
            for module, why in (
                ("typer._adapters", "`typer._adapters`: typer 0.29 coerces every option "
                 "through a pydantic `TypeAdapter` it builds at parse time, so it imports "
                 "pydantic first"),
                ("pydantic", "pydantic (the brief's model needs it anyway)"),
                ("briefgen.content", "briefgen.content with the model, the section parser and "
                 "markdown-it"),
                ("markdown_it", "markdown-it"),
                ("briefgen.check", "briefgen.check"),
                ("jinja2", "Jinja2, which validation does not need without `--style`"),
                ("yaml", "PyYAML"),
                ("rich.console", "rich's console"),
            ):
                if module in mt:
                    parts.append(f"{why} ({mt[module]:.3f} s, first imported)")
            load = o["phases"]["load"] if o else None
            add("*What stands in the way* (" + ", ".join(f"`{n}`" for n in slow) + "): the "
                f"floor is {median(cached['python -c pass']):.3f} s of interpreter start; "
                "imports then take most of the rest — " + "; ".join(parts)
                + (f" — and loading the brief {load:.3f} s warm" if load else "")
                + ". (Cumulative import times overlap: a module's figure includes what it "
                "imports first.) Already done: `validate` imports neither Jinja nor the "
                "templates' code unless `--style` is given, the section splitter parses block "
                "structure only, and the CLI's consoles skip rich's emoji table. What is left "
                "of briefgen's own: building the brief's pydantic models when `briefgen.model` "
                "is imported (~19 ms; deferring it only moves it to the first validation), "
                "loading the brief (see 1), and typer 0.29 building a pydantic adapter per "
                "option on every invocation — typer's cost, avoidable only with fewer options "
                "per command or another CLI layer. Getting under 0.3 s means cutting ~"
                f"{(median(cached['briefgen validate']) - 0.3) * 1000:.0f} ms from these. "
                "The floor under any such cut: a process that only imports "
                + ", ".join(f"`{m}`" for m in VALIDATE_LIBRARIES)
                + f" takes {median(cached[LIBRARY_FLOOR]):.3f} s, so briefgen's own share "
                f"of `validate` (its modules, loading and checking the brief, printing) is "
                f"{median(cached['briefgen validate']) - median(cached[LIBRARY_FLOOR]):.3f} s.")
        envs = list(c["envs"])
        if len(envs) > 1:
            raw = c["envs"][envs[1]]
            add("")
            add(f"With the environment as it is here (`PYTHONDONTWRITEBYTECODE=1`, and no "
                f"`briefgen/__pycache__` in the work tree: briefgen's own modules are compiled "
                f"at every start), `validate` takes {median(raw['briefgen validate']):.3f} s and "
                f"`--help` {median(raw['briefgen --help']):.3f} s, against "
                f"{median(cached['briefgen validate']):.3f} s and "
                f"{median(cached['briefgen --help']):.3f} s with bytecode cached. The goal is "
                "judged on the cached figures: an installed package has its bytecode.")
        add("")

    if st:
        j = st["jobs"]
        add("## 3. Every style of the example: `-j 1` vs `-j 2`")
        add("")
        add(f"`briefgen build -o OUT -j 1 --force` and `-j 2 --force` in the example project "
            f"({st['outputs']} outputs: 4 PDFs and 5 HTML files), runs interleaved.")
        add("")
        add(background_note(st) + " (Over sections 3 and 4 together.)")
        add("")
        add("| | wall median (s) | range | CPU median, all processes (s) |")
        add("|---|---|---|---|")
        add(f"| `-j 1 --force` | {st['median_seq']:.2f} | {spread(st['seq'])} | "
            f"{median(st['seq_cpu']):.2f} |")
        add(f"| `-j 2 --force` | {st['median_par']:.2f} | {spread(st['par'])} | "
            f"{median(st['par_cpu']):.2f} |")
        add(f"| **speedup** | **{st['speedup']:.2f}×** | goal ≥ 1.7× | "
            f"{verdict(st['speedup'] >= 1.7)} |")
        add(f"| speedup, best run of each | {min(st['seq']) / min(st['par']):.2f}× | | |")
        add("")
        many = st.get("many")
        if many:
            add(f"The same comparison on {many['n']} generated briefs (`bench/generate.py`), "
                "standard PDFs only — outputs of equal size, none dominating: `-j 1` "
                f"{median(many['seq']):.2f} s ({spread(many['seq'])}), `-j 2` "
                f"{median(many['par']):.2f} s ({spread(many['par'])}): "
                f"**{many['speedup']:.2f}×**"
                + (" — the pool itself meets the goal when the work can be divided."
                   if many["speedup"] >= 1.7 else "."))
            add("")
        add(f"Control: two trivially parallel CPU-bound Pythons, run after each build pair, "
            f"finished {median(st['capacity']):.2f}× faster side by side than one after the "
            f"other ({spread(st['capacity'])}; 2.00× on two idle cores). That is what the "
            "machine offered during the runs; other sessions' work shares these two cores. "
            f"The same loop took {min(st['spin_cpu']):.2f}–{max(st['spin_cpu']):.2f} s of CPU "
            "from one run to the next: on this host even CPU times move with the load.")
        add("")
        add("Time of each output, built in one warm process (second pass), in the order the "
            "pool receives them (PDFs first, then HTML):")
        add("")
        add("| output | seconds | pages | style's max_pages |")
        add("|---|---|---|---|")
        for name in j["order"]:
            secs, pages = j["jobs"][name]
            style = name.split(".")[0]
            add(f"| {name} | {secs:.2f} | {pages or ''} | {j['max_pages'].get(style) or ''} |")
        add("")
        add(f"Importing WeasyPrint costs {j['import_weasyprint']:.2f} s per process (warm "
            f"file cache); `plan` for all styles {j['plan']:.2f} s in the same process.")
        add("")
        add("The best two workers can do with these outputs (a model from the figures above "
            f"and the no-op phases in 4; the sequential build is modelled as "
            f"{st['seq_model']:.2f} s — serial start "
            + ", ".join(f"{k} {v:.2f} s" for k, v in st["serial"].items())
            + f", then {st['total_job_time']:.2f} s of outputs):")
        add("")
        add("| schedule | bound on the speedup |")
        add("|---|---|")
        for name, bound in st["bounds"].items():
            add(f"| {name} | {bound:.2f}× |")
        add("")
        if st["speedup"] < 1.7:
            pdfs = [k for k in j["order"] if k.endswith(".pdf")]
            compiled_in_plan = (no or {}).get("phases", {}).get("templates_compiled", 1)
            longest = max(pdfs, key=lambda k: j["jobs"][k][0])
            share = j["jobs"][longest][0] / st["total_job_time"]
            best = max(st["bounds"].values())
            add(f"*What stands in the way:* (a) one output dominates: {longest} is "
                f"{share:.0%} of all the output time, and one document cannot be split across "
                "processes, so two workers can never finish sooner than it (the pool already "
                "takes the PDFs longest first, by the style's `budgets.max_pages`: "
                + ", ".join(f"{k} {v}" for k, v in sorted(j["max_pages"].items(),
                                                           key=lambda kv: -(kv[1] or 0)) if v)
                + ", so that one starts at once); (b) the serial start — CLI imports, "
                "loading, `plan` — and one WeasyPrint import per process are paid by both "
                "runs, which caps the speedup (Amdahl)"
                + (", and each worker compiles the templates it renders again"
                   if compiled_in_plan else "")
                + "; (c) on a 2-core machine any other load takes a core from one worker (see "
                f"the control). The bounds above say this brief allows at most {best:.2f}× on "
                "two idle cores even if the WeasyPrint import overlapped loading and `plan`"
                + (" — short of 1.7×: the longest PDF itself (WeasyPrint's layout of it) would "
                   "have to get faster, or one brief's styles are simply too few and too "
                   "unequal to split evenly"
                   + (f"; with {many['n']} equal briefs the same pool gives "
                      f"{many['speedup']:.2f}×." if many else ".")
                   if best < 1.7 else ", just enough for 1.7× when the machine is quiet.")
                )
        add("")

    if no:
        add("## 4. No-op rebuild")
        add("")
        add(f"After a full build, `briefgen build -o OUT` (no `--force`) again, "
            f"{len(no['times'])} runs: median **{no['median']:.3f} s** ({spread(no['times'])}); "
            f"goal < 0.5 s: {verdict(no['median'] < 0.5)}. Last summary line: "
            f"`{no['summary']}`.")
        add("")
        add("Where the time goes (one cold process, phases timed by hand):")
        add("")
        add("| phase | seconds |")
        add("|---|---|")
        for key, value in no["phases"].items():
            if isinstance(value, float):
                add(f"| {key} | {value:.3f} |")
        add(f"| templates compiled from source in `plan` | "
            f"{no['phases'].get('templates_compiled', '?')} |")
        add(f"| WeasyPrint imported | {'yes' if no['phases']['weasyprint'] else 'no'} |")
        add("")
        if no["median"] >= 0.5:
            ph = no["phases"]
            compiled = ph.get("templates_compiled", 0)
            run_t = next((v for k, v in ph.items() if k.startswith("run")), 0.0)
            mt = no.get("module_times", {})
            named = sorted(((m, mt[m]) for m in ("typer._adapters", "pydantic",
                                                 "briefgen.content", "markdown_it",
                                                 "briefgen.render", "jinja2", "briefgen.build",
                                                 "rich.console", "yaml") if m in mt),
                           key=lambda item: -item[1])
            add(f"*What stands in the way:* the start-up imports ({ph['imports']:.3f} s of the "
                f"{no['median']:.3f} s; cumulative, overlapping import times from `-X "
                "importtime` of the same command: "
                + ", ".join(f"{m} {t:.3f} s" for m, t in named)
                + f"), then loading the briefs ({ph['load_briefs']:.3f} s) and `plan` "
                f"({ph['plan']:.3f} s"
                + (f", compiling {compiled} templates from source" if compiled else
                   ", templates loaded from Jinja's bytecode cache")
                + f"), and the cache check and manifest ({run_t:.3f} s). "
                "Fixes: consult the cache before `plan` loads any template, so that a no-op "
                "needs neither Jinja nor `briefgen.render`, and import them only for jobs that "
                "will be built; the typer/pydantic cost is shared with `validate` (see 2).")
        elif no["median"] >= 0.45:
            add("*Margin:* within 10% of the goal; the imports "
                f"({no['phases']['imports']:.3f} s) are most of it (see 2).")
        add("")

    if sc:
        add("## 5. Scaling: N generated briefs")
        add("")
        add("`bench/generate.py` writes N copies of the example with their own slug, title, "
            "date, version, number and key-message order into a temporary project; then "
            "`briefgen build -s standard -f pdf -f html -o out -j 2 --force` there. Memory, "
            "sampled from /proc every 50 ms (stdlib only; psutil is not installed): *largest "
            "process* is the highest `VmHWM` (peak RSS) of any one process of the build, parent "
            "or worker; *all processes* is the peak of their summed RSS. (`ru_maxrss` from "
            "`wait4` would not do: on Linux a child's starts from its parent's RSS at fork, "
            "i.e. this script's.)")
        add("")
        add("| briefs | runs | outputs | wall median (s) | range | per brief (s) | CPU per "
            "brief (s) | CPU range (s) | largest process (MB) | all processes (MB) |")
        add("|---|---|---|---|---|---|---|---|---|---|")
        for r in sc["rows"]:
            add(f"| {r['n']} | {r['runs']} | {r['outputs']} | {r['wall']:.2f} | "
                f"{spread(r['walls'])} | {r['per_brief']:.3f} | {r['cpu_per_brief']:.3f} | "
                f"{spread(r['cpus'])} | {r['maxrss_mb']:.0f} | {r['tree_peak_mb']:.0f} |")
        add("")
        add("Inside each run, from the moment each output's line appeared on stdout (medians "
            "over the runs): time to the first output (start-up, loading, plan, worker start), "
            "the steady interval between PDFs (2 workers), the second half's interval over the "
            "first half's, and the time after the last output (cache, manifest, shutdown):")
        add("")
        add("| briefs | first output (s) | a PDF every (s) | 2nd half / 1st half | after the "
            "last output (s) |")
        add("|---|---|---|---|---|")

        def fmt(value: float | None, digits: int = 3) -> str:
            return "–" if value is None else f"{value:.{digits}f}"

        for r in sc["rows"]:
            add(f"| {r['n']} | {fmt(r['first_output'])} | {fmt(r['pdf_rate'])} | "
                f"{fmt(r['halves'], 2)} | {fmt(r['after_last'])} |")
        add("")
        if sc["fit"]:
            add("Fits over N = " + ", ".join(str(r["n"]) for r in sc["rows"]) + ":")
            add("")
            steps = " → ".join(f"{a['n']}→{b['n']}" for a, b in zip(sc["rows"], sc["rows"][1:],
                                                                     strict=False))
            add("| fitted to | fixed (s) | per brief (s) | worst point off the line | marginal "
                f"cost per brief, {steps} (s) | last / first |")
            add("|---|---|---|---|---|---|")
            for key, label in (("cpu", "CPU time, all processes"), ("wall", "wall time")):
                f = sc["fit"][key]
                add(f"| {label} | {f['fixed']:.2f} | {f['slope']:.3f} | "
                    f"{f['worst_residual']:.1%} | "
                    + " → ".join(f"{x:.3f}" for x in f["marginal"])
                    + f" | {f['marginal_ratio']:.2f} |")
            add("")
            big = sc["rows"][-1]
            fc = sc["fit"]["cpu"]
            add(f"Linear: {verdict(is_linear(sc))}. Judged on CPU time, the work every process "
                "of the build did: the marginal cost per extra brief goes "
                + " → ".join(f"{x:.3f} s" for x in fc["marginal"])
                + f" ({fc['marginal_ratio']:.2f}×; criterion ≤ 1.25×: growth faster than "
                "linear — a parent doing O(N) work per output, state piling up in a worker — "
                "would raise it). A second view, inside each run so that it needs no second "
                "run to compare with: the later half of the PDFs came "
                + (f"{big['halves']:.2f}×" if big["halves"] is not None else "(n/a)")
                + " as slow as the earlier half in the largest runs (medians"
                + (f"; the N={sc['rows'][1]['n']} runs: {sc['rows'][1]['halves']:.2f}×"
                   if len(sc["rows"]) > 2 and sc["rows"][1]["halves"] is not None else "")
                + "). Wall time moves with other sessions' work on this shared machine: they "
                "used "
                + "; ".join(f"{', '.join(f'{x:.0%}' for x in r['background'])} of the CPUs "
                            f"during the N={r['n']} runs" for r in sc["rows"])
                + ". The cost per brief falls with N because the fixed part (start-up, one "
                "WeasyPrint import per worker) is shared. Memory stays bounded: the largest "
                f"single process peaks at {big['maxrss_mb']:.0f} MB whatever N (each worker "
                "holds one document at a time); the whole tree grows from "
                f"{sc['rows'][0]['tree_peak_mb']:.0f} to {big['tree_peak_mb']:.0f} MB (the "
                "parent keeps every loaded brief and result).")
            if not is_linear(sc):
                add("")
                add("*What stands in the way:* the CPU cost per brief grows with N; profile "
                    "the parent (it holds every loaded brief and result, and records each "
                    "output in the cache) and the workers (state that grows per job).")
        add("")

    if hb:
        add("## 6. Font subsetting: HarfBuzz-subset vs fontTools")
        add("")
        add("How WeasyPrint 70 chooses: `weasyprint/text/ffi.py` `dlopen`s "
            "`libharfbuzz-subset.so.0` at import with `allow_fail=True` (module global "
            "`harfbuzz_subset`, `None` when it is missing, with a DeprecationWarning); "
            "`weasyprint/pdf/fonts.py` imports that name and `Font.subset()` uses "
            "`_harfbuzz_subset` when `harfbuzz_subset and harfbuzz.hb_version_atleast(4, 1, 0)`, "
            "else logs a warning and uses `_fonttools_subset`. There is no option or "
            "environment variable to choose; both paths can be had in one process by setting "
            "`weasyprint.pdf.fonts.harfbuzz_subset = None` (the name `Font.subset` reads), "
            "which is what this measure does (and restores afterwards). Subsetting happens in "
            "`write_pdf`, so each run lays the document out afresh.")
        add("")
        if len(hb["modes"]) < 2:
            add("libharfbuzz-subset0 (≥ 4.1.0) is not available to WeasyPrint here, so only "
                "the fontTools path could be measured; install it with `apt-get install "
                "libharfbuzz-subset0` to compare.")
            add("")
        add(f"Standard style, PDF; {len(next(iter(hb['modes'].values()))['writes'])} runs per "
            "path, interleaved; CPU time of this process.")
        add("")
        add(background_note(hb))
        add("")
        add("| subsetter | write_pdf CPU median (s) | lay out + write CPU (s) | PDF bytes | "
            "byte-identical across runs |")
        add("|---|---|---|---|---|")
        for mode, r in hb["modes"].items():
            add(f"| {mode} | {r['write_pdf_cpu']:.3f} | {r['total_cpu']:.3f} | {r['size']:,} | "
                f"{'yes' if r['reproducible'] else 'no'} |")
        add("")
        line = (f"Subsetting calls seen (warm-up included): HarfBuzz {hb['calls']['harfbuzz']}, "
                f"fontTools {hb['calls']['fonttools']}, so the toggle took effect.")
        if len(hb["modes"]) == 2:
            h, f = hb["modes"]["harfbuzz-subset"], hb["modes"]["fontTools"]
            line += (f" fontTools makes `write_pdf` {f['write_pdf_cpu'] / h['write_pdf_cpu']:.1f}× "
                     f"slower ({f['write_pdf_cpu'] - h['write_pdf_cpu']:+.2f} s per PDF, "
                     f"{(f['total_cpu'] - h['total_cpu']) / h['total_cpu']:+.0%} on the whole "
                     f"PDF); sizes differ by {f['size'] - h['size']:+,} bytes.")
            if h["reproducible"] and f["reproducible"]:
                line += (" Each path gives byte-identical PDFs run after run (SOURCE_DATE_EPOCH "
                         "set)" + (", but not the same bytes as the other, so an output's hash "
                                   "depends on whether libharfbuzz-subset0 is installed."
                                   if h["sha"] != f["sha"] else ", and both give the same bytes."))
        add(line)
        add("")

    add("## Profiling notes")
    add("")
    add("Profiles were taken with pyinstrument (installed into the venv for this only, not "
        "added to pyproject) and cProfile while writing this script; the counts and splits "
        "below are measured by the script itself on every run.")
    add("")
    if st and st["jobs"].get("split"):
        add("Where a PDF's time goes (one warm process; layout = `HTML.render`, writing = "
            "`write_pdf` with font subsetting; `make_page` calls against pages shows whether "
            "pages are laid out more than once):")
        add("")
        add("| PDF | layout (s) | writing (s) | layout share | pages | make_page calls |")
        add("|---|---|---|---|---|---|")
        for name, sp in st["jobs"]["split"].items():
            total = sp["layout"] + sp["write"]
            add(f"| {name} | {sp['layout']:.2f} | {sp['write']:.2f} | "
                f"{sp['layout'] / total:.0%} | {sp['pages']} | {sp['make_page']} |")
        add("")
    add("- A PDF's time is WeasyPrint's, and mostly layout (block and inline layout, Pango "
        "line breaking); briefgen's own steps are in 1.")
    if o:
        counts = o["probe"]["counts"]
        compiled = counts["plan"]["jinja"] + counts["render"]["jinja"]
        add(f"- briefgen's own work per output, counted: {counts['load']['markdown']} Markdown "
            f"parses and {counts['load']['yaml']} YAML documents to load one brief, "
            f"{counts['render']['markdown']} small Markdown parses to render it; "
            + (f"{compiled} templates compiled from source by every new `StyleLibrary` "
               "(every command, every worker)." if compiled else
               "templates come from Jinja's bytecode cache (none compiled from source)."))
    if c:
        mt = c["checks"].get("validate", {}).get("module_times", {})
        if "typer._adapters" in mt:
            add(f"- Cold start: typer 0.29 imports pydantic for option coercion "
                f"(`typer._adapters` {mt['typer._adapters']:.3f} s cumulative in `validate`).")
    if st:
        add("- Parallel builds: one PDF is most of the work and the queue is in plan order; "
            "each worker imports WeasyPrint (see 3).")
    if o and o["tagged"].get("briefgen") is False:
        add("- Correctness, found on the way: briefgen's PDFs are not tagged (see 1).")
    add("")
    path.write_text("\n".join(L) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description="Measure briefgen; write bench/RESULTS.md.")
    parser.add_argument("--quick", action="store_true", help="one run each, small scaling; "
                        "writes /tmp/briefgen-bench-quick.md unless --out is given")
    parser.add_argument("--out", type=Path, help="where to write the results")
    parser.add_argument("--only", default="123456", help="which measures, e.g. 13 (default all)")
    args = parser.parse_args()
    quick = args.quick
    out = args.out or (Path(tempfile.gettempdir()) / "briefgen-bench-quick.md" if quick
                       else ROOT / "bench" / "RESULTS.md")
    cheap, expensive = (1, 1) if quick else (5, 3)
    # The parallel speedup is a ratio of two noisy wall times on a shared 2-core host: it gets
    # the cheap measures' 5 runs although each build takes seconds.
    styles_runs = 1 if quick else 5
    scaling_plan = [(1, 1), (3, 1)] if quick else [(1, 3), (10, 3), (50, 2)]

    info: dict = {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "quick": quick,
                  "load_start": load_average(), "busy": busy_processes()}
    say(f"briefgen benchmarks → {out}")
    info["machine"] = machine()
    info["versions"] = versions()
    for key, value in {**info["machine"], **info["versions"]}.items():
        say(f"   {key}: {value}")
    say(f"   load average: {info['load_start']}"
        + (f"; busy: {', '.join(info['busy'])}" if info["busy"] else ""))
    PYCACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="briefgen-bench-") as tmp:
        work = Path(tmp)
        def measured(key: str, run: Callable[[], dict]) -> None:
            with Background() as background:
                info[key] = run()
            info[key]["background"] = background.share
            say(f"   other processes used {background.share:.0%} of the machine meanwhile")

        if "2" in args.only:
            measured("cold", lambda: measure_cold(work, cheap))
        if "1" in args.only:
            measured("overhead", lambda: measure_overhead(work, cheap))
        if "3" in args.only or "4" in args.only:
            with Background() as background:
                info["styles"], info["noop"] = measure_styles(work, styles_runs, cheap)
            info["styles"]["background"] = background.share
            say(f"   other processes used {background.share:.0%} of the machine meanwhile")
        if "5" in args.only:
            measured("scaling", lambda: measure_scaling(work, scaling_plan))
        if "6" in args.only:
            measured("subset", lambda: measure_subsetting(work, expensive))
    info["load_end"] = load_average()
    info["busy_end"] = busy_processes()
    info["head_end"] = sh(["git", "rev-parse", "--short", "HEAD"])
    info["duration"] = time.perf_counter() - T0
    write_results(out, info)
    say(f"done in {info['duration']:.0f} s; wrote {out}")


if __name__ == "__main__":
    main()
