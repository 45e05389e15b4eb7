"""Completeness of the curated KB for the three Kon Rẫy documents, checked against a reading of them.

* 000: news — quarter II/2022 review meeting (giao ban) of the district campaign steering
  committee, 05/7/2022, at the cultural house of xã Đăk Ruồng.
* 001: report 86-BC/BCĐ of the steering committee for quý I/2023 (footnotes (1)–(9)).
* 002: the 2024 plan of UBND huyện Kon Rẫy (unnumbered), signed by Đinh Thị Hồng Thu.

The expected facts were listed from the documents themselves; each assertion is something a
user of the graph relies on: who issued and signed what, what is based on what, which unit runs
which model in which village, the figures reported and the targets planned.
"""

from __future__ import annotations

import pytest

from danvan.graph.embedded import EmbeddedStore
from danvan.graph.schema import load_schema
from danvan.graph.types import Node
from danvan.loaders.reference.kb import build_kb
from danvan.text import fold

SCHEMA = load_schema()

KON_TUM = "province-62"
KON_RAY = "district-614"
RVE, KOI, TO_LUNG, RUONG, PNE, TO_RE, TAN_LAP = (
    "commune-23479", "commune-23482", "commune-23485", "commune-23488",
    "commune-23491", "commune-23494", "commune-23497")

SRC_000 = SCHEMA.node_id("Source", {"key": "kr-2022-q2-giao-ban-bcd"})
SRC_001 = SCHEMA.node_id("Source", {"key": "kr-2023-q1-bc-86"})
SRC_002 = SCHEMA.node_id("Source", {"key": "kr-2024-kh-ubnd-cvd"})

CAMPAIGN = "campaign-lam-thay-doi-nep-nghi"
BTV_TU = "party-province-62-ban-thuong-vu-tinh-uy-kon-tum"


def party(name: str, scope: str = KON_RAY) -> str:
    return SCHEMA.node_id("PartyBody", {"scope": scope, "name": name})


def unit(name: str, scope: str = KON_RAY) -> str:
    return SCHEMA.node_id("Unit", {"scope": scope, "name": name})


def directive(ref: str, scope: str = KON_RAY) -> str:
    return SCHEMA.node_id("Directive", {"scope": scope, "ref": ref})


HU = party("Huyện ủy Kon Rẫy")
BTV_HU = party("Ban Thường vụ Huyện ủy Kon Rẫy")
BDV_HU = party("Ban Dân vận Huyện ủy Kon Rẫy")
BCD = party("Ban Chỉ đạo Cuộc vận động huyện Kon Rẫy")
UBND = unit("Ủy ban nhân dân huyện Kon Rẫy")
MTTQ = unit("Ủy ban Mặt trận Tổ quốc Việt Nam huyện Kon Rẫy")
LHPN = unit("Hội Liên hiệp Phụ nữ huyện Kon Rẫy")
CCB = unit("Hội Cựu chiến binh huyện Kon Rẫy")
HUYEN_DOAN = unit("Huyện đoàn Kon Rẫy")
CONG_AN = unit("Công an huyện Kon Rẫy")
PHONG_Y_TE = unit("Phòng Y tế huyện Kon Rẫy")

KH_26 = directive("26-KH/HU")
BC_86 = directive("86-BC/BCĐ")


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    nodes, edges = build_kb()
    s = EmbeddedStore(":memory:")
    s.write(nodes, edges)
    return s


# helpers ----------------------------------------------------------------------------------
def names(node: Node) -> list[str]:
    return [fold(x) for x in [node.props.get("name", ""), *node.props.get("aliases", [])] if x]


def targets(store: EmbeddedStore, node_id: str, type_: str) -> set[str]:
    return {e.target for e in store.edges_of(node_id, "out", [type_])}


def sources(store: EmbeddedStore, node_id: str, type_: str) -> set[str]:
    return {e.source for e in store.edges_of(node_id, "in", [type_])}


def village(store: EmbeddedStore, commune: str, name: str) -> Node:
    """The one village of ``commune`` whose name or an alias equals ``name`` (folded)."""
    found = [v for v in store.nodes("Village")
             if v.props["commune"] == commune and fold(name) in names(v)]
    assert len(found) == 1, f"village {name!r} of {commune}: {[v.id for v in found]}"
    return found[0]


def model(store: EmbeddedStore, fragment: str) -> Node:
    """The one model whose name or an alias contains ``fragment`` (folded)."""
    found = [m for m in store.nodes("Model") if any(fold(fragment) in n for n in names(m))]
    assert len(found) == 1, f"model {fragment!r}: {[m.id for m in found]}"
    return found[0]


def cited_in(node: Node, source_id: str) -> bool:
    return any(s.startswith(source_id + "#") for s in node.props.get("sources", []))


# the shared district bodies ------------------------------------------------------------------
DISTRICT_BODIES = {
    HU: "Huyện ủy", BTV_HU: "BTV Huyện ủy", BDV_HU: "Ban Dân vận Huyện ủy",
    BCD: "BCĐ Cuộc vận động huyện", UBND: "UBND huyện", MTTQ: "Mặt trận huyện",
    LHPN: "Hội LHPN huyện", CCB: "Hội CCB huyện", HUYEN_DOAN: "Huyện đoàn",
    CONG_AN: "Công an huyện", PHONG_Y_TE: "Phòng Y tế",
}


@pytest.mark.parametrize(("node_id", "short"), sorted(DISTRICT_BODIES.items()))
def test_district_bodies_with_the_short_names_the_documents_use(store, node_id, short):
    node = store.get(node_id)
    assert node is not None, node_id
    assert fold(short) in names(node)
    assert targets(store, node_id, "SCOPED_TO") == {KON_RAY}


def test_party_hierarchy_and_government_offices(store):
    assert targets(store, BTV_HU, "PART_OF") == {HU}
    assert targets(store, BDV_HU, "PART_OF") == {HU}
    assert targets(store, PHONG_Y_TE, "PART_OF") == {UBND}
    assert store.get(CONG_AN).props["kind"] == "police"
    assert store.get(MTTQ).props["kind"] == "mass_organisation"


# 000: the quarter II/2022 meeting ----------------------------------------------------------------
def _meeting_2022(store) -> Node:
    found = [e for e in store.nodes("Event") if e.props["date"] == "2022-07-05"]
    assert len(found) == 1
    return found[0]


def test_000_meeting_date_place_organiser_and_chairs(store):
    event = _meeting_2022(store)
    assert "giao ban" in fold(event.props["name"])
    assert event.props.get("period") == "quý II/2022"
    assert targets(store, event.id, "HELD_AT") == {RUONG}
    assert BCD in sources(store, event.id, "ORGANISED")
    assert CAMPAIGN in targets(store, event.id, "REVIEWS")
    assert event.id in targets(store, SRC_000, "DOCUMENTS")
    chairs = {store.get(p).props["name"] for p in sources(store, event.id, "CHAIRED")}
    assert chairs == {"Đinh Thị Mỹ Hảo", "Đinh Thị Anh", "Nguyễn Văn Thủy"}


@pytest.mark.parametrize(("person", "org", "role"), [
    ("Đinh Thị Mỹ Hảo", HU, "phó bí thư"),
    ("Đinh Thị Mỹ Hảo", BCD, "trưởng"),
    ("Đinh Thị Anh", BDV_HU, "trưởng"),
    ("Đinh Thị Anh", MTTQ, "chủ tịch"),
    ("Đinh Thị Anh", BTV_HU, "ủy viên"),
    ("Nguyễn Văn Thủy", UBND, "phó chủ tịch"),
    ("Nguyễn Văn Thủy", BCD, "phó trưởng"),
    ("Nguyễn Văn Thủy", BTV_HU, "ủy viên"),
])
def test_000_people_and_their_posts(store, person, org, role):
    pid = SCHEMA.node_id("Person", {"scope": KON_RAY, "name": person})
    edges = [e for e in store.edges_of(pid, "out", ["MEMBER_OF"]) if e.target == org]
    assert edges, (person, org)
    assert any(fold(role) in fold(e.props.get("role", "")) for e in edges)


def test_000_district_models_of_2021(store):
    ga = model(store, "Nuôi gà sạch")
    assert ga.props["year"] == 2021
    vuon = model(store, "cải tạo vườn tạp")
    assert vuon.props["year"] == 2021
    assert cited_in(vuon, SRC_000) and cited_in(vuon, SRC_001)
    for m in (ga, vuon):
        assert MTTQ in sources(store, m.id, "SUPPORTS")


def test_000_campaigns_mentioned(store):
    for key in ("toan-dan-doan-ket-xay-dung-ntm", "ca-nuoc-chung-suc-xay-dung-ntm",
                "mot-xa-mot-san-pham", "lam-thay-doi-nep-nghi"):
        assert cited_in(store.get(f"campaign-{key}"), SRC_000), key


# 001: report 86-BC/BCĐ -----------------------------------------------------------------------------
def test_001_report_issuer_signer_period(store):
    report = store.get(BC_86)
    assert report.props["kind_code"] == "BC"
    assert report.props["period_from"] == "2023-01-01"
    assert report.props["period_until"] == "2023-03-31"
    assert sources(store, BC_86, "ISSUES") == {BCD}
    hao = SCHEMA.node_id("Person", {"scope": KON_RAY, "name": "Đinh Thị Mỹ Hảo"})
    assert hao in sources(store, BC_86, "SIGNED")
    assert BC_86 in targets(store, SRC_001, "DOCUMENTS")
    assert {CAMPAIGN, KH_26} <= targets(store, BC_86, "REVIEWS")


@pytest.mark.parametrize(("ref", "scope", "date", "issuer"), [
    ("26-KH/HU", KON_RAY, "2021-04-22", BTV_HU),
    ("75-KH/HU", KON_RAY, "2022-05-05", BTV_HU),
    ("101-KH/HU", KON_RAY, "2023-01-03", BTV_HU),
    ("1172-CV/HU", KON_RAY, "2023-03-06", BTV_HU),
    ("278-TB/HU", KON_RAY, "2022-04-08", BTV_HU),
    ("07-CTrPH-UBND-MTTQ", KON_RAY, "2022-06-15", UBND),
    ("08-KL/TU", KON_TUM, "2021-02-24", BTV_TU),
    ("12-CT/TU", KON_TUM, "2022-02-18", BTV_TU),
    ("13-CT/TU", KON_TUM, "2022-03-18", BTV_TU),
])
def test_001_directives_cited_with_date_and_issuer(store, ref, scope, date, issuer):
    did = directive(ref, scope)
    node = store.get(did)
    assert node is not None, ref
    assert node.props["date"] == date
    assert issuer in sources(store, did, "ISSUES")
    assert cited_in(node, SRC_001)


def test_001_implementation_links(store):
    assert "directive-province-62-08-kl-tu" in targets(store, KH_26, "IMPLEMENTS")
    assert CAMPAIGN in targets(store, KH_26, "IMPLEMENTS")
    assert "directive-province-62-13-ct-tu" in targets(store, directive("75-KH/HU"), "IMPLEMENTS")
    # the joint programme is issued by UBND and the Fatherland Front together
    assert MTTQ in sources(store, directive("07-CTrPH-UBND-MTTQ"), "ISSUES")


COMMUNE_SPELLINGS = {
    TO_LUNG: ["Đăk Tô Lung", "Đăk Tơ Lung"], RUONG: ["Đăk Rưởng", "Đăk Ruồng", "Đăk Ruông"],
    TO_RE: ["Đăk Tô Re", "Đăk Tơ Re"], PNE: ["Đăk Pnê"], KOI: ["Đăk Kôi"], RVE: ["Đăk Rve"],
    TAN_LAP: ["Tân Lập"],
}


@pytest.mark.parametrize(("commune", "spellings"), sorted(COMMUNE_SPELLINGS.items()))
def test_communes_keep_document_spellings(store, commune, spellings):
    node = store.get(commune)
    assert targets(store, commune, "PART_OF") == {KON_RAY}
    aliases = {fold(a) for a in node.props.get("aliases", [])} | {fold(node.props["name"])}
    for spelling in spellings:
        assert any(fold(spelling) in a for a in aliases), spelling


VILLAGES_001 = [  # (commune, name as the document writes it, number)
    (TO_LUNG, "Thôn 4", 4), (KOI, "Thôn Kon Đó", None), (RUONG, "Thôn 9", 9),
    (TO_RE, "Thôn Đăk Ônglăng", None), (TO_RE, "Thôn Đăk O Nglăng", None),
    (RUONG, "Thôn 10 Làng Kon Skôi", 10), (RVE, "Thôn 4", 4), (PNE, "Thôn 2", 2),
    (TO_LUNG, "Thôn 7", 7), (PNE, "Thôn 1", 1), (TO_LUNG, "Thôn 5 Kôn Vi Vàng", 5),
    (RVE, "Thôn 5", 5), (TAN_LAP, "Thôn 5", 5), (KOI, "Thôn 4", 4),
    (TO_RE, "Thôn Đăk Puih", None), (KOI, "Thôn 5 Ngọc Răng – Nhân Liễu", 5), (PNE, "Thôn 3", 3),
]


@pytest.mark.parametrize(("commune", "name", "number"), VILLAGES_001)
def test_001_villages(store, commune, name, number):
    v = village(store, commune, name)
    assert targets(store, v.id, "PART_OF") == {commune}
    if number is not None:
        assert v.props.get("number") == number


def test_001_one_village_for_both_spellings_of_dak_onglang(store):
    assert village(store, TO_RE, "Thôn Đăk Ônglăng").id == village(store, TO_RE, "Thôn Đăk O Nglăng").id
    assert village(store, RUONG, "Thôn 10").id == village(store, RUONG, "Thôn 10 Làng Kon Skôi").id


MODELS_001 = [  # (model name fragment, owning unit, [(commune, village)], field, effective)
    ("Nhà vườn kiểu mẫu", BCD, [(TO_LUNG, "Thôn 4")], "kinh tế", None),
    ("Vệ sinh môi trường và cải tạo vườn tạp", MTTQ, [(KOI, "Thôn Kon Đó")], None, None),
    ("Tăng gia sản xuất hộ gia đình", MTTQ, [(RUONG, "Thôn 9")], "kinh tế", None),
    ("Nuôi heo bản địa", LHPN, [(TO_RE, "Thôn Đăk Ônglăng"), (RUONG, "Thôn 10")], "kinh tế", None),
    ("Trồng nấm", LHPN, [(RVE, "Thôn 4")], "kinh tế", None),
    ("Xóa bỏ hủ tục lạc hậu", CCB, [(PNE, "Thôn 2")], "văn hóa - xã hội", None),
    ("Trồng cỏ voi nuôi bò", unit("Hội Cựu chiến binh xã Đăk Kôi", KOI),
     [(KOI, "Thôn 5 Ngọc Răng – Nhân Liễu")], "kinh tế", False),
    ("Trồng chuối", unit("Mặt trận - Đoàn thể thị trấn Đăk Rve", RVE), [(RVE, "Thôn 5")], "kinh tế", False),
    ("Câu lạc bộ không sinh con thứ 3", PHONG_Y_TE, [(PNE, "Thôn 3")], "văn hóa - xã hội", False),
    ("Nuôi heo đen", HUYEN_DOAN, [(TO_RE, "Thôn Đăk O Nglăng")], "kinh tế", False),
]


@pytest.mark.parametrize(("fragment", "owner", "places", "field", "effective"), MODELS_001)
def test_001_models_units_villages_and_assessment(store, fragment, owner, places, field, effective):
    m = model(store, fragment)
    assert owner in sources(store, m.id, "SUPPORTS"), (fragment, owner)
    located = targets(store, m.id, "LOCATED_IN")
    for commune, name in places:
        v = village(store, commune, name)
        assert v.id in located, (fragment, name)
        # the unit is recorded as helping that village, under the campaign plan
        assignments = [a for a in store.nodes("Assignment")
                       if a.props["unit"] == owner and a.props["target"] == v.id]
        assert assignments, (fragment, owner, name)
        assert any(a.props.get("plan") == KH_26 for a in assignments)
    if field:
        assert m.props.get("field") == field
    if effective is False:
        assert m.props.get("effective") is False
        assert m.props.get("assessment")
    assert KH_26 in targets(store, m.id, "REGISTERED_UNDER")


def test_001_models_of_2023_are_dated(store):
    for fragment in ("Tăng gia sản xuất hộ gia đình", "Nuôi heo bản địa", "Trồng nấm",
                     "Xóa bỏ hủ tục lạc hậu"):
        assert model(store, fragment).props.get("year") == 2023, fragment


def test_001_police_model_for_released_prisoners(store):
    m = model(store, "mãn hạn tù")
    assert CONG_AN in sources(store, m.id, "SUPPORTS")
    assert m.props.get("households") == 2


def test_001_radio_topics_are_models(store):
    for fragment in ("Tiết kiệm vay vốn nuôi gà, lợn", "Hồ Thị Xuân", "Chối đốt", "Nuôi heo láng"):
        assert cited_in(model(store, fragment), SRC_001), fragment


PEOPLE_001 = [  # (name, commune, village)
    ("A Phai", TO_LUNG, "Thôn 7"), ("A Phát", PNE, "Thôn 1"),
    ("A Loang", TO_LUNG, "Thôn 5 Kôn Vi Vàng"), ("A Ngát", RVE, "Thôn 5"),
    ("Phạm Văn Dũng", TAN_LAP, "Thôn 5"), ("A Châm", RUONG, "Thôn 10 Làng Kon Skôi"),
    ("Y Văn", KOI, "Thôn 4"), ("Y Thoanh", TO_RE, "Thôn Đăk Puih"),
]


@pytest.mark.parametrize(("name", "commune", "village_name"), PEOPLE_001)
def test_001_exemplary_people_in_their_villages(store, name, commune, village_name):
    v = village(store, commune, village_name)
    pid = SCHEMA.node_id("Person", {"scope": v.id, "name": name})
    person = store.get(pid)
    assert person is not None, name
    assert person.props.get("roles")


def test_001_hamlet_party_cells_and_front_committees(store):
    a_phat = SCHEMA.node_id("Person", {"scope": village(store, PNE, "Thôn 1").id, "name": "A Phát"})
    cell = store.get(next(iter(targets(store, a_phat, "MEMBER_OF"))))
    assert cell.label == "PartyBody" and "chi bo thon 1" in fold(cell.props["name"])
    a_phai = SCHEMA.node_id("Person", {"scope": village(store, TO_LUNG, "Thôn 7").id, "name": "A Phai"})
    front = store.get(next(iter(targets(store, a_phai, "MEMBER_OF"))))
    assert "ban cong tac mat tran thon 7" in fold(front.props["name"])


def test_001_units_that_reported_on_targets(store):
    """Footnote (9): the 07 units that reported."""
    for short, scope in [("Trung tâm GDNN-GDTX", KON_RAY), ("Phòng LĐTĐ&XH", KON_RAY),
                         ("UBND xã Tân Lập", TAN_LAP), ("UBND xã Đăk Pnê", PNE),
                         ("Phòng Thanh tra", KON_RAY), ("Phòng GD&ĐT", KON_RAY),
                         ("Trung tâm DVNN", KON_RAY)]:
        found = [u for u in store.nodes("Unit")
                 if u.props["scope"] == scope and fold(short) in names(u)]
        assert len(found) == 1, short
        assert cited_in(found[0], SRC_001)


FIGURES_001 = [  # (value, total, words that must appear in `what`)
    (105, None, "buổi tuyên truyền"), (8542, None, "lượt người"),
    (8, None, "tin"), (5, None, "bài"), (7, None, "xe lưu động"),
    (17, None, "mô hình năm 2022"), (7, 7, "sơ kết 02 năm"), (7, None, "đơn vị"),
    (2, None, "nuôi heo"),
]


@pytest.mark.parametrize(("value", "total", "words"), FIGURES_001)
def test_001_figures(store, value, total, words):
    stats = [s for s in store.nodes("Statistic") if s.props["document"] == SRC_001]
    match = [s for s in stats if s.props["value"] == value and s.props.get("total") == total
             and fold(words) in fold(s.props["what"])]
    assert match, (value, total, words)
    assert all(s.props.get("period") == "quý I/2023" for s in match)


def test_001_figures_count(store):
    stats = [s for s in store.nodes("Statistic") if s.props["document"] == SRC_001]
    assert len(stats) >= 12


def test_001_planned_events(store):
    events = {e.props["name"]: e for e in store.nodes("Event") if cited_in(e, SRC_001)}
    youth = [e for n, e in events.items() if "ra quan thang thanh nien" in fold(n)]
    assert youth and targets(store, youth[0].id, "HELD_AT") == {PNE}
    assert HUYEN_DOAN in sources(store, youth[0].id, "ORGANISED")
    check = [e for n, e in events.items() if "kiem tra" in fold(n)]
    assert check and check[0].props.get("planned") is True
    assert check[0].props["date"].startswith("2023-05")


# 002: the 2024 plan of UBND huyện -------------------------------------------------------------------
def _plan_2024(store) -> Node:
    found = [d for d in store.nodes("Directive") if d.id in targets(store, SRC_002, "DOCUMENTS")]
    assert len(found) == 1
    return found[0]


def test_002_plan_issuer_signer_period(store):
    plan = _plan_2024(store)
    assert sources(store, plan.id, "ISSUES") == {UBND}
    assert plan.props["kind_code"] == "KH"
    assert plan.props["period_from"] == "2024-01-01" and plan.props["period_until"] == "2024-12-31"
    thu = SCHEMA.node_id("Person", {"scope": KON_RAY, "name": "Đinh Thị Hồng Thu"})
    assert thu in sources(store, plan.id, "SIGNED")
    assert UBND in targets(store, thu, "MEMBER_OF")
    assert CAMPAIGN in targets(store, plan.id, "IMPLEMENTS")


def test_002_based_on_lines(store):
    plan = _plan_2024(store)
    based = targets(store, plan.id, "BASED_ON")
    dean = directive("Đề án Cuộc vận động 2021-2025")
    assert {KH_26, dean, directive("118-KH/BCĐ"), directive("119-KH/BCĐ")} <= based
    for ref in ("118-KH/BCĐ", "119-KH/BCĐ"):
        node = store.get(directive(ref))
        assert node.props["date"] == "2024-01-09"
        assert sources(store, node.id, "ISSUES") == {BCD}


def test_002_scheme_and_its_decision(store):
    dean = store.get(directive("Đề án Cuộc vận động 2021-2025"))
    assert dean.props["kind_code"] == "ĐA"
    assert dean.props["period_from"] == "2021-01-01" and dean.props["period_until"] == "2025-12-31"
    qd = store.get(directive("37-QĐ/BCĐ"))
    assert qd.props["date"] == "2021-01-27"
    assert sources(store, qd.id, "ISSUES") == {BCD}
    assert qd.id in targets(store, dean.id, "BASED_ON")


TARGETS_002 = [(100, "="), (77, ">="), (50, ">="), (30, ">="), (24, ">"), (6.59, ">="),
               (4.95, ">="), (1, ">=")]


@pytest.mark.parametrize(("value", "comparator"), TARGETS_002)
def test_002_targets(store, value, comparator):
    plan = _plan_2024(store)
    found = [t for t in store.nodes("Target") if t.props["plan"] == plan.id
             and t.props.get("value") == value]
    assert found, value
    assert all(t.props.get("comparator") == comparator and t.props.get("year") == 2024 for t in found)


def test_002_three_targets_at_100_percent(store):
    plan = _plan_2024(store)
    assert len([t for t in store.nodes("Target")
                if t.props["plan"] == plan.id and t.props.get("value") == 100]) == 3


@pytest.mark.parametrize(("date", "place"), [
    ("2024-01-01", TO_RE), ("2024-04-01", RUONG), ("2024-07-01", PNE), ("2024-10-01", KON_RAY),
])
def test_002_planned_quarterly_meetings(store, date, place):
    found = [e for e in store.nodes("Event") if e.props["date"] == date
             and "giao ban" in fold(e.props["name"]) and cited_in(e, SRC_002)]
    assert len(found) == 1, date
    assert found[0].props.get("planned") is True
    assert targets(store, found[0].id, "HELD_AT") == {place}


def test_002_study_visit_to_the_model_garden(store):
    garden = model(store, "Nhà vườn kiểu mẫu")
    assert cited_in(garden, SRC_002)
    thon4 = village(store, TO_LUNG, "Thôn 4")
    visits = [e for e in store.nodes("Event") if "tham quan" in fold(e.props["name"])
              and thon4.id in targets(store, e.id, "HELD_AT")]
    assert visits and visits[0].props.get("planned") is True


def test_002_offices_named(store):
    assert cited_in(store.get(unit("Phòng Dân tộc huyện Kon Rẫy")), SRC_002)
    assert cited_in(store.get(unit("Phòng Tài chính - Kế hoạch huyện Kon Rẫy")), SRC_002)
    assert cited_in(store.get(directive("37-QĐ/BCĐ")), SRC_002)
