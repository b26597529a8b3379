"""Measuring what matters: crime-recording integrity and harm-weighted demand."""

from candour.audit.demand import Demand, demand, write_demand
from candour.audit.recording import Audit, run_audit, write_audit

__all__ = ["Audit", "Demand", "demand", "run_audit", "write_audit", "write_demand"]
