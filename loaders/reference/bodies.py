"""Bodies every province has, from the official structure (not from one province's texts).

The provincial government's departments (*sở* and bodies of the same rank) before and
after the 2025 reorganisation (Nghị định 24/2014 and 107/2020; Nghị định 45/2025 merged
several: Tài nguyên và Môi trường + Nông nghiệp → Nông nghiệp và Môi trường, Kế hoạch và
Đầu tư → Tài chính, Giao thông vận tải → Xây dựng, Thông tin và Truyền thông → Khoa học
và Công nghệ, Lao động - Thương binh và Xã hội → Nội vụ, Ban Dân tộc → Dân tộc và Tôn
giáo); the provincial party committee's boards (Kết luận 121-KL/TW merged Tuyên giáo and
Dân vận); the armed forces' provincial commands; and offices and funds found in each
province. Written by hand: no package lists them.

Each name is given once, officially spelled; :func:`spellings` writes the separator
variants documents use ("Văn hóa, Thể thao và Du lịch", "Văn hóa-Thể thao và Du lịch",
"Văn hóa - Thể thao và Du lịch").

>>> "van hoa-the thao va du lich" in spellings("Văn hóa, Thể thao và Du lịch")
True
"""

from __future__ import annotations

import itertools
import re

__all__ = ["PARTY_BOARDS", "PROVINCIAL_BODIES", "PROVINCIAL_DEPARTMENTS", "spellings"]

#: (official name, abbreviations): departments of a provincial people's committee
PROVINCIAL_DEPARTMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Sở Nội vụ", ()),
    ("Sở Tư pháp", ()),
    ("Sở Kế hoạch và Đầu tư", ("Sở KH&ĐT", "Sở KHĐT")),
    ("Sở Tài chính", ()),
    ("Sở Công Thương", ()),
    ("Sở Nông nghiệp và Phát triển nông thôn", ("Sở NN&PTNT", "Sở Nông nghiệp và PTNT")),
    ("Sở Nông nghiệp và Môi trường", ("Sở NN&MT", "Sở NNMT")),
    ("Sở Giao thông vận tải", ("Sở GTVT",)),
    ("Sở Xây dựng", ()),
    ("Sở Tài nguyên và Môi trường", ("Sở TN&MT", "Sở TNMT")),
    ("Sở Thông tin và Truyền thông", ("Sở TT&TT", "Sở TTTT")),
    ("Sở Lao động - Thương binh và Xã hội", ("Sở LĐ-TB&XH", "Sở LĐTB&XH", "Sở LĐTBXH")),
    ("Sở Văn hóa, Thể thao và Du lịch", ("Sở VHTT&DL", "Sở VH-TT&DL", "Sở VHTTDL")),
    ("Sở Văn hóa và Thể thao", ("Sở VH&TT",)),
    ("Sở Du lịch", ()),
    ("Sở Khoa học và Công nghệ", ("Sở KH&CN", "Sở KHCN")),
    ("Sở Giáo dục và Đào tạo", ("Sở GD&ĐT", "Sở GDĐT")),
    ("Sở Y tế", ()),
    ("Sở Ngoại vụ", ()),
    ("Sở Dân tộc và Tôn giáo", ()),
    ("Ban Dân tộc", ()),
    ("Văn phòng Ủy ban nhân dân", ("Văn phòng UBND",)),
    ("Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân", ("Văn phòng Đoàn ĐBQH và HĐND",)),
    ("Ban Quản lý Khu kinh tế", ("BQL Khu kinh tế",)),
    ("Quỹ Bảo vệ và Phát triển rừng", ()),
    ("Văn phòng Điều phối nông thôn mới", ("Văn phòng Điều phối NTM",
                                          "Văn phòng Điều phối Chương trình nông thôn mới")),
    ("Trường Chính trị", ()),
    ("Đài Phát thanh và Truyền hình", ("Đài PT-TH",)),
)

#: boards of a party committee: "Ban Tổ chức Tỉnh ủy", "Ban Tổ chức Huyện ủy"
PARTY_BOARDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Ban Tổ chức", ("BTC",)),
    ("Ban Tuyên giáo và Dân vận", ("Ban TG&DV", "Ban TGDV")),
    ("Ủy ban Kiểm tra", ("UBKT",)),
    ("Ban Nội chính", ()),
    ("Ban Kinh tế", ()),
    ("Văn phòng", ()),
    ("Cơ quan", ()),
)

#: bodies of the province named with "tỉnh" (or the province) after them
PROVINCIAL_BODIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Bộ Chỉ huy Bộ đội Biên phòng", ("Bộ Chỉ huy BĐBP", "BCH BĐBP")),
    ("Đảng ủy Khối Cơ quan và Doanh nghiệp", ("Đảng ủy Khối", "ĐUK")),
    ("Ban Thường vụ Đảng ủy Khối Cơ quan và Doanh nghiệp", ("BTV Đảng ủy Khối",
                                                             "Ban Thường vụ Đảng ủy Khối")),
    ("Đảng ủy Quân sự", ()),
    ("Đảng ủy Bộ đội Biên phòng", ("Đảng ủy BĐBP", "Đảng ủy Biên phòng")),
    ("Đảng ủy Công an", ()),
    ("Thanh tra", ()),
)

_SEPARATORS = ("-", " - ", ", ", " ", "- ", " -", ",")


def spellings(name: str) -> set[str]:
    """Folded spellings of ``name`` with each of its separators written every usual way.

    >>> "so lao dong thuong binh va xa hoi" in spellings("Sở Lao động - Thương binh và Xã hội")
    True
    """
    from danvan.text import fold

    parts = re.split(r"\s*[-,–]\s*", fold(name))
    if len(parts) > 4:
        return {fold(name)}
    out = set()
    for seps in itertools.product(_SEPARATORS, repeat=len(parts) - 1):
        text = parts[0]
        for sep, part in zip(seps, parts[1:], strict=True):
            text += sep + part
        out.add(text)
    return out
