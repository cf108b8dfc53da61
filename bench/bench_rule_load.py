"""Rule load time (DESIGN budget: 1,000 rules in under 1 s), and the share of the JSON Schema check.

Writes N copies of every shipped rule (ids made unique) into a temporary directory and times
load_rules over them, then the structural check alone (engine/docschema.py) on the parsed files.
Usage: python bench/bench_rule_load.py [N_RULES]   (default 1000)
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from engine.catalog import load_catalog
from engine.docschema import validate
from engine.kb import shipped_dir
from engine.rules import load_rules
from engine.yamlio import load_yaml


def main(count: int) -> None:
    catalog = load_catalog(shipped_dir("facts"))
    sources = sorted(shipped_dir("rules").glob("*.yaml"))
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        for number in range(count):
            source = sources[number % len(sources)]
            text = source.read_text(encoding="utf-8")
            rule_id = load_yaml(source)["id"]
            (folder / f"r{number:05d}.yaml").write_text(
                text.replace(f"id: {rule_id}\n", f"id: {rule_id}-{number}\n", 1), encoding="utf-8")
        best = min(_time(lambda: load_rules([folder], catalog)) for _ in range(3))
        docs = [load_yaml(p) for p in sorted(folder.glob("*.yaml"))]
        check = min(_time(lambda: [validate("rule", d) for d in docs]) for _ in range(3))
    print(f"load_rules, {count} rules: {best:.3f} s ({best / count * 1000:.2f} ms per rule)")
    print(f"  of which the JSON Schema check: {check:.3f} s ({check / count * 1000:.2f} ms per rule)")


def _time(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
