"""Clean text out (issue 23): bidi controls and terminal escapes are stripped from every field
that is printed or shown — profile fields, document text at import, what a pack carries.

Before: a company name with U+202E printed the handout's header reversed
("…公司日7月21年6202 · 单服务清政"), and ``[31m`` / ``]0;…`` remained wherever only the ESC
was dropped (the window; the document text was stored as imported).
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from pathlib import Path

from matcher.cli.main import main
from matcher.engine import Engine

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "tests" / "corpus" / "changning_jieneng_jiantan_zhengce_2024.txt"
ESC = "\x1b[31m\x1b]0;被改的窗口标题\x07\x1b[2J"
BIDI = "\u202e\u2066\u200f"
_BAD = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]|\[31m|\[2J|\]0;|被改的窗口标题")


def clean(s: str) -> bool:
    return _BAD.search(s) is None


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_profile_fields_are_cleaned_and_the_handout_header_reads_forwards():
    from desktop.handout import build_html, header_of, page_header

    profile = Engine.profile(
        {
            "district": "虹口区",
            "company": f"上海{BIDI}某某{ESC}航运有限公司",
            "keywords": f"航运{ESC} 船舶{BIDI}代理",
            "area": f"北外滩{BIDI}",
        }
    )
    assert profile.company == "上海某某航运有限公司"
    assert clean(profile.keywords) and "航运" in profile.keywords and "船舶代理" in profile.keywords
    assert clean(profile.area)
    header = page_header(profile.model_dump(), _dt.date(2026, 12, 7))
    assert header == "上海某某航运有限公司 · 政策服务清单 · 2026年12月7日"
    with Engine.open() as eng:
        resp = eng.match(profile, top=5, as_of=_dt.date(2026, 12, 7))
        h = Engine.handout_of(resp, documents=eng.documents())
    html = build_html(h)
    assert clean(html) and "上海某某航运有限公司" in html
    assert header_of(h) == "上海某某航运有限公司 · 政策服务清单 · 判断日期 2026年12月7日"


def test_document_text_is_cleaned_at_import(capsys, tmp_path):
    text = DOC.read_text(encoding="utf-8")
    lines = text.splitlines()
    hit = next(i for i, ln in enumerate(lines) if re.match(r"\d+\.", ln))  # a measure: 1.低碳产业园区。…
    lines[hit] = lines[hit].replace("。", f"。{ESC}{BIDI}加注", 1)
    lines[hit + 2] = BIDI + lines[hit + 2] + "\x1b]8;;http://x\x07链接\x1b]8;;\x07"
    f = tmp_path / "doc.txt"
    f.write_text("\n".join(lines), encoding="utf-8")
    code, out, err = run(capsys, "ingest", f, "--title", f"标题{ESC}{BIDI}", "--format", "json")
    assert code == 0, err
    (doc,) = json.loads(out)["documents"]
    with Engine.open() as eng:
        ms = [m for m in eng.measures() if m.doc_id == doc["id"]]
        assert ms and any("加注" in m.text for m in ms)
        for m in ms:
            for field in (m.text, m.title, m.document, *m.sentences, *m.offices):
                assert clean(field), repr(field)
        (d,) = [d for d in eng.documents() if d.doc_id == doc["id"]]
        assert d.title == "标题" and clean(d.title)


def test_a_packs_fields_are_cleaned(capsys, tmp_path, policydesk_home):
    """Titles, districts, office-directory entries a (trusted, signed) pack carries."""
    import zipfile

    import hostile
    from packkeys import test_key, trust_test_key

    from matcher.store import packfile, signing

    trust_test_key()
    pack = hostile.signed_pack_with(tmp_path / "p.pdpack", test_key()[0], {"a.txt": DOC.read_bytes()})
    with zipfile.ZipFile(pack) as z:
        m = json.loads(z.read("manifest.json"))
        files = {n: z.read(n) for n in z.namelist() if n != "manifest.json"}
    m["documents"][0]["title"] = f"长宁{BIDI}政策{ESC}"
    m["office_directory"] = [{"district": "长宁区", "office": f"区发展改革委{BIDI}", "phone": f"021-{ESC}1234"}]
    m["content_sha256"] = packfile.content_hash(m)
    with zipfile.ZipFile(pack, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(m, ensure_ascii=False))
        for n, b in files.items():
            z.writestr(n, b)
        z.comment = signing.placeholder()
    signing.sign_file(pack, signing.load_private(test_key()[0]))
    read = packfile.read_pack(pack)
    assert read.manifest.documents[0].title == "长宁政策"
    assert read.manifest.office_directory == [{"district": "长宁区", "office": "区发展改革委", "phone": "021-1234"}]
