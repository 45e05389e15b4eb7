"""Completeness of the curated KB for two news articles, checked against a reading of them.

* 003 (baokontum.com.vn): Ban Dân vận Tỉnh ủy Kon Tum reviews Kế hoạch 133-KH/TU on 11/9/2024.
* 004 (Báo Gia Lai): Huyện ủy Kbang reviews 02-CT/HU, 04-CT/HU, 20-QĐ/HU and 413-TB/HU
  on 13/3/2018.

The expected facts below were listed from the articles themselves; each assertion is
something a user of the graph relies on (who issued what, who helps where, what the
figures are).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from danvan.graph.embedded import EmbeddedStore
from danvan.graph.schema import load_schema
from danvan.graph.types import Node
from danvan.loaders.reference.kb import build_kb
from danvan.text import fold

SCHEMA = load_schema()

SRC_003 = SCHEMA.node_id("Source", {"key": "baokontum-2024-09-11-danh-gia-133-kh-tu"})
SRC_004 = SCHEMA.node_id("Source", {"key": "glo-2018-03-13-kbang-so-ket-chi-thi-02-04"})

KON_TUM = "province-62"
GIA_LAI = "province-64"
KBANG = "district-625"
XA_DONG = "commune-23659"
XA_NGHIA_AN = "commune-23662"

BTV_TU = "party-province-62-ban-thuong-vu-tinh-uy-kon-tum"
BDV_TU = "party-province-62-ban-dan-van-tinh-uy-kon-tum"
KH_133 = "directive-province-62-133-kh-tu"


@pytest.fixture(scope="module")
def store() -> Iterator[EmbeddedStore]:
    nodes, edges = build_kb()
    s = EmbeddedStore(":memory:")
    s.write(nodes, edges)
    yield s
    s.close()


# helpers -------------------------------------------------------------------------------

def nid(label: str, **props: str) -> str:
    return SCHEMA.node_id(label, props)


def node(store: EmbeddedStore, node_id: str) -> Node:
    found = store.get(node_id)
    assert found is not None, f"missing {node_id}"
    return found


def out(store: EmbeddedStore, node_id: str, type_: str) -> set[str]:
    return {e.target for e in store.edges_of(node_id, "out", [type_])}


def inn(store: EmbeddedStore, node_id: str, type_: str) -> set[str]:
    return {e.source for e in store.edges_of(node_id, "in", [type_])}


def cited_in(n: Node, source_id: str) -> bool:
    return any(s.startswith(source_id + "#") for s in n.props.get("sources", []))


def stats_of(store: EmbeddedStore, source_id: str) -> list[Node]:
    return [n for n in store.nodes("Statistic") if n.props["document"] == source_id]


def find_stat(store: EmbeddedStore, source_id: str, value: float, *words: str) -> Node:
    hits = [n for n in stats_of(store, source_id)
            if n.props["value"] == value and all(fold(w) in fold(n.props["what"]) for w in words)]
    assert len(hits) == 1, f"{source_id}: want one statistic {value} about {words}, got {hits}"
    return hits[0]


def assignments(store: EmbeddedStore, plan: str) -> list[Node]:
    return [n for n in store.nodes("Assignment") if n.props.get("plan") == plan]


# 003: Kon Tum, Kế hoạch 133-KH/TU -----------------------------------------------------

EVENT_003 = nid("Event", date="2024-09-11",
                name="Hội nghị Đánh giá tình hình triển khai thực hiện Kế hoạch số 133-KH/TU")


def test_003_source(store):
    src = node(store, SRC_003)
    assert src.props["file"] == "003_db0246192f3a320b.txt"
    assert src.props["url"].endswith("danh-gia-tinh-hinh-thuc-hien-ke-hoach-so-133-kh-tu-42830.html")
    assert src.props["author"] == "Hoài Tiến"
    assert "133-KH/TU" in src.props["title"]


def test_003_plan_133(store):
    plan = node(store, KH_133)
    assert plan.props["date"] == "2024-03-14"
    assert plan.props["kind"] == "Kế hoạch"
    assert inn(store, KH_133, "ISSUES") == {BTV_TU}
    assert {"campaign-dan-van-kheo", "campaign-lam-thay-doi-nep-nghi"} <= out(store, KH_133,
                                                                              "IMPLEMENTS")
    assert cited_in(plan, SRC_003)
    for campaign in ("campaign-dan-van-kheo", "campaign-lam-thay-doi-nep-nghi", BTV_TU, BDV_TU):
        assert cited_in(node(store, campaign), SRC_003), campaign


def test_003_conference(store):
    event = node(store, EVENT_003)
    assert cited_in(event, SRC_003)
    assert KH_133 in out(store, EVENT_003, "REVIEWS")
    assert inn(store, EVENT_003, "ORGANISED") == {BDV_TU}
    assert EVENT_003 in out(store, SRC_003, "DOCUMENTS")


def test_003_chair_nguyen_duc_tuy(store):
    tuy = nid("Person", scope=KON_TUM, name="Nguyễn Đức Tuy")
    person = node(store, tuy)
    roles = " | ".join(person.props.get("roles", []))
    assert "Trưởng Ban Dân vận Tỉnh ủy" in roles
    assert "Ủy viên Ban Thường vụ Tỉnh ủy" in roles
    assert inn(store, EVENT_003, "CHAIRED") == {tuy}
    assert {BTV_TU, BDV_TU} <= out(store, tuy, "MEMBER_OF")


# Kon Plông, Tu Mơ Rông, Đăk Glei (official: Đắk Glei): the three districts of the plan.
DISTRICTS_003 = {"613": "Kon Plông", "617": "Tu Mơ Rông", "610": "Đắk Glei"}


@pytest.mark.parametrize("code", sorted(DISTRICTS_003))
def test_003_districts_helped_by_provincial_units(store, code):
    district = node(store, f"district-{code}")
    assert DISTRICTS_003[code] in district.props["name"]
    assert district.props["province"] == KON_TUM
    assert cited_in(district, SRC_003)
    helpers = [a for a in assignments(store, KH_133) if a.props["target"] == f"district-{code}"]
    assert helpers, f"no assignment under 133-KH/TU to district-{code}"
    for a in helpers:
        unit = node(store, a.props["unit"])
        assert unit.props["scope"] == KON_TUM          # provincial agencies, units, enterprises
        assert a.props.get("until") == "2025-12-31"    # "đến năm 2025"
        assert cited_in(a, SRC_003)


def test_003_district_party_committees_attended(store):
    attendees = inn(store, EVENT_003, "ATTENDED")
    for code in DISTRICTS_003:
        committees = [i for i in attendees
                      if (n := store.get(i)) and n.label == "PartyBody"
                      and n.props["scope"] == f"district-{code}"
                      and n.props.get("kind") == "Huyện ủy"]
        assert committees, f"Huyện ủy of district-{code} did not attend"


def test_003_border_guard_party_committee(store):
    bodies = [n for n in store.nodes("PartyBody")
              if n.props["scope"] == KON_TUM and "Biên phòng" in n.props["name"]
              and cited_in(n, SRC_003)]
    assert len(bodies) == 1


# (value, total, category, words in `what`) as the article states them.
FIGURES_003 = [
    (55, None, None, ("tổ",)),
    (52, 58, None, ("kế hoạch",)),
    (48, 58, None, ("đăng ký",)),
    (82, None, None, ("mô hình",)),
    (39, 82, "kinh tế", ("mô hình",)),
    (32, 82, "văn hóa - xã hội", ("mô hình",)),
    (9, 82, "quốc phòng - an ninh", ("mô hình",)),
    (2, 82, "xây dựng hệ thống chính trị", ("mô hình",)),
    (468, None, None, ("hộ",)),
    (17, None, None, ("nhà tạm",)),
    (48, None, None, ("bóng đèn",)),
    (6, None, None, ("vệ sinh",)),
    (311, None, None, ("cấp huyện",)),
    (313, None, None, ("thôn",)),
    (61, None, None, ("xã",)),
    (16, None, None, ("đồn biên phòng",)),
]


@pytest.mark.parametrize(("value", "total", "category", "words"), FIGURES_003)
def test_003_figures(store, value, total, category, words):
    stat = find_stat(store, SRC_003, value, *words)
    assert stat.props.get("total") == total
    assert stat.props.get("category") == category
    assert stat.props.get("about") == KH_133
    assert out(store, stat.id, "MEASURES") == {KH_133}
    assert out(store, stat.id, "REPORTED_IN") == {SRC_003}


# 004: Kbang, Gia Lai --------------------------------------------------------------------

HU_KBANG = nid("PartyBody", scope=KBANG, name="Huyện ủy Kbang")
BTV_KBANG = nid("PartyBody", scope=KBANG, name="Ban Thường vụ Huyện ủy Kbang")
CT02 = nid("Directive", scope=KBANG, ref="02-CT/HU")
CT04 = nid("Directive", scope=KBANG, ref="04-CT/HU")
QD20 = nid("Directive", scope=KBANG, ref="20-QĐ/HU")
TB413 = nid("Directive", scope=KBANG, ref="413-TB/HU")
EVENT_004_DATE = "2018-03-13"


def test_004_places(store):
    assert "Gia Lai" in node(store, GIA_LAI).props["name"]
    kbang = node(store, KBANG)
    assert fold("Kbang") in fold(kbang.props["name"])
    assert kbang.props["province"] == GIA_LAI
    for code, name in ((XA_DONG, "Xã Đông"), (XA_NGHIA_AN, "Xã Nghĩa An")):
        commune = node(store, code)
        assert commune.props["name"] == name
        assert commune.props["district"] == KBANG
        assert cited_in(commune, SRC_004)


def test_004_party_bodies(store):
    assert node(store, HU_KBANG).props["scope"] == KBANG
    assert node(store, BTV_KBANG).props["parent"] == HU_KBANG
    for scope, name in ((XA_DONG, "Đảng ủy xã Đông"), (XA_NGHIA_AN, "Đảng ủy xã Nghĩa An")):
        assert node(store, nid("PartyBody", scope=scope, name=name)).props["kind"] == "Đảng ủy"


@pytest.mark.parametrize(("directive", "ref", "kind"), [
    (CT02, "02-CT/HU", "Chỉ thị"), (CT04, "04-CT/HU", "Chỉ thị"),
    (QD20, "20-QĐ/HU", "Quyết định"), (TB413, "413-TB/HU", "Thông báo")])
def test_004_directives_scoped_to_kbang(store, directive, ref, kind):
    d = node(store, directive)
    assert d.props["ref"] == ref
    assert d.props["kind"] == kind
    assert d.props["scope"] == KBANG
    assert cited_in(d, SRC_004)
    assert inn(store, directive, "ISSUES") <= {HU_KBANG, BTV_KBANG}


def test_004_numbers_not_confused_with_other_districts(store):
    # 02-CT/HU, 04-CT/HU … exist in many districts: the article's ones are Kbang's.
    for d in store.nodes("Directive"):
        if cited_in(d, SRC_004):
            assert d.props["scope"] == KBANG, d.id


def test_004_stated_issuers_and_periods(store):
    assert inn(store, CT02, "ISSUES") == {BTV_KBANG}   # "của Ban Thường vụ Huyện ủy"
    assert inn(store, QD20, "ISSUES") == {BTV_KBANG}   # "Quyết định số 20 của Ban Thường vụ"
    qd20 = node(store, QD20).props
    assert (qd20["period_from"], qd20["period_until"]) == ("2015-01-01", "2020-12-31")
    tb413 = node(store, TB413).props
    assert (tb413["period_from"], tb413["period_until"]) == ("2017-01-01", "2017-12-31")


def test_004_campaigns(store):
    assert "campaign-dan-van-kheo" in out(store, CT04, "IMPLEMENTS")
    names = [node(store, c).props["name"] for c in out(store, CT02, "IMPLEMENTS")]
    assert any("từng bước vươn lên thoát nghèo bền vững" in n for n in names)


def test_004_conference(store):
    events = [e for e in store.nodes("Event")
              if e.props["date"] == EVENT_004_DATE and cited_in(e, SRC_004)]
    assert len(events) == 1
    event = events[0].id
    assert {CT02, CT04, QD20, TB413} <= out(store, event, "REVIEWS")
    assert inn(store, event, "ORGANISED") == {HU_KBANG}
    assert event in out(store, SRC_004, "DOCUMENTS")


def test_004_poor_household_assignments_413(store):
    found = assignments(store, TB413)
    assert {a.props["target"] for a in found} == {XA_DONG, XA_NGHIA_AN}
    units = {a.props["unit"] for a in found}
    assert len(units) == 2          # 58 district units and 8 units under the commune committees
    for a in found:
        assert (a.props["from"], a.props["until"]) == ("2017-01-01", "2017-12-31")
        assert node(store, a.props["unit"]).props["scope"] == KBANG
        assert a.props["unit"] in inn(store, a.props["target"], "SUPPORTS")


def test_004_decision_20_assignments(store):
    found = assignments(store, QD20)
    assert found
    for a in found:
        assert (a.props["from"], a.props["until"]) == ("2015-01-01", "2020-12-31")
        assert a.props["target"] == KBANG or a.props["target"].startswith("commune-")


def test_004_model_trun_que(store):
    models = [m for m in store.nodes("Model")
              if "trùn quế" in m.props["name"] and cited_in(m, SRC_004)]
    assert len(models) == 1
    assert models[0].props.get("field") == "kinh tế"


FIGURES_004 = [
    (678, None, None, CT02, ("hộ",)),
    (952, None, None, CT02, ("hộ nghèo",)),
    (53, None, None, CT02, ("mô hình",)),
    (29, 53, None, CT02, ("giảm nghèo",)),
    (23, None, "kinh tế", CT04, ("mô hình",)),
    (8, None, "văn hóa - xã hội", CT04, ("mô hình",)),
    (4, None, "quốc phòng - an ninh", CT04, ("mô hình",)),
    (2, None, "xây dựng hệ thống chính trị", CT04, ("mô hình",)),
    (58, None, None, TB413, ("cơ quan",)),
    (8, None, None, TB413, ("trực thuộc",)),
    (123, None, None, TB413, ("hộ nghèo",)),
    (420757000, None, None, TB413, ("giá trị",)),
    (19, None, None, None, ("tập thể",)),
    (7, None, None, None, ("cá nhân",)),
]


@pytest.mark.parametrize(("value", "total", "category", "about", "words"), FIGURES_004)
def test_004_figures(store, value, total, category, about, words):
    stat = find_stat(store, SRC_004, value, *words)
    assert stat.props.get("total") == total
    assert stat.props.get("category") == category
    assert stat.props.get("about") == about
    assert stat.props.get("area") == KBANG
