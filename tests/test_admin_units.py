"""Official administrative units (loaders/reference/admin_units.py): lookups, 2025 successors, graph."""

from __future__ import annotations

import socket
import subprocess
import sys
import timeit
import unicodedata

import pytest

from danvan.errors import AmbiguousError, NotFoundError
from danvan.graph.schema import load_schema
from danvan.loaders.reference.admin_units import AdminUnits, Commune, admin_units
from danvan.text import fold

KON_RAY = {
    "23479": "Thị trấn Đăk Rve",
    "23482": "Xã Đăk Kôi",
    "23485": "Xã Đăk Tơ Lung",
    "23488": "Xã Đăk Ruồng",
    "23491": "Xã Đăk Pne",
    "23494": "Xã Đăk Tờ Re",
    "23497": "Xã Tân Lập",
}


@pytest.fixture(scope="module")
def units() -> AdminUnits:
    return admin_units()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection or resolve a name fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


# --- the units themselves ---------------------------------------------------


def test_kon_ray_has_its_seven_official_communes(units: AdminUnits) -> None:
    district = units.district("Kon Rẫy", province="Kon Tum")
    communes = units.communes(district)
    assert {c.code: c.name for c in communes} == KON_RAY
    assert district.name == "Huyện Kon Rẫy"
    assert district.kind == "Huyện"
    assert units.province(district.province_code).name == "Tỉnh Kon Tum"
    assert all(c.district_code == district.code and c.province_code == "62" for c in communes)
    assert {c.kind for c in communes} == {"Xã", "Thị trấn"}
    assert units.commune("23479").short_name == "Đăk Rve"


def test_kon_tum_districts_and_commune_counts(units: AdminUnits) -> None:
    districts = {d.short_name: d for d in units.districts("Kon Tum")}
    assert len(districts) == 10
    assert {"Kon Rẫy", "Kon Plông", "Tu Mơ Rông", "Đắk Glei"} <= set(districts)
    assert sum(len(units.communes(d)) for d in districts.values()) == len(
        units.communes(province="Kon Tum"))
    assert all(c.province_code == "62" for c in units.communes(province="Kon Tum"))


def test_all_communes_is_national_and_unique(units: AdminUnits) -> None:
    communes = units.all_communes()
    assert len(communes) > 10_000
    assert len({c.code for c in communes}) == len(communes)
    assert len(units.provinces()) == 63
    assert len(units.provinces("2025")) == 34
    assert all(c.era == "legacy" and c.district_code for c in communes)


# --- name resolution ----------------------------------------------------------


@pytest.mark.parametrize(("text", "code"), [
    ("Đăk Tô Lung", "23485"),
    ("Đăk Tơ Lung", "23485"),
    ("xã Đăk Tô Lung", "23485"),
    ("Đăk Pnê", "23491"),
    ("Đăk Rưởng", "23488"),
    ("Xã Đăk Rưởng", "23488"),
    ("Đăk Ruông", "23488"),
    ("dak ruong", "23488"),
    ("DAK RUONG", "23488"),
    ("Đăk Tô Re", "23494"),
    ("Đăk Tơ Re", "23494"),
    ("thị trấn Đăk Rve", "23479"),
    ("Tân Lập", "23497"),
])
def test_document_spellings_resolve_to_the_official_commune(
        units: AdminUnits, text: str, code: str) -> None:
    commune = units.commune(text, district="Kon Rẫy", province="Kon Tum")
    assert (commune.code, commune.name) == (code, KON_RAY[code])


@pytest.mark.parametrize("district", ["614", 614, "huyện Kon Rẫy", "KON RAY", "Kon Rầy"])
def test_district_scope_accepts_codes_and_names(units: AdminUnits, district: object) -> None:
    assert units.commune("Đăk Rưởng", district=district).code == "23488"


@pytest.mark.parametrize(("text", "code"), [
    ("Đăk Ruồn", "23488"),     # dropped letter
    ("Dak To Lng", "23485"),   # dropped letter, no accents
    ("Tân Lậpp", "23497"),     # doubled letter
    ("Đắk Kôy", "23482"),      # i/y
])
def test_typos_resolve_by_fuzzy_match(units: AdminUnits, text: str, code: str) -> None:
    assert units.commune(text, district="Kon Rẫy").code == code


def test_nfd_input_resolves(units: AdminUnits) -> None:
    text = unicodedata.normalize("NFD", "Xã Đăk Ruồng")
    assert text != "Xã Đăk Ruồng"
    district = unicodedata.normalize("NFD", "Huyện Kon Rẫy")
    assert units.commune(text, district=district).code == "23488"


def test_accent_free_upper_case_resolves(units: AdminUnits) -> None:
    assert units.commune("XA DAK TO LUNG", district="KON RAY", province="KON TUM").code == "23485"
    assert units.province("TINH KON TUM").code == "62"


def test_codes_resolve_with_or_without_leading_zeros(units: AdminUnits) -> None:
    assert units.commune("23488") == units.commune(23488) == units.commune("Đăk Ruồng",
                                                                           district="614")
    assert units.commune("526").code == "00526"
    assert units.province("1").code == "01"


def test_every_commune_resolves_by_code_name_and_folded_name(units: AdminUnits) -> None:
    for commune in units.all_communes():
        assert units.commune(commune.code) is commune
        assert units.commune(commune.name, district=commune.district_code) is commune
        folded = fold(commune.name).upper()
        try:
            found = units.commune(folded, district=commune.district_code)
        except AmbiguousError as exc:  # e.g. Sa Pa / Sa Pả: accents were the difference
            assert commune.code in {c["code"] for c in exc.candidates}
        else:
            assert found is commune


def test_accents_decide_when_the_text_has_them(units: AdminUnits) -> None:
    scope = {"district": "Sa Pa", "province": "Lào Cai"}
    assert units.commune("Phường Sa Pả", **scope).name == "Phường Sa Pả"
    with pytest.raises(AmbiguousError) as err:
        units.commune("SA PA", **scope)
    assert {c["name"] for c in err.value.candidates} == {"Phường Sa Pa", "Phường Sa Pả"}


def test_exact_folded_match_beats_a_close_fuzzy_one(units: AdminUnits) -> None:
    scope = {"district": "Bắc Từ Liêm", "province": "Hà Nội"}
    assert units.commune("Phu Dien", **scope).name == "Phường Phú Diễn"
    assert units.commune("Phuc Dien", **scope).name == "Phường Phúc Diễn"


def test_fuzzy_match_must_beat_the_runner_up(units: AdminUnits) -> None:
    with pytest.raises(AmbiguousError) as err:
        units.commune("Cổ Nhuế", district="Bắc Từ Liêm", province="Hà Nội")
    assert {c["name"] for c in err.value.candidates} == {"Phường Cổ Nhuế 1", "Phường Cổ Nhuế 2"}


def test_type_word_separates_same_named_units(units: AdminUnits) -> None:
    assert units.commune("thị trấn Yên Viên", province="Hà Nội").kind == "Thị trấn"
    assert units.commune("xã Yên Viên", province="Hà Nội").kind == "Xã"
    with pytest.raises(AmbiguousError):
        units.commune("Yên Viên", province="Hà Nội")


def test_unknown_name_raises_not_found_naming_input_and_scope(units: AdminUnits) -> None:
    with pytest.raises(NotFoundError) as err:
        units.commune("Đăk Xyz", district="Kon Rẫy", province="Kon Tum")
    assert str(err.value) == "no commune matches 'Đăk Xyz' in huyện Kon Rẫy"


def test_commune_outside_the_given_district_is_not_found(units: AdminUnits) -> None:
    # Not fuzzily "Đăk Rong" of Kbang: Đăk Ruồng is a real commune elsewhere.
    with pytest.raises(NotFoundError, match="Xã Đăk Ruồng, Huyện Kon Rẫy, Tỉnh Kon Tum"):
        units.commune("Đăk Ruồng", district="Kbang", province="Gia Lai")
    assert units.commune("Đăk Roong", district="Kbang", province="Gia Lai").name == "Xã Đăk Rong"
    with pytest.raises(NotFoundError):
        units.commune("23488", district="Kbang", province="Gia Lai")


def test_common_name_without_district_is_ambiguous(units: AdminUnits) -> None:
    with pytest.raises(AmbiguousError) as err:
        units.commune("Nghĩa An")
    candidates = err.value.candidates
    assert len(candidates) >= 2
    assert all(set(c) == {"code", "name", "district", "province"} for c in candidates)
    assert {"code": "23662", "name": "Xã Nghĩa An", "district": "Huyện KBang",
            "province": "Tỉnh Gia Lai"} in candidates


def test_kbang_communes_resolve(units: AdminUnits) -> None:
    kbang = units.district("Kbang", province="Gia Lai")
    assert kbang.name == "Huyện KBang"
    assert units.province(kbang.province_code).name == "Tỉnh Gia Lai"
    dong = units.commune("xã Đông", district="Kbang", province="Gia Lai")
    nghia_an = units.commune("Nghĩa An", district=kbang)
    assert (dong.name, nghia_an.name) == ("Xã Đông", "Xã Nghĩa An")
    assert dong.district_code == nghia_an.district_code == kbang.code


def test_provinces_by_name_alias_and_era(units: AdminUnits) -> None:
    assert units.province("Thừa Thiên Huế").name == "Thành phố Huế"
    assert units.province("TP HCM").name == "Thành phố Hồ Chí Minh"
    assert units.province("Quảng Ngãi", era="2025").era == "2025"
    with pytest.raises(NotFoundError, match="Tỉnh Kon Tum is a legacy province"):
        units.province("Kon Tum", era="2025")


def test_2025_communes_have_no_district(units: AdminUnits) -> None:
    with pytest.raises(ValueError, match="no district"):
        units.commune("Kon Braih", district="Kon Rẫy", era="2025")
    communes = units.communes(province="Quảng Ngãi", era="2025")
    assert communes and all(c.district_code is None and c.era == "2025" for c in communes)


# --- 2025 successors ------------------------------------------------------------


def test_successor_of_dak_to_lung_is_in_quang_ngai(units: AdminUnits, no_network: None) -> None:
    successor = units.successor("23485")
    assert not successor.divided
    assert successor.commune is not None
    assert successor.candidates == [successor.commune]
    assert successor.commune.era == "2025"
    assert successor.province.name == "Tỉnh Quảng Ngãi"
    assert successor.province.era == "2025"
    assert successor.commune.province_code == successor.province.code
    assert units.commune("23485") in units.predecessors(successor.commune)


def test_every_kon_ray_commune_moves_to_quang_ngai(units: AdminUnits, no_network: None) -> None:
    assert units.province_successor("Kon Tum").name == "Tỉnh Quảng Ngãi"
    for code in KON_RAY:
        assert units.successor(code).province == units.province_successor("62")


def test_kbang_communes_stay_in_gia_lai(units: AdminUnits, no_network: None) -> None:
    for name in ("Đông", "Nghĩa An"):
        successor = units.successor(units.commune(name, district="Kbang", province="Gia Lai"))
        assert successor.province.name == "Tỉnh Gia Lai"
        assert successor.province.era == "2025"


def test_divided_commune_lists_candidates_and_default(units: AdminUnits,
                                                      no_network: None) -> None:
    tra_bui = units.commune("Trà Bùi", district="Trà Bồng", province="Quảng Ngãi")
    successor = units.successor(tra_bui)
    assert successor.divided
    assert {c.name for c in successor.candidates} == {"Xã Cà Đam", "Xã Tây Trà Bồng"}
    assert successor.commune is not None and successor.commune.name == "Xã Cà Đam"


def test_every_legacy_commune_has_a_successor(units: AdminUnits, no_network: None) -> None:
    for commune in units.all_communes():
        successor = units.successor(commune)
        assert successor.candidates
        assert successor.divided == (len(successor.candidates) > 1)
        assert all(c.province_code == successor.province.code for c in successor.candidates)


def test_successor_of_a_2025_commune_is_refused(units: AdminUnits) -> None:
    new = units.successor("23485").commune
    assert isinstance(new, Commune)
    with pytest.raises(ValueError):
        units.successor(new)


# --- graph records --------------------------------------------------------------


def test_graph_records_pass_the_schema(units: AdminUnits, no_network: None) -> None:
    schema = load_schema()
    tra_bui = units.commune("Trà Bùi", district="Trà Bồng", province="Quảng Ngãi").code
    nodes, edges = units.graph_records([*KON_RAY, "23488", tra_bui])
    by_id = {n.id: n for n in nodes}
    assert len(by_id) == len(nodes), "nodes are deduplicated"
    for node in nodes:
        assert schema.check_node(node) == node
        for ref in schema.ref_edges(node):
            assert ref.target in by_id, f"{node.id} points at a missing {ref.target}"
    assert {"province-62", "district-614", "commune-23488", "province-2025-51"} <= set(by_id)
    assert by_id["commune-23488"].props["aliases"] == ["Đăk Ruồng"]
    assert by_id["commune-23488"].props["district"] == "district-614"
    assert by_id["province-62"].props["era"] == "legacy"
    new = units.successor("23488").commune
    assert new is not None
    new_node = by_id[f"commune-2025-{new.code}"]
    assert new_node.props["province"] == "province-2025-51"
    assert "district" not in new_node.props
    assert new_node.props["era"] == "2025"
    keys = [e.key for e in edges]
    assert len(keys) == len(set(keys)), "edges are deduplicated"
    for edge in edges:
        assert edge.type == "SUCCEEDED_BY"
        assert edge.source in by_id and edge.target in by_id
        schema.check_edge(edge, by_id[edge.source].label, by_id[edge.target].label)
    assert f"commune-23488|SUCCEEDED_BY|commune-2025-{new.code}" in keys
    assert "province-62|SUCCEEDED_BY|province-2025-51" in keys
    divided = [e for e in edges if e.source == f"commune-{tra_bui}"]
    assert len(divided) == len(units.successor(tra_bui).candidates) == 2


def test_loading_and_records_never_touch_the_network(no_network: None) -> None:
    units = AdminUnits()
    nodes, edges = units.graph_records(["23485"])
    assert nodes and edges


def test_module_does_not_import_the_online_converter() -> None:
    code = ("import sys\n"
            "from danvan.loaders.reference.admin_units import admin_units\n"
            "admin_units().graph_records(['23485'])\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('geopy', 'vietnamadminunits', 'shapely')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_lookups_are_fast(units: AdminUnits) -> None:
    per_call = timeit.timeit(lambda: units.commune("Đăk Rưởng", district="614"),
                             number=1000) / 1000
    assert per_call < 0.001
