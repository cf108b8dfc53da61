"""Fault-injection simulator: a model of a DHCP failover pair that writes the bundle a real,
broken pair would give, for any combination of faults, in the varied native forms real bundles
come in; and the scenarios `fodoc eval` measures the diagnosis against.

    model        the pair: servers, relationship, clocks, services, firewall, names
    statemachine the failover state machine with its timers, both sides, over time
    eventlog     event records with Windows' message templates (data/*.tsv)
    faults       fault kinds as data (faults.yaml): the cause each must produce, parameters
    effects      what each fault does to the model
    scenario     scenario files and the random scenarios of `fodoc eval`
    run          one scenario through the model
    render/      each artifact in each form; flavours: which forms are drawn; bundle: the files
    evaluate     many scenarios through simulate + diagnose: accuracy, confusion, misses
"""
from __future__ import annotations

from .faults import FaultKind, fault_kinds

__all__ = ["simulated_causes", "fault_kinds", "FaultKind"]


def simulated_causes() -> frozenset[str]:
    """Every cause some fault kind of the simulator produces (rule coverage, issue 7)."""
    return frozenset(kind.cause for kind in fault_kinds().values())
