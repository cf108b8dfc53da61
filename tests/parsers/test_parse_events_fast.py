"""The fast event readers give exactly what the straightforward ones gave.

XML: read_xml takes finished <Event> elements from under the root of a tree that the C
TreeBuilder builds from defusedxml's parser. defusedxml's iterparse stays as the reference (and
as the fallback when defusedxml is not as expected), so every document below is read both ways:
where events sit, where parsing stops, and how the chunks fall must not change a record or a
problem. JSON: properties are looked up case-insensitively without lower-casing each record.
"""
from __future__ import annotations

import pytest

from engine.errors import ArtifactError
from engine.parsers import Artifact, Problems, eventread
from engine.parsers.psjson import KeyLookup, lower_keys

NS = "http://schemas.microsoft.com/win/2004/08/events/event"
PATH = "dhcp-a/events-DhcpAdminEvents.xml"


def event(n: int, data: str | None = None, extra: str = "", ns: str = f" xmlns='{NS}'", tag: str = "Event") -> str:
    data = f"<EventData><Data>dhcp-b</Data><Data>rel{n % 3}</Data></EventData>" if data is None else data
    return (f"<{tag}{ns}><System><Provider Name='Microsoft-Windows-DHCP-Server'/><EventID>{20254 + n % 3}</EventID>"
            f"<TimeCreated SystemTime='2026-11-30T09:00:{n % 60:02d}.1234567Z'/><EventRecordID>{100 + n}"
            f"</EventRecordID><Channel>DhcpAdminEvents</Channel></System>{data}{extra}</{tag}>")


def events(count: int, **kwargs) -> str:
    return "\n".join(event(n, **kwargs) for n in range(count))


DOCUMENTS = {
    "no root": events(5),
    "root": f"<Events>\n{events(5)}\n</Events>",
    "root cut off": f"<Events>{events(3)}",
    "cut inside an event": events(3) + event(3)[:150],
    "events inside other elements": f"<Foo><Bar>{events(3)}</Bar>{event(9)}</Foo>",
    "cut inside other elements": f"<Foo><Bar>{events(3)}</Bar><Baz>{event(7)}<Event",
    "event inside an event": event(1, extra=f"<UserData>{event(2)}</UserData>") + event(3),
    "other-namespace event inside": event(1, extra="<UserData><x:Event xmlns:x='urn:x'><a>1</a></x:Event></UserData>"),
    "unqualified event inside": event(1, extra="<UserData><Event xmlns=''><a>1</a></Event></UserData>"),
    "prefixed": "<e:Events xmlns:e='urn:e'>" + events(3, ns=f" xmlns:p='{NS}'", tag="p:Event").replace(
        "<System", "<p:System").replace("</System", "</p:System") + "</e:Events>",
    "no namespace": events(4, ns=""),
    "the root is an event": f"<!-- <Foo> --><Event xmlns='{NS}'><System><EventID>1</EventID><TimeCreated "
                            f"SystemTime='2026-11-30T09:00:00Z'/></System>{events(3)}</Event>",
    "the root is an event, cut off": f"<!-- <Foo> --><Event xmlns='{NS}'><System><EventID>1</EventID>"
                                     f"<TimeCreated SystemTime='2026-11-30T09:00:00Z'/></System>{events(3)}",
    "junk after the root": f"<Events>{event(1)}</Events>junk",
    "a second root": f"<Events>{event(1)}</Events><Events>{event(2)}</Events>",
    "empty events": f"<Events>{event(1)}<Event/>{event(2)}</Events>",
    "data of every kind": events(3, data="<EventData><Data Name='a'/><Data>x</Data><Binary>00</Binary>"
                                         "<Data>  y  </Data></EventData>"),
    "user data": events(3, data="<UserData><Stuff><A>a</A><B/><C> c </C></Stuff></UserData>"),
    "rendered only": events(3, data="", extra="<RenderingInfo Culture='en-US'><Message>Server has established "
                                              "contact with failover partner server dhcp-b for relationship r1 ."
                                              "</Message></RenderingInfo>"),
    "odd ids": "".join(event(n).replace(f"<EventRecordID>{100 + n}<", f"<EventRecordID>{rid}<")
                       for n, rid in enumerate(["", " 7 ", "x", "+5", "٣", "5.0", "-1"])),
    "repeated system fields": "".join(event(n).replace("<Channel>", "<EventID>99</EventID><Channel>")
                                      for n in range(3)),
    "entities and CDATA": event(1).replace("dhcp-b", "&amp;&lt;&#65;<![CDATA[ a<b ]]>"),
    "many events, cut": events(1500) + event(5)[:77],
}


def outcome(text: str):
    """(records, problems) of read_xml, or the error it raised."""
    data = text.encode("utf-8")
    artifact = Artifact(path=PATH, server="dhcp-a", family="events", fmt="xml", log="DhcpAdminEvents",
                        reader=lambda: data)
    problems = Problems()
    try:
        records = list(eventread.read_xml(artifact, problems))
    except ArtifactError as exc:
        return str(exc)
    return records, [str(p) for p in problems]


def reference(text: str, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(eventread, "_defused", lambda parser: False)  # defusedxml's iterparse
        return outcome(text)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_xml_reader_matches_iterparse(name, monkeypatch):
    assert outcome(DOCUMENTS[name]) == reference(DOCUMENTS[name], monkeypatch)


def test_xml_cut_anywhere_matches_iterparse(monkeypatch):
    text = f"<Foo>{event(1)}<Bar>{event(2, extra=f'<UserData>{event(3)}</UserData>')}</Bar>{event(4)}</Foo>"
    for end in range(len(text) + 1):
        assert outcome(text[:end]) == reference(text[:end], monkeypatch), end


@pytest.mark.parametrize("chunk", [1, 7, 100])
def test_xml_chunk_size_does_not_matter(chunk, monkeypatch):
    expected = {name: outcome(text) for name, text in DOCUMENTS.items()}
    monkeypatch.setattr(eventread, "_CHUNK", chunk)
    assert {name: outcome(text) for name, text in DOCUMENTS.items()} == expected


def test_xml_records_read_the_first_child_of_each_name():
    records, _ = outcome(DOCUMENTS["repeated system fields"])
    assert [r.event_id for r in records] == [20254, 20255, 20256]
    records, _ = outcome(DOCUMENTS["odd ids"])
    assert [r.record_id for r in records] == [None, 7, None, 5, 3, 5, -1]
    records, _ = outcome(DOCUMENTS["data of every kind"])
    assert {r.params for r in records} == {("", "x", "y")}
    records, _ = outcome(DOCUMENTS["user data"])
    assert {r.params for r in records} == {("a", "", "c")}
    records, _ = outcome(DOCUMENTS["rendered only"])
    assert {(r.params, r.message[:38]) for r in records} == {(None, "Server has established contact with fa")}


def test_xml_reader_takes_the_fast_route(monkeypatch):
    def refused(parts):
        raise AssertionError("fell back to iterparse")
    monkeypatch.setattr(eventread, "_iterparse_events", refused)
    records, problems = outcome(DOCUMENTS["root"])
    assert [r.record_id for r in records] == [100, 101, 102, 103, 104] and problems == []


@pytest.mark.parametrize("text", [
    # billion laughs, with and without a root
    '<?xml version="1.0"?><!DOCTYPE Events [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><Events><Event><System><EventID>&c;</EventID></System></Event>'
    '</Events>',
    '<!DOCTYPE Event [<!ENTITY a "lol">]><Event><System><EventID>&a;</EventID></System></Event>',
    # external entity and external DTD
    '<!DOCTYPE Events [<!ENTITY x SYSTEM "file:///etc/passwd">]><Events><Event><System><EventID>&x;</EventID>'
    '</System></Event></Events>',
    '<!DOCTYPE Events SYSTEM "http://example.invalid/events.dtd"><Events/>',
])
def test_xml_with_a_dtd_is_refused_on_the_fast_route_too(text):
    result = outcome(text)
    assert isinstance(result, str) and result.startswith(f"{PATH}: "), result
    assert "declares a DTD" in result or "is not valid XML" in result
    assert "lol" not in result and "root:" not in result


# --- JSON ---------------------------------------------------------------------------------

@pytest.mark.parametrize("record", [
    {"Id": 1, "TimeCreated": "t", "Message": "m"},
    {"id": 1, "ID": 2, "iD": 3},                       # differing only in case: the last one counts
    {"PROPERTIES": [], "Properties": None},
    {"Other": 1},
    {},
])
@pytest.mark.parametrize("names", [("id", "message"), ("id", "timecreated", "message", "properties", "missing")])
def test_key_lookup_reads_what_lower_keys_would(record, names):
    lookup = KeyLookup(names)
    for _ in range(2):  # the second time from what the first one worked out
        assert lookup(record) == tuple(lower_keys(record).get(name) for name in names)
    for other in ({"ID": 5}, {"Id": 6, "Message": "x"}, {"message": 7, "iD": 8}):  # other key sets in between
        assert lookup(other) == tuple(lower_keys(other).get(name) for name in names)
    assert lookup(record) == tuple(lower_keys(record).get(name) for name in names)


@pytest.mark.parametrize("properties, params", [
    ([{"Value": " a "}, {"Value": ""}, {"Value": "b"}], ("a", "", "b")),
    ([], ()),
    ([{"value": "a"}, {"Value": "b", "VALUE": "c"}], ("a", "c")),  # the last spelling counts
    ([{"Value": "b", "VALUE": "c"}], ("c",)),
    ([{"Value": 5}, {"Value": None}, {"Value": True}, {"Value": 1.5}], ("5", "", "True", "1.5")),
    ([{"Value": [1]}, {"Value": {"IPAddressToString": "10.0.0.1"}}, {}], ("", "", "")),
    (["plain", 7, None, [1], {"Value": "x", "Type": "y"}], ("plain", "7", "", "", "x")),
    (["System.Diagnostics.Eventing.Reader.EventProperty", "x"], None),
    ({"Value": "a"}, None),
    (None, None),
])
def test_json_insertion_strings_in_every_shape(properties, params):
    assert eventread._json_params(properties) == params
