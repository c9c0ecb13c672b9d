"""Names of the desk's criteria and waiting bands, marked for translation (rendered by
whoever shows them: chat replies, the monthly report, exports)."""

from __future__ import annotations

from cpts_bot.core.catalog_marks import N_
from cpts_bot.features.medecin_traitant.models import Priority

PRIORITY_LABELS = {
    Priority.ALD: N_("ALD"),
    Priority.AGE: N_("elderly"),
    Priority.C2S: N_("C2S"),
    Priority.PREGNANCY: N_("pregnancy"),
    Priority.DISABILITY: N_("disability"),
    Priority.HOSPITAL_DISCHARGE: N_("leaving hospital"),
}
NO_PRIORITY_LABEL = N_("no priority criterion")
WAIT_LABELS = {
    "under_7": N_("under 7 days"),
    "7_to_30": N_("7 to 30 days"),
    "over_30": N_("over 30 days"),
}
