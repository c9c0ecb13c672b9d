"""An import never silently empties the directory.

An extract cut short, a file for the wrong département or communes dropped by mistake
from ``rooms.yaml`` all look the same to an importer: most professionals are "gone".
Before writing anything, each import counts the professionals it would mark inactive;
more than a share of the directory's active ones (``DEFAULT_MAX_SHRINK``, 20%) stops the
import, nothing changed (exit 2), unless the operator says it is expected
(``--allow-shrink``).
"""

from __future__ import annotations

from cpts_bot.core.errors import InputFileError

DEFAULT_MAX_SHRINK = 0.20


class ShrinkRefusedError(InputFileError):
    """The import would deactivate too large a share of the directory; nothing was written."""


def refuse_large_shrink(deactivating: int, active: int, max_share: float | None, why: str) -> None:
    """Raise :class:`ShrinkRefusedError` when ``deactivating`` of the ``active``
    professionals is more than ``max_share`` of them (``None``: any share is allowed).

    ``why`` says where those professionals went (« they are not in the file for the
    territory's communes »).
    """
    if max_share is None or active == 0 or deactivating <= max_share * active:
        return
    raise ShrinkRefusedError(
        f"this import would mark {deactivating} of the directory's {active} active"
        f" professionals inactive ({deactivating / active:.0%}, more than the"
        f" {max_share:.0%} allowed): {why}. Nothing was changed. If this is expected,"
        " run it again with --allow-shrink"
    )
