"""Windows text files are decoded whatever the shell wrote, and a byte-order mark that names the
wrong encoding is noticed and read past instead of giving a line of CJK mojibake."""
from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from engine.errors import ArtifactError
from engine.textio import bom_mismatch, decode, decode_noting

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "bundles"
# Format-List output of Get-DhcpServerv4Failover, as the shipped example holds it
FAILOVER_TEXT = (EXAMPLES / "healthy" / "dhcp-b.contoso.com" / "failover.txt").read_bytes().decode("utf-8-sig")
EXPECTED = FAILOVER_TEXT.replace("\r\n", "\n")


@pytest.mark.parametrize("bom, content, said, actual", [
    (codecs.BOM_UTF16_LE, "utf-16-be", "UTF-16 LE", "UTF-16 BE"),
    (codecs.BOM_UTF16_BE, "utf-16-le", "UTF-16 BE", "UTF-16 LE"),
    (codecs.BOM_UTF16_LE, "utf-8", "UTF-16 LE", "UTF-8"),
    (codecs.BOM_UTF8, "utf-16-le", "UTF-8", "UTF-16 LE"),
])
def test_a_lying_byte_order_mark_is_named_and_the_text_read_right(bom, content, said, actual):
    data = bom + FAILOVER_TEXT.encode(content)
    note = f"the byte-order mark says {said} but the content is {actual}; read as {actual}"
    assert decode_noting(data, "dhcp-b/failover.txt") == (EXPECTED, note)
    assert decode(data, "dhcp-b/failover.txt") == EXPECTED
    assert bom_mismatch(data) == note


@pytest.mark.parametrize("bom, encoding", [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
                                            (codecs.BOM_UTF8, "utf-8")])
def test_a_truthful_byte_order_mark_gives_no_note(bom, encoding):
    data = bom + FAILOVER_TEXT.encode(encoding)
    assert decode_noting(data, "f.txt") == (EXPECTED, None)
    assert bom_mismatch(data) is None


def test_genuinely_chinese_text_is_believed_not_repaired():
    text = "名称 : 故障转移关系\r\n状态 : 正常\r\n"
    data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    assert decode_noting(data, "f.txt") == (text.replace("\r\n", "\n"), None)


def test_the_head_of_a_large_file_cut_mid_character_is_judged_the_same():
    data = codecs.BOM_UTF16_LE + ("é" + FAILOVER_TEXT * 200).encode("utf-8")
    assert bom_mismatch(data) == "the byte-order mark says UTF-16 LE but the content is UTF-8; read as UTF-8"


def test_invalid_utf16_after_its_mark_is_one_line_naming_the_byte():
    data = codecs.BOM_UTF16_LE + "ok".encode("utf-16-le") + b"\x00\xdc\x00\xdc"  # lone low surrogates
    with pytest.raises(ArtifactError) as info:
        decode(data, "dhcp-a/failover.txt")
    assert info.value.one_line() == ("dhcp-a/failover.txt: starts with a utf-16-le byte-order mark but is not "
                                     "valid utf-16-le (byte 6)")


def test_every_windows_line_ending_and_a_crlf_file_copied_again_in_text_mode_read_as_one_newline():
    """\\r\\r\\n is what a CRLF file becomes after one more text-mode copy: read as blank lines it
    split every Format-List record into one record per line."""
    from engine.textio import normalise_newlines

    assert normalise_newlines("Name : r1\r\r\nState : Normal\r\nMode : LoadBalance\rScopeId : {}\n") == \
        "Name : r1\nState : Normal\nMode : LoadBalance\nScopeId : {}\n"
    assert normalise_newlines("a\r\n\r\nb") == "a\n\nb"  # a real blank line stays


def test_a_bundle_whose_crlf_was_doubled_gives_the_same_diagnosis(tmp_path):
    import shutil
    from pathlib import Path

    from engine.pipeline import Analyzer

    source = Path(__file__).parent.parent / "examples" / "bundles" / "port_647_blocked"
    bundle = tmp_path / "b"
    shutil.copytree(source, bundle)
    for path in bundle.rglob("*.txt"):
        data = path.read_bytes()
        if data.startswith(b"\xff\xfe"):
            path.write_bytes(b"\xff\xfe" + data[2:].decode("utf-16-le").replace("\r\n", "\r\r\n").encode("utf-16-le"))
        else:
            path.write_bytes(data.replace(b"\r\n", b"\r\r\n"))
    analyzer = Analyzer("native")
    doubled, plain = analyzer.analyze(bundle), analyzer.analyze(source)
    assert [f.cause for f in doubled.findings] == [f.cause for f in plain.findings] == ["port_647_blocked"]
    assert doubled.problems == plain.problems
