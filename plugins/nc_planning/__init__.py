"""Planning applications near the ward, from planning.data.gov.uk or PlanIt."""

from nc_planning.source import PlanningSource

__all__ = ["PlanningSource"]
