"""The knowledge-base parse cache: same knowledge base, never stale, never a reason to fail."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest

from engine import kbcache
from engine.catalog import FactCatalog, load_catalog
from engine.errors import RuleLoadError
from engine.kb import shipped_dir
from engine.knowledge import load_knowledge_base
from engine import rules as rules_module
from engine.rules import load_rule
from engine.yamlio import LineDict


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    """An empty cache directory of this test alone."""
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv(kbcache.DISABLE_ENV, raising=False)
    return home / "fodoc" / "kb"


def _whole(kb):
    return kb.catalog, kb.rules, kb.runbooks.load_all()


def _forbid_parsing(monkeypatch):
    def parse(path, error_class=None):
        raise AssertionError(f"{path} was parsed although it is cached")
    monkeypatch.setattr(kbcache, "load_yaml", parse)


def test_a_cache_hit_gives_the_same_knowledge_base_with_its_lines(cache, monkeypatch):
    monkeypatch.setenv(kbcache.DISABLE_ENV, "1")
    uncached = _whole(load_knowledge_base())
    assert not cache.exists()
    monkeypatch.delenv(kbcache.DISABLE_ENV)
    assert _whole(load_knowledge_base()) == uncached  # fills the cache
    kbcache.save_memos()  # as at exit
    shipped = len(list(shipped_dir("facts").glob("*.yaml"))) + len(list(shipped_dir("rules").glob("*.yaml")))
    documents = [entry for entry in cache.glob("*.json") if not entry.name.startswith("template-reads-")]
    assert len(documents) == shipped  # not the runbooks: they say `on:`, a YAML 1.1 boolean key
    _forbid_parsing(monkeypatch)
    monkeypatch.setattr(kbcache, "_memos", {})  # as in a new process
    monkeypatch.setattr(rules_module._TEMPLATES, "parse", None)  # what templates read is remembered too
    catalog, rules, _ = uncached
    cached_catalog, cached_rules = load_knowledge_base().catalog, load_knowledge_base().rules
    assert (cached_catalog, cached_rules) == (catalog, rules)
    fixture = next(r for r in cached_rules if r.id == "port-647-blocked").fixtures[0]
    lines = (shipped_dir("rules") / "port-647-blocked.yaml").read_text(encoding="utf-8").splitlines()
    first = next(n for n, line in enumerate(lines, start=1) if line.startswith("  - name: "))
    assert fixture.line == first  # fixture reports still name the line
    fact_line = next(n for n, line in enumerate(lines, start=1) if n > first and line.lstrip().startswith("- {"))
    assert fixture.facts[0].source.record == f"fixtures[1].facts[1] line {fact_line}"


def test_an_edited_file_misses_the_cache(cache, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    source = (shipped_dir("rules") / "port-647-blocked.yaml").read_text(encoding="utf-8")
    (site / "mine.yaml").write_text(source.replace("id: port-647-blocked", "id: my-rule"), encoding="utf-8")
    assert next(r for r in load_knowledge_base([site]).rules if r.id == "my-rule").severity == "critical"
    (site / "mine.yaml").write_text(source.replace("id: port-647-blocked", "id: my-rule")
                                    .replace("severity: critical", "severity: warning"), encoding="utf-8")
    assert next(r for r in load_knowledge_base([site]).rules if r.id == "my-rule").severity == "warning"


@pytest.mark.parametrize("garbage", ["{\"format\": 2, \"fodoc\"", "[1, 2]", "",
                                     '{"format": 2, "fodoc": "0.0.0", "sha256": "x", "document": {}}'])
def test_a_corrupt_or_foreign_cache_file_is_ignored_and_rewritten(cache, monkeypatch, garbage):
    monkeypatch.setenv(kbcache.DISABLE_ENV, "1")
    uncached = load_catalog(shipped_dir("facts"))
    monkeypatch.delenv(kbcache.DISABLE_ENV)
    load_catalog(shipped_dir("facts"))
    entries = list(cache.glob("*.json"))
    assert len(entries) == len(uncached.kinds)
    for entry in entries:
        entry.write_text(garbage, encoding="utf-8")
    assert load_catalog(shipped_dir("facts")) == uncached
    for entry in entries:
        assert json.loads(entry.read_text(encoding="utf-8"))["fodoc"] == kbcache.__version__


def test_lines_that_do_not_fit_the_document_are_a_miss(cache, tmp_path):
    path = tmp_path / "port-647-blocked.yaml"
    shutil.copy(shipped_dir("rules") / "port-647-blocked.yaml", path)
    catalog = load_knowledge_base().catalog
    expected = load_rule(path, catalog)
    (entry,) = cache.glob(f"{kbcache._entry_path(path)[1]}.json")
    record = json.loads(entry.read_text(encoding="utf-8"))
    record["lines"] = [1, [], []]
    entry.write_text(json.dumps(record), encoding="utf-8")
    assert load_rule(path, catalog) == expected



def test_a_cached_document_keeps_the_lines_its_values_start_on(cache, tmp_path, monkeypatch):
    path = tmp_path / "doc.yaml"
    path.write_text("a: one\nrun: |\n  two\n  three\n", encoding="utf-8")
    parsed = kbcache.load_compiled(path, RuleLoadError, lambda doc: doc)  # parses and stores
    _forbid_parsing(monkeypatch)
    cached = kbcache.load_compiled(path, RuleLoadError, lambda doc: doc)
    assert [(d.line_of("run"), d.line_in_value("run", 2), d.value_line_of("a")) for d in (parsed, cached)] == [
        (2, 4, 1), (2, 4, 1)]

def test_an_error_in_a_cached_rule_still_names_file_and_line(cache, tmp_path, monkeypatch):
    path = tmp_path / "port-647-blocked.yaml"
    shutil.copy(shipped_dir("rules") / "port-647-blocked.yaml", path)
    catalog = load_knowledge_base().catalog
    load_rule(path, catalog)  # cached while valid
    assert (cache / f"{kbcache._entry_path(path)[1]}.json").is_file()
    probe = catalog.kinds["tcp_probe"]
    fields = {name: spec for name, spec in probe.fields.items() if name != "ping_ok"}
    changed = FactCatalog({**catalog.kinds, "tcp_probe": dataclasses.replace(probe, fields=fields)})
    with pytest.raises(RuleLoadError) as cached:
        load_rule(path, changed)
    monkeypatch.setenv(kbcache.DISABLE_ENV, "1")
    with pytest.raises(RuleLoadError) as uncached:
        load_rule(path, changed)
    assert str(cached.value) == str(uncached.value)
    assert str(cached.value).startswith(f"{path}:23: port-647-blocked: probe.ping_ok: fact kind "
                                        "'tcp_probe' has no field 'ping_ok'")


def test_without_a_writable_cache_directory_fodoc_still_loads(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    monkeypatch.setenv(kbcache.DISABLE_ENV, "1")
    expected = load_catalog(shipped_dir("facts"))
    monkeypatch.delenv(kbcache.DISABLE_ENV)
    assert load_catalog(shipped_dir("facts")) == expected
    assert blocker.read_text(encoding="utf-8") == "a file where the cache folder would go"


def test_fodoc_no_cache_writes_nothing(cache, monkeypatch):
    monkeypatch.setenv(kbcache.DISABLE_ENV, "1")
    load_knowledge_base()
    assert kbcache.cache_dir() is None
    assert not cache.parent.exists()


def test_the_cache_directory_follows_the_platform(tmp_path, monkeypatch):
    monkeypatch.delenv(kbcache.DISABLE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert kbcache.cache_dir() == tmp_path / "fodoc"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # invalid per the XDG spec: ignored
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert kbcache.cache_dir() == tmp_path / "home" / ".cache" / "fodoc"
    monkeypatch.setattr(kbcache.sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "AppData" / "Local"))
    assert kbcache.cache_dir() == tmp_path / "AppData" / "Local" / "fodoc" / "cache"


def test_only_documents_json_keeps_exactly_are_cached(cache, tmp_path):
    path = tmp_path / "doc.yaml"
    for text in ("when: 2025-11-30\n", "1: one\n", "on: yes\n", "ratio: .nan\n"):
        path.write_text(text, encoding="utf-8")
        document = kbcache.load_compiled(path, RuleLoadError, lambda doc: doc)
        assert isinstance(document, LineDict) and len(document) == 1
    assert not list(cache.glob("*.json"))
    path.write_text("flag: true\ncount: 1\nratio: 1.0\nitems: [a, {b: 2}]\n", encoding="utf-8")
    first = kbcache.load_compiled(path, RuleLoadError, lambda doc: doc)
    second = kbcache.load_compiled(path, RuleLoadError, lambda doc: doc)
    assert len(list(cache.glob("*.json"))) == 1
    assert second == first == {"flag": True, "count": 1, "ratio": 1.0, "items": ["a", {"b": 2}]}
    assert [type(second[k]) for k in second] == [bool, int, float, list]
    assert (second.line_of("ratio"), second["items"][1].line) == (3, 4)


def test_round_trips_tells_a_boolean_from_a_number():
    assert kbcache.round_trips({"a": [1, 2.0, "x", None]}, {"a": [1, 2.0, "x", None]})
    assert not kbcache.round_trips({"a": True}, {"a": 1})
    assert not kbcache.round_trips({"a": 1}, {"a": 1.0})
    assert not kbcache.round_trips({1: "a"}, {"1": "a"})


def test_an_analysis_is_remembered_across_runs_and_a_rejection_is_not(cache, monkeypatch):
    calls = []

    def analyse(text):
        calls.append(text)
        if "{{" not in text:
            raise ValueError("not a template")
        return sorted(text.split())

    assert kbcache.memoised("words-v1", "{{ b a", analyse) == ["a", "b", "{{"]
    kbcache.save_memos()  # as at exit
    monkeypatch.setattr(kbcache, "_memos", {})  # a new process
    assert kbcache.memoised("words-v1", "{{ b a", analyse) == ["a", "b", "{{"]
    assert calls == ["{{ b a"]
    assert kbcache.memoised("words-v2", "{{ b a", analyse) == ["a", "b", "{{"]  # another analysis
    assert len(calls) == 2
    for _ in range(2):
        with pytest.raises(ValueError):
            kbcache.memoised("words-v1", "plain", analyse)
    assert calls[2:] == ["plain", "plain"]


def test_a_corrupt_memo_is_ignored(cache, monkeypatch):
    cache.mkdir(parents=True)
    (cache / "words-v1.json").write_text('{"format": 2, "fodoc": "%s", "analysis": "words-v1", '
                                         '"entries": {"%s": [1]}}' % (kbcache.__version__, "0" * 64),
                                         encoding="utf-8")
    assert kbcache.memoised("words-v1", "x y", lambda text: text.split()) == ["x", "y"]
    kbcache.save_memos()
    assert json.loads((cache / "words-v1.json").read_text(encoding="utf-8"))["entries"] == {
        "0" * 64: [1], hashlib.sha256(b"x y").hexdigest(): ["x", "y"]}
    (cache / "words-v1.json").write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(kbcache, "_memos", {})
    assert kbcache.memoised("words-v1", "x y", lambda text: text.split()) == ["x", "y"]


def test_a_template_reading_an_unknown_alias_is_rejected_from_the_memo_too(cache, tmp_path, monkeypatch):
    path = tmp_path / "port-647-blocked.yaml"
    source = (shipped_dir("rules") / "port-647-blocked.yaml").read_text(encoding="utf-8")
    path.write_text(source.replace("{{ side.server }} reports", "{{ sied.server }} reports"), encoding="utf-8")
    catalog = load_knowledge_base().catalog
    messages = []
    for _ in range(2):
        monkeypatch.setattr(kbcache, "_memos", {})
        with pytest.raises(RuleLoadError) as info:
            load_rule(path, catalog)
        messages.append(str(info.value))
        kbcache.save_memos()
    explain_line = source.splitlines().index("explain: >") + 1
    assert messages[0] == messages[1] == (f"{path}:{explain_line}: port-647-blocked: explain: template uses 'sied', "
                                          "which is not a 'match' alias (did you mean 'side'?)")
    assert list(cache.glob("template-reads-*.json"))


def test_a_fodoc_process_leaves_the_template_memo_behind_when_it_exits(cache):
    subprocess.run([sys.executable, "-c", "from engine.knowledge import load_knowledge_base; "
                                          "load_knowledge_base()"], check=True, env=dict(os.environ))
    (memo,) = cache.glob("template-reads-jinja2-*.json")
    entries = json.loads(memo.read_text(encoding="utf-8"))["entries"]
    explain = next(r for r in load_knowledge_base().rules if r.id == "port-647-blocked").explain
    assert entries[hashlib.sha256(explain.encode("utf-8")).hexdigest()] == [
        "probe", "probe.port", "probe.remote_address", "probe.source", "probe.target", "side",
        "side.relationship", "side.server", "side.state"]
