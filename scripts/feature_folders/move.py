#!/usr/bin/env python3
"""Move cpts_bot's layer folders into feature folders and a kernel, mechanically.

    python3 move.py --repo DIR [--dry-run]

1. decides every module's new home (plan_rules.py: prefixes, exceptions, kernel);
2. `git mv` + one commit of pure renames (so `git log --follow` works);
3. rewrites imports, module paths, path strings, package data, the architecture tests
   and docs/architecture.md, then a second commit.
Refuses a tree that is already moved or not clean.
"""

from __future__ import annotations

import argparse
import ast
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import plan_rules as R  # noqa: E402
import templates  # noqa: E402

TEXT_SUFFIXES = {".py", ".md", ".toml", ".cfg", ".ini", ".txt", ".sh", ".yaml", ".yml", ".po", ".js", ".mjs"}
TEXT_NAMES = {"Dockerfile", "Makefile"}


@dataclass(frozen=True)
class Move:
    old: str  # relative to cpts_bot, e.g. "domain/dispatch_phrases.py"
    new: str  # e.g. "features/dispatch/phrases.py"
    why: str  # "prefix dispatch", "exception", "kernel", "UNPLACED"


# ---------------------------------------------------------------- planning


def role_of_stem(stem: str) -> str:
    for role, suffixes in R.ROLE_SUFFIXES.items():
        if any(stem == s or stem.endswith("_" + s) for s in suffixes):
            return role
    return "domain"


def _prefix_of(stem: str) -> str | None:
    for prefix in sorted(R.PREFIXES, key=len, reverse=True):
        if stem == prefix or stem.startswith(prefix + "_"):
            return prefix
    return None


def _known_kernel(layer: str, stem: str) -> bool:
    known = R.KNOWN_KERNEL.get(layer, set())
    return stem in known or any(k.endswith("_") and stem.startswith(k) for k in known)


def _feature_name(layer: str, stem: str, prefix: str, strip: bool) -> str:
    role = R.LAYER_ROLE[layer]
    rest = stem[len(prefix) + 1 :] if strip else stem
    if not rest:
        return R.ROLE_DEFAULT_NAME[role]
    rest = R.REST_RENAMES.get(rest, rest)
    for old, new in R.REST_SUFFIX_RENAMES.items():
        if rest.endswith(old):
            rest = rest[: -len(old)] + new
    if role_of_stem(rest) != role:
        if role == "domain":
            return ""  # a pure module named like another role: cannot place it
        rest = f"{rest}_{R.ROLE_SUFFIX_TO_ADD[role]}"
    return rest


def place(layer: str, stem: str) -> tuple[str, str]:
    """(new path without .py, why) of cpts_bot/<layer>/<stem>.py."""
    kernel = R.KERNEL_OF_LAYER[layer]
    exception = R.EXCEPTIONS.get(f"{layer}/{stem}")
    if exception:
        return exception, "exception"
    if stem != "__init__" and not _known_kernel(layer, stem):
        prefix = _prefix_of(stem)
        if prefix:
            feature, strip = R.PREFIXES[prefix]
            name = _feature_name(layer, stem, prefix, strip)
            if name:
                return f"{R.FEATURES_DIR}/{feature}/{name}", f"prefix {prefix}"
            return f"{kernel}/{stem}", "UNPLACED (pure module named like another role)"
    why = "kernel" if _known_kernel(layer, stem) else "UNPLACED"
    return f"{kernel}/{stem}", why


def plan(package: Path) -> tuple[list[Move], list[str]]:
    moves: list[Move] = []
    problems: list[str] = []
    for layer in R.LAYERS:
        folder = package / layer
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            rel = path.relative_to(package).as_posix()
            if path.name == "__pycache__":
                continue
            if path.is_dir():
                target = R.DATA_DIRS.get(rel)
                if target is None:
                    target = f"{R.KERNEL_OF_LAYER[layer]}/{path.name}"
                    moves.append(Move(rel, target, "UNPLACED folder"))
                else:
                    moves.append(Move(rel, target, "data"))
                continue
            if path.suffix != ".py":
                moves.append(Move(rel, f"{R.KERNEL_OF_LAYER[layer]}/{path.name}", "UNPLACED file"))
                continue
            new, why = place(layer, path.stem)
            moves.append(Move(rel, new + ".py", why))
    stays = [m for m in moves if m.old == m.new]
    moves = [m for m in moves if m.old != m.new] + [m for m in stays if m.why.startswith("UNPLACED")]
    seen: dict[str, str] = {}
    for move in moves:
        if move.new in seen:
            problems.append(f"two modules would become {move.new}: {seen[move.new]}, {move.old}")
        seen[move.new] = move.old
        if move.old != move.new and (package / move.new).exists() and move.new not in {m.old for m in moves}:
            problems.append(f"{move.new} exists already (target of {move.old})")
    return moves, problems


# ---------------------------------------------------------------- helpers


def git(repo: Path, *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), *args], check=True, text=True, capture_output=capture
    )
    return result.stdout if capture else ""


def dotted(rel_py: str) -> str:
    return "cpts_bot." + rel_py.removesuffix(".py").replace("/", ".")


def new_packages(moves: list[Move]) -> list[str]:
    """Folders (relative to cpts_bot) that become Python packages."""
    folders = set()
    for move in moves:
        if move.new.endswith(".py"):
            parts = move.new.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                folders.add("/".join(parts[:i]))
    return sorted(folders)


# ---------------------------------------------------------------- rewriting


class Rewriter:
    def __init__(self, moves: list[Move]) -> None:
        self.modules = {
            dotted(m.old): dotted(m.new) for m in moves if m.old.endswith(".py") and m.new.endswith(".py")
        }
        # an old package (cpts_bot.domain) itself -> its kernel package (cpts_bot.core)
        self.packages = {f"cpts_bot.{layer}": f"cpts_bot.{R.KERNEL_OF_LAYER[layer]}" for layer in R.LAYERS}
        self.paths = {m.old: m.new for m in moves}
        # a bare file name in the docs (`alert_fields.py`), when only one module had it
        names: dict[str, list[Move]] = {}
        for m in moves:
            if m.old.endswith(".py"):
                names.setdefault(m.old.rsplit("/", 1)[-1], []).append(m)
        self.bare = {
            name: found[0].new
            for name, found in names.items()
            if len(found) == 1 and found[0].old != found[0].new and name != "__init__.py"
        }
        self.bare_re = re.compile(r"(?<![\w./-])(\w+\.py)(?![\w])")
        layers = "|".join(R.LAYERS)
        self.dotted_re = re.compile(rf"(?<![\w.])cpts_bot\.(?:{layers})\.\w+(?!\w)")
        # pathlib chains: PACKAGE / "domain" / "vocabulary"
        self.joined_re = re.compile(rf"([\"'])({layers})\1\s*/\s*([\"'])([\w.]+)\3")
        self.path_re = re.compile(rf"(?<![\w.\-/])((?:cpts_bot/)?)((?:{layers})/[\w/]*\w)(\.py)?(?![\w])")

    def _dotted(self, match: re.Match[str]) -> str:
        return self.modules.get(match.group(0), match.group(0))

    def _path(self, match: re.Match[str]) -> str:
        prefix, body, suffix = match.group(1), match.group(2), match.group(3) or ""
        if suffix:
            new = self.paths.get(body + ".py")
            return prefix + new if new else match.group(0)
        if body + ".py" in self.paths:  # a module named with its path: domain/x.name
            return prefix + self.paths[body + ".py"].removesuffix(".py")
        # a data folder or a path inside one (domain/geography/communes_fr.tsv.gz)
        for old, new in self.paths.items():
            if not old.endswith(".py") and (body == old or body.startswith(old + "/")):
                return prefix + new + body[len(old) :]
        return match.group(0)

    def _joined(self, match: re.Match[str]) -> str:
        quote, layer, name = match.group(1), match.group(2), match.group(4)
        new = self.paths.get(f"{layer}/{name}")
        if new is None:
            return match.group(0)
        return " / ".join(f"{quote}{part}{quote}" for part in new.split("/"))

    def text(self, source: str) -> str:
        source = self.joined_re.sub(self._joined, source)
        source = self.dotted_re.sub(self._dotted, source)
        return self.path_re.sub(self._path, source)

    def markdown(self, source: str) -> str:
        source = self.text(source)
        return self.bare_re.sub(lambda m: self.bare.get(m.group(1), m.group(1)), source)

    def python(self, source: str) -> str:
        """`from cpts_bot.<layer> import a, b as c` -> one import per new home."""
        try:
            tree = ast.parse(source)
        except SyntaxError:
            return self.text(source)
        lines = source.splitlines(keepends=True)
        edits = []
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in self.packages:
                edits.append(node)
        for node in sorted(edits, key=lambda n: n.lineno, reverse=True):
            indent = re.match(r"\s*", lines[node.lineno - 1]).group(0)
            groups: dict[str, list[str]] = {}
            for alias in node.names:
                old = f"{node.module}.{alias.name}"
                new = self.modules.get(old)
                if new is None:
                    parent, name = self.packages[node.module], alias.name
                else:
                    parent, name = new.rsplit(".", 1)
                bound = alias.asname or alias.name
                groups.setdefault(parent, []).append(name if bound == name else f"{name} as {bound}")
            text = "".join(f"{indent}from {parent} import {', '.join(names)}\n" for parent, names in groups.items())
            lines[node.lineno - 1 : node.end_lineno] = [text]
        return self.text("".join(lines))


def text_files(repo: Path) -> list[Path]:
    files = []
    for rel in git(repo, "ls-files", capture=True).splitlines():
        path = repo / rel
        if rel.startswith(("migrations/", "scripts/feature_folders/")) or not path.is_file():
            continue
        if path.suffix in TEXT_SUFFIXES or path.name in TEXT_NAMES:
            files.append(path)
    return files


# ---------------------------------------------------------------- steps


def check_tree(repo: Path) -> None:
    if git(repo, "ls-files", f"cpts_bot/{R.FEATURES_DIR}", "cpts_bot/core", capture=True).strip():
        sys.exit("refusing: cpts_bot/features or cpts_bot/core exists already (tree already moved?)")
    if not git(repo, "ls-files", "cpts_bot/domain", capture=True).strip():
        sys.exit("refusing: no cpts_bot/domain (tree already moved, or not a cpts-bot checkout)")
    if git(repo, "status", "--porcelain", "--untracked-files=no", capture=True).strip():
        sys.exit("refusing: the work tree has uncommitted changes")


def do_moves(repo: Path, moves: list[Move]) -> None:
    package = repo / "cpts_bot"
    for move in moves:
        if move.old == move.new:
            continue  # unplaced, stays in its kernel folder (listed)
        target = package / move.new
        target.parent.mkdir(parents=True, exist_ok=True)
        git(repo, "mv", f"cpts_bot/{move.old}", f"cpts_bot/{move.new}")
    # leftover empty folders (only __pycache__ in them)
    for layer in R.LAYERS:
        folder = package / layer
        if folder.is_dir() and not any(p.name != "__pycache__" for p in folder.iterdir()):
            shutil.rmtree(folder)
    git(
        repo,
        "commit",
        "-q",
        "-m",
        "Move the modules into feature folders and the core kernel (renames only)\n\n"
        "Every module of domain/, services/, storage/ and chat/ that belongs to a feature\n"
        "moves to cpts_bot/features/<feature>/, named for its role there; the pure kernel\n"
        "moves from domain/ to core/. Contents are unchanged in this commit so that\n"
        "`git log --follow` reads through; the next commit rewrites the imports.",
    )


def write_init_files(repo: Path, moves: list[Move]) -> list[str]:
    created = []
    package = repo / "cpts_bot"
    for folder in new_packages(moves):
        init = package / folder / "__init__.py"
        if init.exists():
            continue
        name = folder.split("/")[-1]
        if folder == R.FEATURES_DIR:
            doc = "One folder per feature; a module's role is read from its name (see docs/architecture.md)."
        elif folder == "core/places":
            doc = "The kernel's places: communes, their forms and codes, the resolver and the index."
        else:
            doc = R.FEATURE_DOCSTRINGS.get(name, f"The {name.replace('_', ' ')} feature.")
        init.write_text(f'"""{doc}"""\n', encoding="utf-8")
        created.append(init.relative_to(repo).as_posix())
    return created


def rewrite_everything(repo: Path, moves: list[Move]) -> list[str]:
    rewriter = Rewriter(moves)
    changed = []
    for path in text_files(repo):
        source = path.read_text(encoding="utf-8", errors="surrogateescape")
        if path.suffix == ".py":
            new = rewriter.python(source)
        elif path.suffix == ".md":
            new = rewriter.markdown(source)
        else:
            new = rewriter.text(source)
        if new != source:
            path.write_text(new, encoding="utf-8", errors="surrogateescape")
            changed.append(path.relative_to(repo).as_posix())
    return changed


def ruff(repo: Path, files: list[str], given: str | None) -> None:
    candidates = [
        Path(given) if given else None,
        repo / ".cpts/venv/bin/ruff",
        Path(shutil.which("ruff") or "/nonexistent"),
    ]
    binary = next((str(c) for c in candidates if c and c.exists()), None)
    if binary is None:
        print("  ! ruff not found: imports are not re-sorted (run ruff check --fix, ruff format)")
        return
    py = [f for f in files if f.endswith(".py") and (repo / f).exists()]
    if not py:
        return
    subprocess.run([binary, "check", "-q", "--select", "I", "--fix", *py], cwd=repo, check=False)
    subprocess.run([binary, "format", "-q", *py], cwd=repo, check=False)


def _count(n: int) -> str:
    return "data" if n == 0 else f"{n} module" if n == 1 else f"{n} modules"


def tree_picture(package: Path) -> str:
    lines = ["cpts_bot/"]
    for folder in sorted(p for p in package.iterdir() if p.is_dir() and p.name != "__pycache__"):
        count = len(list(folder.glob("*.py")))
        lines.append(f"  {folder.name}/".ljust(28) + _count(count))
        for sub in sorted(p for p in folder.iterdir() if p.is_dir() and p.name != "__pycache__"):
            subcount = len(list(sub.glob("*.py")))
            lines.append(f"    {sub.name}/".ljust(28) + _count(subcount))
    return "\n".join(lines)


def update_architecture_doc(repo: Path) -> bool:
    doc = repo / "docs" / "architecture.md"
    section_file = HERE / "architecture-section.md"
    if not doc.exists() or not section_file.exists():
        print("  ! docs/architecture.md or architecture-section.md missing: doc not updated")
        return False
    section = section_file.read_text(encoding="utf-8").replace("{{TREE}}", tree_picture(repo / "cpts_bot"))
    block = f"<!-- folders:begin -->\n{section.strip()}\n<!-- folders:end -->\n"
    text = doc.read_text(encoding="utf-8")
    if "<!-- folders:begin -->" in text:
        text = re.sub(r"<!-- folders:begin -->.*?<!-- folders:end -->\n", lambda _: block, text, flags=re.S)
    else:
        first = text.index("\n## ")  # replace the old picture and layer table
        head = text.split("\n", 1)[0]
        text = f"{head}\n\n{block}{text[first:]}"
    doc.write_text(text, encoding="utf-8")
    return True


LEFTOVER = re.compile(r"cpts_bot[./]domain\b|[\"']domain[\"']|(?<![\w./-])domain/\w")


def leftovers(repo: Path) -> list[str]:
    """Mentions of the old domain/ folder still in the tree, to review by hand."""
    found = []
    ours = {"tests/unit/module_roles.py", "tests/unit/test_folders.py", "tests/unit/test_layering.py"}
    for path in text_files(repo):
        rel = path.relative_to(repo).as_posix()
        if rel in ours:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if LEFTOVER.search(line):
                found.append(f"{rel}:{number}: {line.strip()[:90]}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", required=True, type=Path)
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--ruff", help="the ruff binary (default: the repo's .cpts venv, PATH)")
    args = parser.parse_args()
    repo = args.repo.resolve()
    started = time.monotonic()
    check_tree(repo)
    moves, problems = plan(repo / "cpts_bot")
    for move in moves:
        print(f"  {move.old:50} -> {move.new:55} {move.why}")
    unplaced = [m for m in moves if m.why.startswith("UNPLACED")]
    print(
        f"{sum(m.old != m.new for m in moves)} moves; {len(unplaced)} unplaced"
        " (left in their layer's kernel folder, review them):"
    )
    for move in unplaced:
        print(f"  UNPLACED {move.old} -> {move.new}")
    if problems:
        print("problems:\n  " + "\n  ".join(problems))
        sys.exit(1)
    if args.dry_run:
        print("dry run: nothing moved")
        return
    do_moves(repo, moves)
    print(f"commit 1 (renames only): {git(repo, 'rev-parse', '--short', 'HEAD', capture=True).strip()}")
    created = write_init_files(repo, moves)
    changed = rewrite_everything(repo, moves)
    test_changes, warnings = templates.rewrite_tests(repo, moves)
    pyproject_ok = "core/vocabulary" in (repo / "pyproject.toml").read_text(encoding="utf-8")
    ruff(repo, sorted(set(changed) | set(test_changes) | set(created)), args.ruff)
    doc_ok = update_architecture_doc(repo)
    git(repo, "add", "-A", "cpts_bot", "tests", "docs", "bench", "scripts", "pyproject.toml", "setup.py", "README.md")
    git(
        repo,
        "commit",
        "-q",
        "-m",
        "Rewrite imports and paths for the feature folders; layering by a file's role\n\n"
        "Imports, module paths in strings and mock targets, package data, the size and\n"
        "language-kit lists and the docs follow the moved modules. The layering and SQL\n"
        "tests read a module's role from its name inside a feature folder\n"
        "(tests/unit/module_roles.py), and a test keeps every folder at 25 modules or fewer.",
    )
    print(f"commit 2 (imports, paths, tests, docs): {git(repo, 'rev-parse', '--short', 'HEAD', capture=True).strip()}")
    print(f"  {len(created)} new __init__.py, {len(changed)} files rewritten, tests: {', '.join(test_changes)}")
    print(f"  package data moved in pyproject.toml: {pyproject_ok}; architecture.md updated: {doc_ok}")
    for warning in warnings:
        print(f"  ! {warning}")
    left = leftovers(repo)
    print(f"{len(left)} mentions of the old domain/ folder left (review; docs prose may keep them):")
    for line in left:
        print(f"  {line}")
    print(f"done in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
