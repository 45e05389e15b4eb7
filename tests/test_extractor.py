"""The extractor finds numbers, places, villages, models and relations, with NFC offsets."""

from __future__ import annotations

import unicodedata

import pytest

from danvan.loaders.documents.extractor import Extractor
from danvan.loaders.documents.patterns import find_numbers
from danvan.loaders.reference.gazetteer import Gazetteer


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(Gazetteer())


@pytest.mark.parametrize("written, canonical", [
    ("08-KL/TU", "08-KL/TU"), ("86-BC/BCĐ", "86-BC/BCĐ"), ("1172-CV/HU", "1172-CV/HU"),
    ("123/KH-UBND", "123/KH-UBND"), ("07-CTrPH-UBND-MTTQ", "07-CTrPH-UBND-MTTQ"),
    ("26 - KH/HU", "26-KH/HU"), ("45/2023/QĐ-UBND", "45/2023/QĐ-UBND")])
def test_both_number_styles_are_found_and_normalised(written: str, canonical: str) -> None:
    assert [n.canonical for n in find_numbers(f"theo số {written}, ngày")] == [canonical]


def test_fractions_and_dates_are_not_document_numbers() -> None:
    assert find_numbers("có 52/58 cơ quan, ngày 22/4/2021, giai đoạn 2021-2025") == []


def test_reference_carries_kind_date_and_issuer(extractor: Extractor) -> None:
    text = "Thực hiện Kế hoạch số 26-KH/HU, ngày 22/4/2021 của Ban Thường vụ Huyện ủy Kon Rẫy."
    result = extractor.extract(text)
    d = next(m for m in result.mentions if m.type == "directive")
    assert d.attributes["kind"] == "Kế hoạch" and d.attributes["date"] == "2021-04-22"
    assert d.attributes["issuer"] == "Ban Thường vụ Huyện ủy Kon Rẫy"
    assert any(r.type == "ISSUES" for r in result.relations)


def test_offsets_index_the_nfc_text_even_for_nfd_input(extractor: Extractor) -> None:
    text = unicodedata.normalize("NFD", "Mô hình nuôi heo tại thôn 4 - xã Đăk Tô Lung.")
    result = extractor.extract(text)
    nfc = unicodedata.normalize("NFC", text)
    assert result.mentions
    assert all(nfc[m.start:m.end] == m.text for m in result.mentions)


def test_village_takes_the_commune_named_after_it(extractor: Extractor) -> None:
    result = extractor.extract("Mô hình trồng nấm tại thôn 4 - xã Đăk Tô Lung.")
    village = next(m for m in result.mentions if m.type == "village")
    assert village.canonical == "Thôn 4, Xã Đăk Tơ Lung"
    assert {r.type for r in result.relations} >= {"LOCATED_IN", "PART_OF"}


def test_same_commune_name_in_two_districts_is_told_apart(extractor: Extractor) -> None:
    result = extractor.extract("tại xã Đăk Long, huyện Đăk Hà và xã Đăk Long, huyện Đăk Glei")
    codes = [m.id for m in result.mentions if m.type == "commune"]
    assert len(set(codes)) == 2


def test_organisation_scope_comes_from_context(extractor: Extractor) -> None:
    result = extractor.extract("Hội LHPN huyện phối hợp tại xã Đăk Ruồng, xã Đăk Pnê.")
    org = next(m for m in result.mentions if m.type == "organisation")
    assert org.canonical == "Hội Liên hiệp Phụ nữ huyện Kon Rẫy"


def test_based_on_links_the_document_to_what_it_cites(extractor: Extractor) -> None:
    text = "Số 12-KH/HU\n\nKẾ HOẠCH\nvề việc X\n\nCăn cứ Kết luận số 08-KL/TU, ngày 24/02/2021;"
    result = extractor.extract(text)
    based = [r for r in result.relations if r.type == "BASED_ON"]
    assert [result.mentions[r.target].canonical for r in based] == ["08-KL/TU"]
    assert result.document["number"] == "12-KH/HU"


def test_year_missing_from_a_date_comes_from_context(extractor: Extractor) -> None:
    result = extractor.extract("Giao ban quý I/2025\n\nThông báo số 278-TB/HU, ngày 08/4 của "
                               "Ban Thường vụ Huyện ủy Kon Rẫy")
    d = next(m for m in result.mentions if m.type == "directive")
    assert d.attributes["date"] == "2025-04-08"


def test_a_2026_text_is_read_in_the_2025_map(extractor: Extractor) -> None:
    text = ("Ngày 12/3/2026, Ban Thường vụ Tỉnh ủy Quảng Ngãi ban hành Kế hoạch số 45-KH/TU "
            "giúp đỡ các thôn của xã Kon Braih, Đăk Kôi.\nBan Thường vụ Tỉnh ủy chỉ đạo.")
    result = extractor.extract(text)
    communes = {m.canonical: m.id for m in result.mentions if m.type == "commune"}
    assert communes == {"Xã Kon Braih": "commune-2025-23497", "Xã Đăk Kôi": "commune-2025-23485"}
    bodies = [m for m in result.mentions if m.type == "organisation"]
    assert [m.canonical for m in bodies] == ["Ban Thường vụ Tỉnh ủy Quảng Ngãi"] * 2
    assert {m.props["scope"] for m in bodies} == {"province-2025-51"}


def test_a_2023_text_reads_the_same_name_in_the_legacy_map(extractor: Extractor) -> None:
    result = extractor.extract("Ngày 05/6/2023, UBND xã Đăk Kôi, huyện Kon Rẫy họp.")
    commune = next(m for m in result.mentions if m.type == "commune")
    assert commune.id == "commune-23482" and commune.attributes["district"] == "614"


def test_an_undated_text_takes_the_map_its_names_fit(extractor: Extractor) -> None:
    # "phường Hải Châu" exists only in the 2025 map (before: quận Hải Châu)
    result = extractor.extract("Đảng ủy phường Hải Châu kết nghĩa với xã Hùng Sơn.")
    ids = {m.canonical: m.id for m in result.mentions if m.type == "commune"}
    assert ids == {"Phường Hải Châu": "commune-2025-20242", "Xã Hùng Sơn": "commune-2025-20443"}


def test_a_fuzzy_guess_elsewhere_does_not_outvote_the_named_province(
        extractor: Extractor) -> None:
    # "xã Ia Pa" is no legacy commune of Gia Lai (fuzzy: Ia Pia, Ia Pal); the text names
    # tỉnh Gia Lai twice: the bare "Tỉnh ủy" is Gia Lai's
    text = ("Ngày 5/3/2024, UBND tỉnh Gia Lai và Tỉnh ủy Gia Lai họp tại xã Ia Pa. "
            "Ban Thường vụ Tỉnh ủy kết luận.")
    result = extractor.extract(text)
    assert result.context["province"] == "64"
    last = [m for m in result.mentions if m.type == "organisation"][-1]
    assert last.canonical == "Ban Thường vụ Tỉnh ủy Gia Lai"


def test_accents_tell_apart_names_that_fold_alike() -> None:
    g = Gazetteer()
    assert g.commune("Ia Bang", province="64").name == "Xã Ia Bang"


def _orgs(extractor: Extractor, text: str) -> list[str]:
    return [m.canonical for m in extractor.extract(text).mentions if m.type == "organisation"]


@pytest.mark.parametrize("text, expected", [
    # departments of any province, in any spelling of their separators, scoped to the province
    ("Ngày 2/3/2024, UBND tỉnh Phú Yên giao Sở Văn hóa-Thể thao và Du lịch và Sở lao động "
     "Thương binh và Xã hội phụ trách.",
     ["Ủy ban nhân dân tỉnh Phú Yên", "Sở Văn hóa, Thể thao và Du lịch tỉnh Phú Yên",
      "Sở Lao động - Thương binh và Xã hội tỉnh Phú Yên"]),
    ("Thanh tra tỉnh Bình Định và Văn phòng UBND tỉnh họp.",
     ["Thanh tra tỉnh Bình Định", "Văn phòng Ủy ban nhân dân tỉnh Bình Định"]),
    # boards of a party committee; the Dân vận board named after its province
    ("Ban Tổ chức Tỉnh ủy Hà Giang và ban Dân vận tỉnh Hà Giang dự.",
     ["Ban Tổ chức Tỉnh ủy Hà Giang", "Ban Dân vận Tỉnh ủy Hà Giang"]),
    # named bodies: border posts, companies (legal form written out), schools
    ("Đồn Biên phòng Na Ngoi và Công ty TNHH MTV Lâm nghiệp Con Cuông nhận kết nghĩa. "
     "Trường THCS Môn Sơn tặng quà.",
     ["Đồn Biên phòng Na Ngoi",
      "Công ty Trách nhiệm hữu hạn Một thành viên Lâm nghiệp Con Cuông",
      "Trường Trung học cơ sở Môn Sơn"]),
    # the force of the province, named without "tỉnh"
    ("Ngày 2/3/2024, BĐBP Hà Giang tặng quà.", ["Bộ đội Biên phòng tỉnh Hà Giang"]),
])
def test_bodies_of_the_official_structure_of_any_province(
        extractor: Extractor, text: str, expected: list[str]) -> None:
    assert _orgs(extractor, text) == expected


def test_folded_accents_do_not_invent_a_body(extractor: Extractor) -> None:
    # "tình đoàn kết" folds like "Tỉnh đoàn"; the written tone says it is not
    assert _orgs(extractor, "Vun đắp tình đoàn kết giữa bà con, tỉnh Gia Lai.") == []
    assert _orgs(extractor, "Tỉnh đoàn Gia Lai tặng quà.") == ["Tỉnh đoàn Gia Lai"]


def test_a_word_that_folds_like_moi_is_no_plural(extractor: Extractor) -> None:
    # "nông thôn mới tỉnh tổng hợp, UBND tỉnh …": "mới" (new) is not "mọi" (every)
    text = "Văn phòng Điều phối nông thôn mới tỉnh tổng hợp, UBND tỉnh Quảng Bình giao."
    assert "Ủy ban nhân dân tỉnh Quảng Bình" in _orgs(extractor, text)


def _villages(extractor: Extractor, text: str) -> list[str]:
    return [m.canonical for m in extractor.extract(text).mentions if m.type == "village"]


def test_village_words_beyond_thon_and_lang(extractor: Extractor) -> None:
    text = ("Ngày 3/4/2024, Hội Nông dân tỉnh nhận giúp đỡ buôn Tơng Jú (xã Ea Kao, thành phố "
            "Buôn Ma Thuột) và Bon Bu Đăk, xã Hòa Khánh.")
    assert _villages(extractor, text) == ["Buôn Tơng Jú, Xã Ea Kao", "Bon Bu Đăk, Xã Hòa Khánh"]
    text = "Sở Tư pháp giúp đỡ bản Phiêng Luông, xã Chiềng Sơ, huyện Điện Biên Đông."
    assert _villages(extractor, text) == ["Bản Phiêng Luông, Xã Chiềng Sơ"]


def test_a_village_of_an_unknown_commune_takes_no_other_commune(extractor: Extractor) -> None:
    text = "Ngày 3/4/2024, tại xã Ea Kao, huyện Ea Súp; Sở Y tế giúp thôn 4, xã Zơ Ngai Blơk."
    village = next(m for m in extractor.extract(text).mentions if m.type == "village")
    assert village.unresolved


def test_words_that_fold_like_village_words_are_not_villages(extractor: Extractor) -> None:
    # "Ban" (board), "Lạng Sơn" (province), "già làng" (a person), "làng DTTS"
    text = ("Ban Chỉ đạo tỉnh Lạng Sơn và già làng Y Bốc thăm các làng DTTS ở xã Bản Lầu; "
            "Bản Lầu có 12 thôn.")
    assert _villages(extractor, text) == []


def test_a_later_bare_mention_takes_the_commune_named_earlier(extractor: Extractor) -> None:
    text = ("Buôn Cuôr Đăng nằm gần trung tâm xã. Sở Y tế kết nghĩa với buôn Cuôr Đăng, "
            "xã Cuôr Đăng, huyện Cư M'gar.")
    assert _villages(extractor, text) == ["Buôn Cuôr Đăng, Xã Cuôr Đăng"] * 2


def _assigned(extractor: Extractor, text: str) -> list[tuple[str, str]]:
    result = extractor.extract(text)
    return sorted((result.mentions[r.source].canonical, result.mentions[r.target].canonical)
                  for r in result.relations if r.type == "ASSIGNED")


@pytest.mark.parametrize("text, expected", [
    # a list of units; the village's commune in brackets is where it is, not a target
    ("Ngày 4/5/2024, Sở Tư pháp, Sở Y tế tỉnh Kon Tum cùng là đơn vị kết nghĩa của làng Kon "
     "Jong (xã Đăk Ruồng, huyện Kon Rẫy) và thôn 9 (xã Đăk Ruồng).",
     [("Sở Tư pháp tỉnh Kon Tum", "Làng Kon Jong, Xã Đăk Ruồng"),
      ("Sở Tư pháp tỉnh Kon Tum", "Thôn 9, Xã Đăk Ruồng"),
      ("Sở Y tế tỉnh Kon Tum", "Làng Kon Jong, Xã Đăk Ruồng"),
      ("Sở Y tế tỉnh Kon Tum", "Thôn 9, Xã Đăk Ruồng")]),
    # "được giao chỉ đạo" a commune; the district after it is context
    ("Năm 2021, UBND tỉnh Kon Tum phân công: Sở Xây dựng được giao chỉ đạo xã Đăk Tơ Lung, "
     "huyện Kon Rẫy; Sở Nội vụ phụ trách chỉ đạo xã Tân Lập, huyện Kon Rẫy.",
     [("Sở Nội vụ tỉnh Kon Tum", "Xã Tân Lập"), ("Sở Xây dựng tỉnh Kon Tum", "Xã Đăk Tơ Lung")]),
    # passive frame
    ("Ngày 4/5/2024, tại xã Đăk Ruồng, huyện Kon Rẫy – địa bàn do Đồn Biên phòng Đăk Long "
     "phụ trách – bà con đón Tết.", [("Đồn Biên phòng Đăk Long", "Xã Đăk Ruồng")]),
    # "giúp đỡ" with the communes themselves as its object, named without their level word
    ("Ngày 4/5/2024, Công an tỉnh Kon Tum được phân công giúp đỡ 02 xã đặc biệt khó khăn, đó "
     "là Đăk Tơ Lung và Tân Lập, đều thuộc huyện Kon Rẫy.",
     [("Công an tỉnh Kon Tum", "Xã Tân Lập"), ("Công an tỉnh Kon Tum", "Xã Đăk Tơ Lung")]),
])
def test_assignments_are_read_from_sentences(
        extractor: Extractor, text: str, expected: list[tuple[str, str]]) -> None:
    assert _assigned(extractor, text) == expected


@pytest.mark.parametrize("text", [
    # counts only: no unit, no place named
    "Năm 2024, 58 cơ quan, đơn vị giúp đỡ 61 xã của tỉnh Kon Tum.",
    # a gift to households living in a place, and working together with local bodies
    "Ngày 4/5/2024, Sở Y tế tỉnh Kon Tum hỗ trợ 20 hộ nghèo ở thôn 9, xã Đăk Ruồng.",
    "Ngày 4/5/2024, Đồn Biên phòng Đăk Long phối hợp với UBND xã Đăk Ruồng trao quà.",
])
def test_statements_that_are_no_assignment(extractor: Extractor, text: str) -> None:
    assert _assigned(extractor, text) == []


def test_an_assignment_carries_its_plan_confidence_and_facts(extractor: Extractor) -> None:
    text = ("Thực hiện Kế hoạch số 45-KH/TU, ngày 12/3/2026, giai đoạn 2026-2030, Ban Tuyên giáo "
            "và Dân vận Tỉnh ủy Quảng Ngãi nhận đỡ đầu thôn Kon Jong, xã Kon Braih, giúp 35 hộ.")
    result = extractor.extract(text)
    rel = next(r for r in result.relations if r.type == "ASSIGNED")
    assert result.mentions[rel.source].canonical == "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ngãi"
    assert result.mentions[rel.target].props["commune"] == "commune-2025-23497"
    facts = dict(rel.attributes)
    assert result.mentions[facts["plan"]].canonical == "45-KH/TU"
    assert (facts["from"], facts["until"], facts["households"]) == ("2026-01-01", "2030-12-31", 35)
    assert 0.7 <= rel.confidence <= 0.85
    assert rel.to_json()["confidence"] == rel.confidence


def test_places_named_without_level_word_or_with_an_abbreviation(extractor: Extractor) -> None:
    result = extractor.extract("Trà Vinh: năm 2023, một công ty ở TP.HCM giúp bà con ở Đắk Lắk "
                               "và huyện Kỳ Anh, tỉnh Hà Tĩnh.")
    places = [(m.type, m.canonical) for m in result.mentions if m.type in ("province", "district")]
    assert places == [("province", "Tỉnh Trà Vinh"), ("province", "Thành phố Hồ Chí Minh"),
                      ("province", "Tỉnh Đắk Lắk"), ("district", "Huyện Kỳ Anh"),
                      ("province", "Tỉnh Hà Tĩnh")]


def test_a_name_fused_into_a_committee_is_its_scope_not_a_place(extractor: Extractor) -> None:
    result = extractor.extract("Ngày 2/2/2026, Tỉnh ủy Lai Châu chỉ đạo.")
    assert [m.type for m in result.mentions if m.type != "statistic"] == ["organisation"]
    assert result.mentions[0].props["scope"] == "province-2025-12"


def _models(extractor: Extractor, text: str) -> list[str]:
    return [m.canonical for m in extractor.extract(text).mentions if m.type == "model"]


def test_nothing_half_read_becomes_a_model(extractor: Extractor) -> None:
    # a count with a bracket, and a name cut off by the end of the text
    assert _models(extractor, "Năm 2023 có 2.665 mô hình (1.921 tập thể, 744 cá nhân).") == []
    assert _models(extractor, "Hội Nông dân xây dựng mô hình Nuôi bò vỗ béo gắn với") == []


def test_a_model_closing_a_list_keeps_its_commas(extractor: Extractor) -> None:
    text = ("Xã triển khai mô hình Đường hoa nông thôn, mô hình Giúp dân làm nhà, giữ vệ sinh "
            "chung, bảo vệ rừng… Nhờ đó đời sống đổi thay.")
    assert _models(extractor, text) == ["Đường hoa nông thôn",
                                        "Giúp dân làm nhà, giữ vệ sinh chung, bảo vệ rừng"]


def test_bodies_listed_before_one_scope_share_it(extractor: Extractor) -> None:
    text = "Ngày 2/2/2026, Đảng ủy - HĐND - UBND xã Ia Pa (tỉnh Gia Lai) trao quà."
    assert _orgs(extractor, text) == ["Đảng ủy xã Ia Pa", "Hội đồng nhân dân xã Ia Pa",
                                      "Ủy ban nhân dân xã Ia Pa"]


def test_a_company_named_again_by_its_short_name(extractor: Extractor) -> None:
    text = ("Ngày 3/4/2020, Công ty CP Phân bón Bình Điền kết nghĩa với bon Bu Prăng, xã Quảng "
            "Trực, huyện Tuy Đức, tỉnh Đắk Nông. Bình Điền được chọn để kết nghĩa với bon Bu Prăng.")
    assert _orgs(extractor, text) == ["Công ty Cổ phần Phân bón Bình Điền"] * 2
    # a short name that is a place of the province stays a place: "Cao su Chư Sê"
    text = "Ngày 3/4/2024, Công ty TNHH MTV Cao su Chư Sê giúp đỡ làng Ia Ring, huyện Chư Sê."
    assert _orgs(extractor, text) == [
        "Công ty Trách nhiệm hữu hạn Một thành viên Cao su Chư Sê"]
