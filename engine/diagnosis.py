"""From rule matches to a diagnosis an admin can act on.

Matches are grouped into findings (one per cause and relationship), independent rules that
agree raise the confidence, findings are ranked, every cause that did not fire is reported as
ruled out (with the fact that excludes it) or not evaluated (with the artifact that would settle
it), and the verdict maps to monitoring-plugin exit codes.

Not every finding is a root cause. A symptom (a rule with `consequence_of`, e.g. clients refused
for lack of addresses) is shown under the fault that explains it on the same relationship, and a
reason (a rule with `reason_for`, e.g. a time service without a source behind a clock skew) under
the cause it explains, adding its confidence; either stands on its own when nothing fired for it
to attach to. Expected behaviour (every rule of the cause severity info) is reported with what to
watch and never changes the verdict. When two faults remain on one relationship, the diagnosis
names the one check that tells them apart.
"""
from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jinja2 import TemplateError

from .describe import describe_pattern, summarise
from .errors import FodocError
from .extract import Extraction
from .facts import Fact
from .inference import Match
from .inference.native import Miss, explain_miss, index_by_kind, satisfies
from .knowledge import KnowledgeBase
from .rules import ANY_CAUSE, Compare, Ref, Rule, explain_environment
from .runbooks import FAULT_ROLES, render
from .timeline import aligned_changes
from .site import Suppression

SCHEMA = "fodoc.diagnosis/1"
_SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}
MAX_CONFIDENCE = 0.99  # agreeing rules raise confidence, but the tool is never certain
EXIT_CODES = {"healthy": 0, "warning": 1, "critical": 2, "unknown": 3}


@dataclass
class Evidence:
    summary: str
    artifact: str
    record: str | None
    kind: str
    fields: dict[str, Any]

    @classmethod
    def of(cls, fact: Fact) -> "Evidence":
        return cls(summarise(fact), fact.source.artifact, fact.source.record, fact.kind, dict(fact.fields))


@dataclass
class Finding:
    cause: str
    title: str
    severity: str
    confidence: float
    server: str
    partner: str | None
    relationship: str | None
    rules: list[str]
    explanations: list[str]
    evidence: list[Evidence]
    tells_apart: list[dict[str, str]] = field(default_factory=list)
    runbook: Any = None
    runbook_error: str | None = None
    watch: list[str] = field(default_factory=list)       # expected behaviour: what to watch
    reasons: list["Finding"] = field(default_factory=list)       # what lies behind this cause
    consequences: list["Finding"] = field(default_factory=list)  # symptoms this cause explains
    consequence_of: tuple[str, ...] = field(default=(), repr=False)  # from the rules, for linking
    reason_for: tuple[str, ...] = field(default=(), repr=False)
    fault_on: str = "server"   # where the fault is (the lead rule's fault_on): server, partner or both

    @property
    def fault_hosts(self) -> list[str]:
        """The host(s) the fault is on: where the admin has to act."""
        if self.fault_on == "partner" and self.partner:
            return [self.partner]
        if self.fault_on == "both" and self.partner:
            return sorted([self.server, self.partner])
        return [self.server]

    def location(self) -> str:
        """Where the fault is, and from where it was seen when that is the other host:
        "on dhcp-b (seen from dhcp-a)", "between dhcp-a and dhcp-b", "on dhcp-a"."""
        hosts = self.fault_hosts
        if len(hosts) == 2:
            return f"between {hosts[0]} and {hosts[1]}"
        if hosts[0] != self.server:
            return f"on {hosts[0]} (seen from {self.server})"
        return f"on {hosts[0]}"

    @property
    def expected(self) -> bool:
        """Expected behaviour: nothing to fix, shown so that the scary-looking thing is explained."""
        return self.severity == "info" and self.runbook is None and self.runbook_error is None

    def nested(self) -> list["Finding"]:
        return self.reasons + self.consequences

    def effective_severity(self) -> str:
        """Its own severity, or a linked symptom's when that is more urgent (clients failing now)."""
        return min([self.severity] + [f.severity for f in self.consequences], key=_SEVERITY_RANK.__getitem__)


@dataclass
class RuledOut:
    cause: str
    rule: str
    reason: str
    evidence: list[Evidence]


@dataclass
class NotEvaluated:
    cause: str
    rule: str
    missing: str
    settle_with: str
    uncollected: str | None = None   # the server whose data is missing because it was not collected


@dataclass
class Suppressed:
    """A finding the site config suppresses (engine/site.py): reported, never silently dropped."""

    cause: str
    title: str
    severity: str
    rules: list[str]
    server: str
    partner: str | None
    relationship: str | None
    reason: str
    until: str
    config: str


@dataclass
class Diagnosis:
    verdict: str
    summary: str
    servers: list[str]
    relationships: list[dict[str, Any]]
    findings: list[Finding]
    ruled_out: list[RuledOut]
    not_evaluated: list[NotEvaluated]
    timeline: list[dict[str, Any]]
    problems: list[str]
    manifest: dict[str, Any]
    engine: str
    unexplained: list[dict[str, Any]] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)
    observations: list[str] = field(default_factory=list)
    artifacts: list[dict[str, Any]] = field(default_factory=list)
    competing: list[dict[str, Any]] = field(default_factory=list)  # two causes left on one relationship
    capture: dict[str, Any] = field(default_factory=dict)  # engine/capture.py: collector, times, warnings
    suppressed: list[Suppressed] = field(default_factory=list)
    expired_suppressions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how files were read, nothing lost (not problems)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]


def build_diagnosis(kb: KnowledgeBase, extraction: Extraction, facts: list[Fact],
                    matches: list[Match], engine_name: str,
                    suppressions: Mapping[str, Suppression] | None = None,
                    expired: Sequence[Suppression] = ()) -> Diagnosis:
    suppressions = suppressions or {}
    hidden = _findings(kb, facts, [m for m in matches if m.rule.id in suppressions])
    findings = _findings(kb, facts, [m for m in matches if m.rule.id not in suppressions])
    suppression_note = _suppression_note(hidden, findings)
    fired_causes = {f.cause for f in findings + hidden}  # a suppressed cause is found, not ruled out
    index = index_by_kind(facts)
    ruled_out, not_evaluated = _misses(kb, index, extraction, fired_causes)
    unchecked = _unchecked_alternatives(kb, findings, not_evaluated,
                                        fired_causes | {r.cause for r in ruled_out})
    findings.sort(key=_rank)
    findings = _link_related(findings)
    _link_competitors(kb, findings)
    competing = _competing(findings)
    taken = {item["relationship"] for item in competing}
    competing += [item for item in unchecked if item["relationship"] not in taken]
    relationships = _relationships(facts)
    unexplained = _unexplained(relationships, findings + hidden)
    # Each side reports only its own state: a partner whose failover output is missing (not
    # collected, or unreadable) leaves the pair's health unknown, whatever this side says.
    uncollected = {f["partner"] for f in facts if f.kind == "pair" and not f.get("partner_collected")
                   and f.get("partner")}
    unread = sorted((set(extraction.servers) - set(extraction.failover_read)) | uncollected)
    observations = _observations(facts, findings)
    verdict = _verdict(findings, relationships, unexplained, unread)
    if verdict == "healthy" and observations:
        verdict = "warning"
    problems = [p.one_line() for p in extraction.problems if not getattr(p, "note", False)]
    notes = [p.one_line() for p in extraction.problems if getattr(p, "note", False)]
    summary = _summary(verdict, findings, relationships, unexplained, unread)
    if findings and unchecked and findings[0].relationship == unchecked[0]["relationship"]:
        alternative = unchecked[0]["causes"][1]
        summary += (f" Not confirmed: {alternative['cause']} looks the same from here and could not be "
                    f"checked ({alternative['unchecked']}).")
    faults = [f for f in findings if f.severity != "info"]
    if observations and not faults and not unexplained and verdict == "warning":
        summary = f"WARNING: {observations[0]}"
    if hidden:  # never let a suppression read as a clean bill of health
        summary += f" Suppressed by the site config: {suppression_note}."
    return Diagnosis(verdict, summary,
                     extraction.servers, relationships, findings, ruled_out, not_evaluated,
                     _timeline(facts), problems, _manifest_summary(extraction.manifest), engine_name,
                     unexplained, unread, observations,
                     [dataclasses.asdict(record) for record in extraction.artifacts],
                     competing, extraction.capture.as_dict(),
                     suppressed=_suppressed(hidden, suppressions),
                     expired_suppressions=_expired(expired), notes=notes)


def _suppression_note(hidden: list[Finding], shown: list[Finding]) -> str:
    """Name the suppressed RULES: a suppression silences rules, not a cause, so a cause that
    other rules still report must not read as if it were suppressed."""
    parts = []
    for cause in sorted({f.cause for f in hidden}):
        silenced = sorted({r for f in hidden if f.cause == cause for r in f.rules})
        others = sorted({r for f in shown if f.cause == cause for r in f.rules} - set(silenced))
        text = f"{_plural('rule', silenced)} {', '.join(silenced)} of {cause}"
        if others:
            text += f" ({cause} is still reported by {_plural('rule', others)} {', '.join(others)})"
        parts.append(text)
    return "; ".join(parts)


def _plural(word: str, items: Sequence[str]) -> str:
    return word if len(items) == 1 else f"{word}s"


def _suppressed(hidden: list[Finding], suppressions: Mapping[str, Suppression]) -> list[Suppressed]:
    result = []
    for finding in hidden:
        lead = suppressions[finding.rules[0]]
        result.append(Suppressed(finding.cause, finding.title, finding.severity, finding.rules,
                                 finding.server, finding.partner, finding.relationship,
                                 lead.reason, lead.until.isoformat(), lead.where))
    return result


def _expired(expired: Sequence[Suppression]) -> list[str]:
    return [f"the suppression of rule {s.rule} expired on {s.until.isoformat()} and no longer "
            f"applies ({s.where}: {s.reason})" for s in expired]


def _observations(facts: list[Fact], findings: list[Finding]) -> list[str]:
    """Settings that differ on a relationship that still works: drift to fix before it bites."""
    covered = {f.relationship for f in findings if f.severity != "info"}
    normal = {(f["server"], f["relationship"]) for f in facts if f.kind == "pair" and f["state"] == "Normal"}
    notes = []
    for fact in facts:
        if fact.kind == "setting_mismatch" and fact["relationship"] not in covered and \
                (fact["server"], fact["relationship"]) in normal and fact["server"] < fact["partner"]:
            if fact.get("value") == fact.get("partner_value"):
                what = (f"{fact['setting']} is {fact.get('value')} on both {fact['server']} and "
                        f"{fact['partner']}, where the two sides must differ")
            else:
                what = (f"{fact['setting']} is {fact.get('value')} on {fact['server']} and "
                        f"{fact.get('partner_value')} on {fact['partner']}")
            if fact["setting"] in ("role", "server_type", "name", "scopes", "primary_ip", "secondary_ip"):
                how = "this cannot be set in place: recreate the relationship in a maintenance window"
            else:
                how = "correct it with Set-DhcpServerv4Failover on one side"
            notes.append(f"{fact['relationship']} works, but {what}; {how}, then compare "
                         "Get-DhcpServerv4Failover on both")
    return notes


# -- findings ----------------------------------------------------------------------------------

def _findings(kb: KnowledgeBase, facts: list[Fact], matches: list[Match]) -> list[Finding]:
    groups: dict[tuple, dict] = {}
    ordered = sorted(matches, key=lambda m: (-m.rule.confidence, m.rule.id, m.key()))
    for match in ordered:
        bound = dict(match.bindings)
        subject = {role: bound[ref.alias].fields.get(ref.field) for role, ref in match.rule.subject.items()}
        # one finding per cause and relationship (or per cause and servers, without one)
        servers = frozenset(s for s in (subject.get("server"), subject.get("partner")) if s)
        key = (match.rule.cause, subject["relationship"]) if subject.get("relationship") else \
            (match.rule.cause, "", servers)
        group = groups.setdefault(key, {"subject": subject, "rules": {}, "explanations": [],
                                        "evidence": {}, "lead": match.rule})
        group["rules"].setdefault(match.rule.id, match.rule)
        text = _explain(match.rule, bound)
        if text not in group["explanations"]:
            group["explanations"].append(text)
        if match.rule.watch:
            watch = _explain(match.rule, bound, match.rule.watch)
            if watch not in group.setdefault("watch", []):
                group["watch"].append(watch)
        for _, fact in match.bindings:
            group["evidence"].setdefault((fact.kind, fact.source, tuple(sorted(fact.fields.items(), key=repr))),
                                         fact)
    findings = []
    partners = {(f["server"], f["relationship"]): f.get("partner") for f in facts if f.kind == "pair"}
    for key, group in groups.items():
        cause = key[0]
        rules: dict[str, Rule] = group["rules"]
        doubt = 1.0
        for rule in rules.values():
            doubt *= 1.0 - rule.confidence
        lead: Rule = group["lead"]
        severity = min((r.severity for r in rules.values()), key=_SEVERITY_RANK.__getitem__)
        subject = dict(group["subject"])
        if not subject.get("partner") and subject.get("relationship"):
            subject["partner"] = partners.get((subject["server"], subject["relationship"]))
        confidence = min(round(1.0 - doubt, 3), MAX_CONFIDENCE)
        finding = Finding(cause, lead.title, severity, confidence, subject["server"],
                          subject.get("partner"), subject.get("relationship"), sorted(rules),
                          group["explanations"],
                          [Evidence.of(f) for f in sorted(group["evidence"].values(), key=Fact.sort_key)],
                          watch=group.get("watch", []), fault_on=lead.fault_on,
                          consequence_of=tuple(sorted({c for r in rules.values() for c in r.consequence_of})),
                          reason_for=tuple(sorted({c for r in rules.values() for c in r.reason_for})))
        if not (kb.is_expected_behaviour(cause) and cause not in kb.runbooks):
            _attach_runbook(kb, finding, facts)
        findings.append(finding)
    findings.sort(key=_rank)
    return findings


def _rank(finding: Finding) -> tuple:
    """Most severe first (a fault with an urgent symptom counts as urgent), then most certain."""
    return (_SEVERITY_RANK[finding.effective_severity()], -finding.confidence, finding.cause,
            finding.relationship or "", finding.server)


def _link_related(findings: list[Finding]) -> list[Finding]:
    """Put reasons and symptoms under the finding they belong to; return the top-level findings.

    Links stay within one relationship (a finding without a relationship links by its servers).
    A reason raises the confidence of the cause it explains: it is independent evidence for it.
    """
    def same_place(a: Finding, b: Finding) -> bool:
        if a.relationship or b.relationship:
            return a.relationship == b.relationship
        return {a.server, a.partner} & {b.server, b.partner} != set()

    roots = [f for f in findings if not f.consequence_of and not f.reason_for]
    top: list[Finding] = list(roots)
    for finding in findings:
        if not finding.reason_for:
            continue
        host = next((r for r in roots if r.cause in finding.reason_for and same_place(r, finding)), None)
        if host is None:
            top.append(finding)
            continue
        host.reasons.append(finding)
        host.confidence = min(round(1.0 - (1.0 - host.confidence) * (1.0 - finding.confidence), 3),
                              MAX_CONFIDENCE)
    for finding in findings:
        if not finding.consequence_of:
            continue
        host = next((r for r in roots if same_place(r, finding) and r.severity != "info" and
                     (ANY_CAUSE in finding.consequence_of or r.cause in finding.consequence_of)), None)
        if host is None:
            top.append(finding)
        else:
            host.consequences.append(finding)
    top.sort(key=_rank)
    return top


@functools.lru_cache(maxsize=1024)
def _template(source: str):
    """A compiled explain/watch template; compiling costs far more than rendering, and a rule's
    text is the same for every match and every bundle."""
    return explain_environment().from_string(source)


def _explain(rule: Rule, bound: dict[str, Fact], template: str | None = None) -> str:
    context = {alias: dict(fact.fields) for alias, fact in bound.items()}
    try:
        text = _template(template or rule.explain).render(context)
    except TemplateError as exc:
        text = f"{rule.title} (explanation template failed: {exc})"
    return " ".join(text.split())


def runbook_variables(finding: Finding, facts: list[Fact]) -> dict[str, Any]:
    """The variables a runbook is rendered with: the pair's real names and relationship settings."""
    # A finding about a server without a readable relationship (its service stopped) has none to
    # name: None, so a runbook must say what it does without one ({% if relationship %}), and a
    # `-Name {{ relationship | ps }}` that forgot to fails to render instead of printing -Name ''.
    variables: dict[str, Any] = {"server": finding.server, "partner": finding.partner or finding.server,
                                 "relationship": finding.relationship or None,
                                 FAULT_ROLES: {"server": ("server",), "partner": ("partner",)}.get(
                                     finding.fault_on, ("server", "partner")),
                                 # the ids of the rules that concluded the finding, the lead rule
                                 # first: what a runbook of several ways in tells apart
                                 # ({% if 'database-init-failed' in rules %}); see docs/authoring.md
                                 "rules": list(finding.rules)}
    rels = [f for f in facts if f.kind == "relationship" and f.get("name") == finding.relationship]
    own = next((f for f in rels if f.get("server") == finding.server), None)
    if own is not None:
        settings = {k: v for k, v in own.fields.items() if k not in ("server", "name", "state", "partner")}
    else:
        # A server whose service is down (or whose database lost the relationship) reports no copy
        # of its own; the partner's copy says the same of the relationship, mirrored for the role
        # and share. What only the server itself could say (the address it stores for its
        # partner) stays out, so a runbook that needs it fails to render instead of guessing.
        other = next((f for f in rels if f.get("partner") == finding.server), None)
        if other is None:  # no copy anywhere: only the (empty) scope list can be said
            variables["rel"] = {"scopes": []}
            return variables
        settings = {k: v for k, v in other.fields.items() if k in _SHARED_SETTINGS}
        if other.get("role") in _MIRRORED_ROLE:
            settings["role"] = _MIRRORED_ROLE[other.get("role")]
        if isinstance(other.get("lb_percent"), int):
            settings["lb_percent"] = 100 - other.get("lb_percent")
        # the address this server would store for its partner: the partner's own, as its copy
        # records it (PrimaryServerIP or SecondaryServerIP by its ServerType), else its name
        own_ip = {"PrimaryServer": other.get("primary_ip"),
                  "SecondaryServer": other.get("secondary_ip")}.get(other.get("server_type"))
        settings["partner_address"] = own_ip or finding.partner
    settings["scopes"] = [s for s in str(settings.get("scopes") or "").split(",") if s]
    variables["rel"] = settings
    return variables


_SHARED_SETTINGS = frozenset({"mode", "reserve_percent", "mclt_s", "switch_interval_s", "auto_transition",
                              "auth_enabled", "scopes"})
_MIRRORED_ROLE = {"Active": "Standby", "Standby": "Active"}


def _attach_runbook(kb: KnowledgeBase, finding: Finding, facts: list[Fact]) -> None:
    try:
        runbook = kb.runbooks.get(finding.cause)
        finding.runbook = render(runbook, runbook_variables(finding, facts))
    except FodocError as exc:
        finding.runbook_error = exc.one_line()


def _link_competitors(kb: KnowledgeBase, findings: list[Finding]) -> None:
    """Tell the admin which single check separates two causes that both matched.

    The check may be written on either cause's rules (port_647_blocked knows how to tell itself
    from clock_skew, or clock_skew from port_647_blocked): both directions are looked up.
    """
    for finding in findings:
        others = sorted({f.cause for f in findings if f is not finding and f.relationship == finding.relationship
                         and f.cause != finding.cause})
        for cause in others:
            check = tells_apart(kb, finding.cause, cause)
            if check:
                finding.tells_apart.append({"cause": cause, "check": check})


def tells_apart(kb: KnowledgeBase, cause: str, other: str) -> str | None:
    """The check that separates `cause` from `other`, from the rules of either (own rules first)."""
    for first, second in ((cause, other), (other, cause)):
        for rule in kb.rules_for(first):
            if second in rule.tells_apart:
                return rule.tells_apart[second]
    return None


# A cause a finding's rules name as looking alike (tells_apart) but which could not be evaluated
# because a server was not collected (typically the partner) leaves the finding unconfirmed: from
# one side, a stopped DHCP service and a filtered port 647 look exactly the same.
UNCHECKED_CONFIDENCE_CAP = 0.6


def _unchecked_alternatives(kb: KnowledgeBase, findings: list[Finding], not_evaluated: list[NotEvaluated],
                            settled: set[str]) -> list[dict[str, Any]]:
    """Cap the confidence of each fault whose look-alike could not be checked at all (no rule of
    it was evaluated: `settled` holds the causes that fired or were ruled out), say so in its
    explanation, and return the pairs for the report's "two causes remain" section."""
    gaps: dict[str, NotEvaluated] = {}
    for gap in not_evaluated:
        if gap.cause not in settled and gap.uncollected:
            gaps.setdefault(gap.cause, gap)
    result = []
    for finding in findings:
        if finding.severity == "info":
            continue
        alike = [({"cause": cause, "check": check}, gaps[cause]) for cause in sorted(gaps)
                 if (check := tells_apart(kb, finding.cause, cause))]
        if not alike:
            continue
        finding.confidence = min(finding.confidence, UNCHECKED_CONFIDENCE_CAP)
        for tell, gap in alike:
            finding.explanations.append(
                f"Not confirmed: {gap.cause} would look the same from here and could not be checked "
                f"({gap.missing}); to settle it, {gap.settle_with}. {tell['check']}.")
        tell, gap = alike[0]
        result.append({"relationship": finding.relationship,
                       "causes": [{"cause": finding.cause, "confidence": finding.confidence,
                                   "server": finding.server},
                                  {"cause": gap.cause, "confidence": None, "server": None,
                                   "unchecked": gap.missing}],
                       "check": f"{gap.settle_with}: {tell['check']}"})
    return result


def _competing(findings: list[Finding]) -> list[dict[str, Any]]:
    """Per relationship where two or more faults remain: the two leading ones and the check that
    tells them apart (None when no rule names one)."""
    result = []
    by_rel: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.severity != "info":
            by_rel.setdefault(finding.relationship or "", []).append(finding)
    for relationship in sorted(by_rel):
        ranked = by_rel[relationship]
        if len(ranked) < 2:
            continue
        first, second = ranked[0], ranked[1]
        check = next((t["check"] for t in first.tells_apart if t["cause"] == second.cause), None)
        result.append({"relationship": relationship or None,
                       "causes": [{"cause": f.cause, "confidence": f.confidence, "server": f.server}
                                  for f in (first, second)],
                       "check": check})
    return result


# -- causes that did not fire -------------------------------------------------------------------

def _misses(kb: KnowledgeBase, index: dict[str, list[Fact]], extraction: Extraction,
            fired: set[str]) -> tuple[list[RuledOut], list[NotEvaluated]]:
    ruled_out: list[RuledOut] = []
    not_evaluated: list[NotEvaluated] = []
    collected = set(extraction.servers)
    missing = {(f["server"], f["artifact"]) for f in index.get("artifact_missing", ())}
    for cause in kb.causes:
        if cause in fired:
            continue
        for rule in kb.rules_for(cause):
            miss = explain_miss(rule, index, prefer=lambda p, c, b: len(_closest(p, c, b)))
            gap = _gap(kb, rule, miss, index, collected, missing, sorted(extraction.truncated))
            if gap:
                not_evaluated.append(NotEvaluated(cause, rule.id, *gap))
            else:
                ruled_out.append(_ruled_out(rule, miss))
    return ruled_out, not_evaluated


def _gap(kb: KnowledgeBase, rule: Rule, miss: Miss, index: dict[str, list[Fact]],
         collected: set[str], missing: set[tuple[str, str]], truncated: Sequence[str] = ()) -> tuple[str, str] | None:
    """Why the rule could not be evaluated (what is missing, what would settle it), or None.

    `truncated` names archives damaged partway: a server (or file) missing from the bundle may
    then have been lost with the rest of the archive, so the gap says so instead of "not collected"."""
    if miss.stage != "match":
        return None
    pattern = next(p for p in rule.patterns if p.alias == miss.alias)
    families = kb.catalog.kinds[pattern.kind].produced_by
    bindings = dict(miss.bindings)
    servers = []
    # The first server field of a kind names the server whose outputs produce the fact (the
    # `source` of a connection test, not its `target`): only that server's data can be missing.
    producer = kb.catalog.server_fields(pattern.kind)[:1]
    for cond in pattern.conditions:
        if isinstance(cond, Compare) and cond.op == "eq" and cond.field in producer:
            value = cond.value
            if isinstance(value, Ref):
                value = bindings[value.alias].fields.get(value.field)
            if isinstance(value, str):
                servers.append(value)
    artifact_names = ", ".join(families)
    if not servers and not bindings and pattern.kind == "service":
        # Get-Service is per host: a pattern about any server's service (a stopped DHCPServer
        # wherever it is) says nothing about a partner that was not collected, whose data is
        # what is missing (kept to `service`, the one kind such rules match on today)
        absent_partners = sorted({f["partner"] for f in index.get("pair", ())
                                  if f.get("partner") and not f.get("partner_collected")} - collected)
        if absent_partners:
            return _not_collected(pattern.kind, absent_partners[0], artifact_names, truncated)
    if kb.catalog.kinds[pattern.kind].derived:
        # Derived facts compare the two sides; absence means "no difference" once both were read.
        compared = [f for f in index.get("pair", ()) if "states_agree" in f.fields]
        if compared:
            return None
        return (f"{pattern.kind} facts, which need the relationship as both partners report it",
                f"both partners' {artifact_names} output, each listing the relationship")
    tested = {c.field for c in pattern.conditions if isinstance(c, Compare) and c.op != "exists"
              and not isinstance(c.value, Ref)}
    blocked_by_gaps = [f for f in miss.candidates if tested - set(f.fields) and satisfies(
        f, tuple(c for c in pattern.conditions if not (isinstance(c, Compare) and c.field not in f.fields)),
        bindings)]
    if blocked_by_gaps:
        # a fact that meets every condition it can be tested on, but lacks the measured value
        # (e.g. no w32tm sample answered): only a new measurement can decide
        lacking = sorted(set().union(*(tested - set(f.fields) for f in blocked_by_gaps)))
        return (f"{', '.join(lacking)} of {summarise(blocked_by_gaps[0])}",
                f"collect {artifact_names} again once it can measure")
    lost_with = " and ".join(truncated)
    for server in servers:
        if server not in collected:
            return _not_collected(pattern.kind, server, artifact_names, truncated)
        lacking = sorted(a for s, a in missing if s == server and any(a.startswith(f) for f in families))
        if lacking:
            if truncated:
                return (f"{pattern.kind} facts about {server} ({', '.join(lacking)} not in the readable part "
                        f"of the truncated {lost_with})",
                        f"send {lost_with} again complete, or collect {', '.join(lacking)} on {server}")
            return (f"{pattern.kind} facts about {server} ({', '.join(lacking)} not in the bundle)",
                    f"collect {', '.join(lacking)} on {server}")
    if not servers and not index.get(pattern.kind):
        return (f"{pattern.kind} facts (none in the bundle)", f"collect {artifact_names}")
    return None


def _not_collected(kind: str, server: str, artifact_names: str, truncated: Sequence[str]) -> tuple[str, str, str]:
    """The gap of a server with no outputs in the bundle: not collected, or (when an archive of
    the bundle is cut off) perhaps lost with the rest of it."""
    if truncated:
        lost_with = " and ".join(truncated)
        return (f"{kind} facts about {server}, whose files are not in the readable part of {lost_with} "
                "(truncated: they may have been lost with the rest of it)",
                f"send {lost_with} again complete, or collect a bundle from {server} ({artifact_names})", server)
    return (f"{kind} facts about {server}, which was not collected",
            f"collect a bundle from {server} ({artifact_names})", server)


def _ruled_out(rule: Rule, miss: Miss) -> RuledOut:
    bindings = dict(miss.bindings)
    if miss.stage == "absent":
        blocker = miss.candidates[0]
        reason = f"{summarise(blocker)} excludes it"
        return RuledOut(rule.cause, rule.id, reason, [Evidence.of(blocker)])
    pattern = next(p for p in rule.patterns if p.alias == miss.alias)
    wanted = describe_pattern(pattern, bindings)
    closest = _closest(pattern, miss.candidates, bindings)
    if closest:
        reason = f"no {wanted}; found {'; '.join(summarise(f) for f in closest)}"
    else:
        reason = f"no {wanted}"
    return RuledOut(rule.cause, rule.id, reason, [Evidence.of(f) for f in closest])


def _closest(pattern, candidates: tuple[Fact, ...], bindings: dict[str, Fact]) -> list[Fact]:
    """The facts worth showing next to "no match": the near misses.

    A near miss is about the same things (the joins hold) and is the same sort of fact (every
    literal equality holds: the right service name, the right event ID) but fails a comparison:
    "found clock offset -0.003 s", "found DHCPServer: Running". Unrelated events of the same server
    say nothing and are left out. For the first pattern of a rule, a few candidates are shown
    whatever they are ("found Normal / Normal").
    """
    identity = [c for c in pattern.conditions if isinstance(c, Compare) and c.op in ("eq", "in")
                and not isinstance(c.value, Ref)]
    near = [f for f in candidates if satisfies(f, tuple(identity), bindings)]
    if near:
        return near[:3]
    if not bindings and len(candidates) <= 3:
        return list(candidates)
    return []


# -- overview -----------------------------------------------------------------------------------

def _relationships(facts: list[Fact]) -> list[dict[str, Any]]:
    by_name: dict[str, dict[str, Any]] = {}
    for fact in facts:
        if fact.kind != "relationship":
            continue
        entry = by_name.setdefault(fact["name"], {"name": fact["name"], "sides": []})
        entry["sides"].append({
            "server": fact["server"], "state": fact["state"], "partner": fact.get("partner"),
            "mode": fact.get("mode"), "mclt_s": fact.get("mclt_s"), "auth_enabled": fact.get("auth_enabled"),
            "source": str(fact.source)})
    for fact in facts:
        if fact.kind == "pair" and fact["relationship"] in by_name and \
                fact.get("partner_collected") and fact.get("partner_has_relationship") is False:
            by_name[fact["relationship"]]["sides"].append({
                "server": fact["partner"], "state": None, "partner": fact["server"], "mode": None,
                "mclt_s": None, "auth_enabled": None, "source": "relationship not listed"})
    result = []
    for name in sorted(by_name):
        entry = by_name[name]
        entry["sides"].sort(key=lambda s: s["server"])
        result.append(entry)
    return result


# States in which a relationship no longer fails over safely, and states it passes through.
_DOWN_STATES = ("CommunicationInterrupted", "PartnerDown", "ResolutionInterrupted", "PotentialConflict",
                "ConflictDone")


# States a relationship passes through on its way back to Normal (after a restart or PartnerDown).
_RECOVERY_STATES = ("Startup", "Init", "Recover", "RecoverWait", "RecoverDone")


# The partner's states that go with a side in an expected transitional state (a side in
# RecoverWait while its partner is still PartnerDown; a partner that lost contact while this side
# restarted): explained by the same expected behaviour.
_COUNTERPART_STATES = _RECOVERY_STATES + ("PartnerDown", "CommunicationInterrupted")


def _unexplained(relationships: list[dict], findings: list[Finding]) -> list[dict[str, Any]]:
    """Sides not in Normal for which no finding names a cause: never to be called healthy.

    A fault explains its whole relationship. Expected behaviour explains only the side it is
    about, and the partner's side when that is its documented counterpart; benign noise on a
    Normal side explains nothing else, and neither does a symptom standing alone (pool
    exhaustion, a binding-update backlog): it says what the interruption does, not why.
    """
    explained = {f.relationship for f in findings if f.severity != "info" and not f.consequence_of}
    sides: set[tuple[str, str]] = set()
    states = {(rel["name"], side["server"]): side["state"] for rel in relationships for side in rel["sides"]}
    for finding in findings:
        if finding.severity == "info" and finding.relationship:
            sides.add((finding.relationship, finding.server))
            if states.get((finding.relationship, finding.server)) not in (None, "Normal") and finding.partner:
                if states.get((finding.relationship, finding.partner)) in _COUNTERPART_STATES:
                    sides.add((finding.relationship, finding.partner))
    return [{"relationship": rel["name"], "server": side["server"], "state": side["state"]}
            for rel in relationships if rel["name"] not in explained
            for side in rel["sides"] if side["state"] and side["state"] != "Normal"
            and (rel["name"], side["server"]) not in sides]


def _verdict(findings: list[Finding], relationships: list[dict], unexplained: list[dict],
             unread: list[str]) -> str:
    findings = findings + [n for f in findings for n in f.nested()]
    recovering = {u["relationship"] for u in unexplained if u["state"] in _RECOVERY_STATES}
    if any(f.severity == "critical" for f in findings) or \
            any(u["state"] in _DOWN_STATES and u["relationship"] not in recovering for u in unexplained):
        return "critical"
    if any(f.severity == "warning" for f in findings) or unexplained:
        return "warning"
    if not relationships or unread:
        return "unknown"
    return "healthy"


def _summary(verdict: str, findings: list[Finding], relationships: list[dict],
             unexplained: list[dict], unread: list[str]) -> str:
    if findings and verdict in ("critical", "warning") and findings[0].effective_severity() == verdict:
        top = findings[0]
        where = f", relationship {top.relationship}" if top.relationship else ""
        also = ""
        if top.consequences:
            also = " Consequence: " + "; ".join(c.title for c in top.consequences) + "."
        return (f"{verdict.upper()}: {top.title} — {top.location()}{where}, "
                f"confidence {top.confidence:.0%}.{also}{_more_findings(findings[1:])}")
    recovering = [u for u in unexplained if u["state"] in _RECOVERY_STATES]
    if recovering and verdict == "warning":
        states = ", ".join(f"{u['server']}: {u['state']}" for u in unexplained
                           if u["relationship"] == recovering[0]["relationship"])
        return (f"WARNING: {recovering[0]['relationship']} is on its way back to Normal ({states}); "
                "Startup lasts up to 5 minutes and RecoverWait up to one MCLT: wait, then collect "
                "again. Restarting a server now would only start the recovery over.")
    if unexplained and verdict in ("critical", "warning"):
        first = unexplained[0]
        return (f"{verdict.upper()}: {first['relationship']} is {first['state']} on {first['server']}, "
                "and no known cause matched the evidence; see what was not evaluated for the data "
                "that would settle it.")
    if verdict == "unknown":
        if unread:
            return (f"The failover state of {', '.join(unread)} could not be read; nothing can be "
                    "concluded about the pair.")
        return "No failover relationship could be read from the bundle; nothing can be concluded."
    states = ", ".join(f"{r['name']}: " + "/".join(str(s['state']) for s in r["sides"])
                       for r in relationships)
    expected = [f for f in findings if f.severity == "info"]
    if expected:
        return (f"Healthy: no fault found ({states}); expected behaviour: "
                + "; ".join(f"{f.title}" + (f" on {f.relationship}" if f.relationship else "") for f in expected)
                + ".")
    return f"Healthy: no fault found ({states})."


def _more_findings(rest: list[Finding]) -> str:
    """The other faults a headline that names only the first must not hide:
    " (+1 more critical finding: port_647_blocked on dhcp-a-dhcp-b)"."""
    faults = [f for f in rest if f.effective_severity() != "info"]
    if not faults:
        return ""
    severities = {f.effective_severity() for f in faults}
    noun = "finding" if len(faults) == 1 else "findings"
    kind = f"{severities.pop()} " if len(severities) == 1 else ""
    items = [f"{f.cause} on {f.relationship or ' and '.join(f.fault_hosts)}"
             + ("" if kind else f" ({f.effective_severity()})") for f in faults]
    return f" (+{len(faults)} more {kind}{noun}: {'; '.join(items)})"


def _timeline(facts: list[Fact]) -> list[dict[str, Any]]:
    """State changes of both partners in one order. `time` is as the server logged it; when w32tm
    measured the offset between the servers, `aligned_time` puts every change on `clock`'s clock
    (a skewed partner's log would otherwise look as if things happened in another order)."""
    reference, changes = aligned_changes(facts)
    return [{"time": f["time"], "aligned_time": aligned, "clock": reference, "server": f["server"],
             "relationship": f.get("relationship"), "subject": f.get("subject"), "old_state": f.get("old_state"),
             "new_state": f["new_state"], "event_id": f["event_id"], "source": str(f.source)}
            for aligned, f in changes]


def _manifest_summary(manifest: dict) -> dict[str, Any]:
    collector = manifest.get("collector") if isinstance(manifest.get("collector"), dict) else {}
    return {"format": manifest.get("format"), "created": manifest.get("created"),
            "collector": {"name": collector.get("name"), "version": collector.get("version")}}
