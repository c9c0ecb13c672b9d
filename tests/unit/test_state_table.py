"""One state-table engine for every machine: one IllegalTransition, carrying the kind."""

from __future__ import annotations

import pytest

from cpts_bot.core.errors import StateError
from cpts_bot.core.state_table import IllegalTransition, StateTable
from cpts_bot.features.alerts import states as alert_state_machine
from cpts_bot.features.cover import states as shift_swap_state_machine
from cpts_bot.features.dispatch import states as dispatch_state_machine
from cpts_bot.features.handoff import states as handoff_state_machine
from cpts_bot.features.medecin_traitant import states as medecin_traitant_state_machine

MACHINES = {
    "alert": alert_state_machine,
    "dispatch": dispatch_state_machine,
    "hand-off": handoff_state_machine,
    "request": medecin_traitant_state_machine,
    "swap": shift_swap_state_machine,
}


@pytest.mark.parametrize("kind", sorted(MACHINES))
def test_every_machine_is_a_table_of_the_one_engine(kind: str) -> None:
    machine = MACHINES[kind]
    assert isinstance(machine.TABLE, StateTable) and machine.TABLE.kind == kind
    # Its module keeps no engine of its own: no exception class, no lookup function.
    assert not [
        name
        for name, value in vars(machine).items()
        if isinstance(value, type) and issubclass(value, Exception)
    ]
    states = {after for after in machine.TABLE.transitions.values()}
    events = {event for (_, event) in machine.TABLE.transitions}
    # Some event is illegal in some state: it raises the one IllegalTransition, named.
    state, event = next((s, e) for s in states for e in events if not machine.TABLE.allows(s, e))
    with pytest.raises(IllegalTransition) as raised:
        machine.TABLE.next_state(state, event)
    assert raised.value.kind == kind and isinstance(raised.value, StateError)
    assert f"cannot {event.value}" in str(raised.value) and kind in str(raised.value)
