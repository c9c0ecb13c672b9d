"""Which packages ship: every folder of ``cpts_bot`` (code and data), and the top-level
``migrations/`` folder as ``cpts_bot.migrations`` (read with importlib.resources).

Everything else is declared in pyproject.toml.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[
        *find_namespace_packages(include=["cpts_bot", "cpts_bot.*"], exclude=["*.__pycache__"]),
        "cpts_bot.migrations",
    ],
    package_dir={"cpts_bot.migrations": "migrations"},
)
