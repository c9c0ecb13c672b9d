"""Write a benchmark's results into docs/benchmarks.md, with the machine's description.

Each benchmark owns one section, delimited by ``<!-- bench:NAME -->`` markers, so that
running one benchmark rewrites its own section and leaves the others as they are.
"""

from __future__ import annotations

import os
import platform
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

REPORT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
HEADER = (
    "# Benchmarks\n\n"
    "Each section is written by the script it names (`python bench/<script>.py`); run it\n"
    "again to refresh that section. Figures are from the machine described in the section.\n"
)


def machine_description() -> str:
    """Processor, cores, memory, OS and Python: enough to compare runs."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
                break
    except OSError:
        pass
    parts = [
        cpu,
        f"{os.cpu_count()} cores",
        memory,
        platform.platform(terse=True),
        f"Python {sys.version.split()[0]}",
    ]
    return ", ".join(part for part in parts if part)


def write_section(name: str, title: str, body: str) -> Path:
    """Replace (or add) the section ``name`` of docs/benchmarks.md."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = (
        f"<!-- bench:{name} -->\n## {title}\n\n"
        f"Run on {stamp}, machine: {machine_description()}.\n\n{body.strip()}\n"
        f"<!-- /bench:{name} -->"
    )
    text = REPORT.read_text("utf-8") if REPORT.exists() else HEADER
    pattern = re.compile(
        rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S
    )
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text, "utf-8")
    return REPORT


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of ``values`` (fraction between 0 and 1)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]
