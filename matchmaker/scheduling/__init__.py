"""Meeting schedules: pair selection, slot assignment, repair and an independent validator.

Pure Python + numpy + OR-Tools (ARCHITECTURE §5); sees ids, never ORM objects or requests.
"""

from matchmaker.scheduling.instance import (
    Instance,
    PartySpec,
    Placement,
    SlotSpec,
    instance_to_dict,
    parse_instance,
)
from matchmaker.scheduling.repair import repair
from matchmaker.scheduling.result import Diagnostic, Repair, SolvedAgenda, agenda_to_dict
from matchmaker.scheduling.solver import solve
from matchmaker.scheduling.validate import Violation, validate

__all__ = [
    "Diagnostic",
    "Instance",
    "PartySpec",
    "Placement",
    "Repair",
    "SlotSpec",
    "SolvedAgenda",
    "Violation",
    "agenda_to_dict",
    "instance_to_dict",
    "parse_instance",
    "repair",
    "solve",
    "validate",
]
