"""Deterministic synthetic datasets: Kon Tum at province scale, Vietnam at national scale.

Everything generated is marked ``synthetic: true`` (every node and every edge; the
edges the schema implies from references are left to the store, which marks those
of a synthetic node synthetic as well) and cites one Source,
"Dữ liệu mô phỏng". Places come from the official list (admin_units); villages,
units, plans, models and assignments are invented but plausible. The same seed
always gives the same dataset, byte for byte.

The province dataset reproduces the aggregate figures the Kon Tum review of
Kế hoạch 133-KH/TU reports (58 provincial units, 52 with their own plan, 48
registering 82 models — 39/32/9/2 by field — for 468 households in Kon Plông,
Tu Mơ Rông and Đăk Glei; 311 district-level units helping 313 villages in 61
communes), so the coverage query on it can be checked against them.

>>> data = province_dataset(seed=1)
>>> data.figures["villages_helped"], data.figures["communes_helped"]
(313, 61)
>>> all(n.props["synthetic"] for n in data.nodes) and all(e.props["synthetic"] for e in data.edges)
True
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from danvan.graph.schema import Schema, load_schema
from danvan.graph.types import Edge, Node
from danvan.loaders.reference.admin_units import Commune, admin_units
from danvan.text import fold

__all__ = ["SOURCE_ID", "Builder", "Dataset", "national_dataset", "province_dataset", "write_dataset"]

SOURCE_KEY = "du-lieu-mo-phong"
SOURCE_ID = f"source-{SOURCE_KEY}"
SOURCE_TITLE = "Dữ liệu mô phỏng"
PLAN_133 = "directive-province-62-133-kh-tu"
FIELDS = load_schema().enum("Model", "field")

# What the Kon Tum review of 133-KH/TU (11/9/2024) reports; the province dataset matches it.
KON_TUM_133 = {
    "provincial_units": 58, "support_teams": 55, "units_with_plans": 52, "units_with_models": 48,
    "models": 82, "models_by_category": dict(zip(FIELDS, (39, 32, 9, 2), strict=True)),
    "households": 468, "model_districts": ("613", "617", "610"),  # Kon Plông, Tu Mơ Rông, Đăk Glei
    "district_units": 311, "villages_helped": 313, "communes_helped": 61,
}

# Order in which labels are written so that references always point backwards.
LABEL_ORDER = ("Source", "Province", "District", "Commune", "Village", "Campaign", "PartyBody",
               "Unit", "Directive", "Model", "Assignment", "Statistic")

_SYLLABLES = ("Bring", "Klah", "Hngo", "Rơ Lơng", "Pring", "Kơ Xia", "Jri", "Đon", "Ktu", "Tang",
              "Mơ Nam", "Rôn", "Năng", "Hra", "Breng", "Ktăk", "Sơ Lăng", "Đe", "Rẫy", "Tơ Re",
              "Pông", "Hnông", "Lung", "Wâk", "Tơ Kan", "Chư", "Ia", "Đrăng", "Kơ Nâng", "Mô Pả")
_PREFIXES = ("Làng Kon", "Plei", "Thôn Đăk", "Làng Tu", "Thôn Kon")

PROVINCIAL_UNITS: tuple[tuple[str, str], ...] = (
    ("Văn phòng Tỉnh ủy", "agency"), ("Ban Tổ chức Tỉnh ủy", "agency"),
    ("Ban Tuyên giáo Tỉnh ủy", "agency"), ("Ủy ban Kiểm tra Tỉnh ủy", "agency"),
    ("Ban Nội chính Tỉnh ủy", "agency"), ("Báo Kon Tum", "agency"),
    ("Trường Chính trị tỉnh", "school"), ("Văn phòng UBND tỉnh", "government"),
    ("Văn phòng Đoàn ĐBQH và HĐND tỉnh", "government"),
    ("Sở Nông nghiệp và Phát triển nông thôn", "government"), ("Sở Tài chính", "government"),
    ("Sở Kế hoạch và Đầu tư", "government"), ("Sở Giáo dục và Đào tạo", "government"),
    ("Sở Y tế", "government"), ("Sở Văn hóa, Thể thao và Du lịch", "government"),
    ("Sở Lao động - Thương binh và Xã hội", "government"), ("Sở Tư pháp", "government"),
    ("Sở Nội vụ", "government"), ("Sở Tài nguyên và Môi trường", "government"),
    ("Sở Giao thông vận tải", "government"), ("Sở Xây dựng", "government"),
    ("Sở Công Thương", "government"), ("Sở Khoa học và Công nghệ", "government"),
    ("Sở Thông tin và Truyền thông", "government"), ("Thanh tra tỉnh", "government"),
    ("Ban Dân tộc tỉnh", "government"), ("Ban Quản lý Khu kinh tế tỉnh", "government"),
    ("Đài Phát thanh - Truyền hình tỉnh", "agency"),
    ("Ủy ban MTTQ Việt Nam tỉnh", "mass_organisation"), ("Hội Nông dân tỉnh", "mass_organisation"),
    ("Hội Liên hiệp Phụ nữ tỉnh", "mass_organisation"), ("Tỉnh đoàn", "mass_organisation"),
    ("Hội Cựu chiến binh tỉnh", "mass_organisation"), ("Liên đoàn Lao động tỉnh", "mass_organisation"),
    ("Liên minh Hợp tác xã tỉnh", "mass_organisation"), ("Hội Chữ thập đỏ tỉnh", "ngo"),
    ("Hội Người cao tuổi tỉnh", "ngo"), ("Hội Khuyến học tỉnh", "ngo"),
    ("Bộ Chỉ huy Quân sự tỉnh", "armed_force"), ("Bộ Chỉ huy Bộ đội Biên phòng tỉnh", "armed_force"),
    ("Công an tỉnh", "police"), ("Ngân hàng Chính sách xã hội chi nhánh tỉnh", "bank"),
    ("Ngân hàng Nông nghiệp và PTNT chi nhánh tỉnh", "bank"),
    ("Ngân hàng Nhà nước chi nhánh tỉnh", "bank"), ("Kho bạc Nhà nước tỉnh", "government"),
    ("Cục Thuế tỉnh", "government"), ("Cục Thống kê tỉnh", "government"),
    ("Bảo hiểm xã hội tỉnh", "government"), ("Công ty Điện lực", "enterprise"),
    ("Viettel chi nhánh tỉnh", "enterprise"), ("VNPT chi nhánh tỉnh", "enterprise"),
    ("Bưu điện tỉnh", "enterprise"), ("Công ty TNHH MTV Cao su", "enterprise"),
    ("Công ty Cấp nước", "enterprise"), ("Bệnh viện Đa khoa tỉnh", "agency"),
    ("Trường Cao đẳng Cộng đồng", "school"), ("Trung tâm Khuyến nông tỉnh", "agency"),
    ("Hội Văn học nghệ thuật tỉnh", "ngo"), ("Hội Luật gia tỉnh", "ngo"),
    ("Sở Ngoại vụ", "government"),
)

DISTRICT_UNITS: tuple[tuple[str, str], ...] = (
    ("Văn phòng Huyện ủy", "agency"), ("Ban Tổ chức Huyện ủy", "agency"),
    ("Ban Tuyên giáo Huyện ủy", "agency"), ("Ủy ban Kiểm tra Huyện ủy", "agency"),
    ("Trung tâm Chính trị", "school"), ("Văn phòng HĐND và UBND", "government"),
    ("Phòng Nông nghiệp và PTNT", "government"), ("Phòng Tài chính - Kế hoạch", "government"),
    ("Phòng Giáo dục và Đào tạo", "government"), ("Phòng Y tế", "government"),
    ("Phòng Văn hóa và Thông tin", "government"), ("Phòng Lao động - TB và XH", "government"),
    ("Phòng Dân tộc", "government"), ("Phòng Tư pháp", "government"), ("Phòng Nội vụ", "government"),
    ("Phòng Tài nguyên và Môi trường", "government"), ("Phòng Kinh tế - Hạ tầng", "government"),
    ("Thanh tra", "government"), ("Trung tâm Y tế", "agency"),
    ("Trung tâm Văn hóa - Thể thao và Truyền thông", "agency"),
    ("Trung tâm Dịch vụ nông nghiệp", "agency"), ("Ban Quản lý dự án đầu tư xây dựng", "agency"),
    ("Ủy ban MTTQ Việt Nam", "mass_organisation"), ("Hội Nông dân", "mass_organisation"),
    ("Hội Liên hiệp Phụ nữ", "mass_organisation"), ("Đoàn Thanh niên", "mass_organisation"),
    ("Hội Cựu chiến binh", "mass_organisation"), ("Ban Chỉ huy Quân sự", "armed_force"),
    ("Công an", "police"), ("Phòng giao dịch Ngân hàng Chính sách xã hội", "bank"),
    ("Chi nhánh Ngân hàng Nông nghiệp và PTNT", "bank"), ("Kho bạc Nhà nước", "government"),
    ("Chi cục Thuế", "government"), ("Chi cục Thống kê", "government"),
    ("Bảo hiểm xã hội", "government"), ("Điện lực", "enterprise"), ("Bưu điện", "enterprise"),
    ("Trung tâm Viễn thông", "enterprise"), ("Hạt Kiểm lâm", "government"),
    ("Trung tâm Giáo dục nghề nghiệp - GDTX", "school"),
)

MODEL_NAMES: dict[str, tuple[str, ...]] = {
    "kinh tế": ("Trồng sâm dây", "Nuôi heo đen địa phương", "Trồng cà phê xen canh", "Nuôi bò sinh sản",
                "Trồng mắc ca", "Tổ hợp tác trồng dược liệu", "Nuôi cá lồng", "Trồng lúa nước hai vụ",
                "Nuôi gà thả vườn", "Trồng rau an toàn", "Trồng chanh dây", "Nuôi ong lấy mật"),
    "văn hóa - xã hội": ("Đội cồng chiêng", "Tủ sách cộng đồng", "Xóa nhà tạm", "Thắp sáng đường quê",
                         "Nhà vệ sinh hợp vệ sinh", "Nước sạch cho thôn", "Giữ gìn nghề dệt thổ cẩm",
                         "Tiếp sức học sinh đến trường", "Xóa bỏ hủ tục"),
    "quốc phòng - an ninh": ("Tổ tự quản an ninh trật tự", "Camera an ninh thôn", "Thôn không ma túy",
                             "Tổ hòa giải ở cơ sở"),
    "xây dựng hệ thống chính trị": ("Chi bộ thôn gương mẫu", "Sinh hoạt chi bộ chuyên đề"),
}


@dataclass
class Dataset:
    """Nodes and edges of a synthetic dataset, and the figures it was built to show."""

    name: str
    nodes: list[Node]
    edges: list[Edge]
    figures: dict[str, Any] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """``{"nodes": n, "edges": m}``."""
        return {"nodes": len(self.nodes), "edges": len(self.edges)}


class _Builder:
    """Collects synthetic nodes and edges; ids come from the schema's identity keys."""

    def __init__(self, schema: Schema | None = None) -> None:
        self.schema = schema or load_schema()
        self.nodes: dict[str, Node] = {}
        self.edges: dict[str, Edge] = {}

    def add(self, label: str, **props: Any) -> str:
        props = {k: v for k, v in props.items() if v is not None}
        props["synthetic"] = True
        node = Node(label, self.schema.node_id(label, props), props)
        self.nodes[node.id] = node  # the edges its refs imply come from the store (synthetic too)
        return node.id

    def add_node(self, node: Node) -> str:
        """An existing node (e.g. an official place) re-marked as synthetic."""
        return self.add(node.label, **node.props)

    def link(self, type_: str, source: str, target: str, **props: Any) -> None:
        edge = Edge(type_, source, target, {**{k: v for k, v in props.items() if v is not None},
                                            "synthetic": True})
        self.edges[edge.key] = edge

    def dataset(self, name: str, figures: dict[str, Any]) -> Dataset:
        order = {label: i for i, label in enumerate(LABEL_ORDER)}
        nodes = sorted(self.nodes.values(), key=lambda n: (order.get(n.label, 99), n.id))
        return Dataset(name, nodes, sorted(self.edges.values(), key=lambda e: e.key), figures)


Builder = _Builder  # for the demo's other datasets (loaders/synthetic/demo_today.py)


def _source(b: _Builder) -> str:
    return b.add("Source", key=SOURCE_KEY, title=SOURCE_TITLE, kind="synthetic",
                 publisher="danvan (loaders/synthetic/generator.py)")


def _places(b: _Builder, communes: Iterable[Commune]) -> None:
    nodes, edges = admin_units().graph_records(communes)
    for node in nodes:
        b.add_node(node)
    for edge in edges:
        b.link(edge.type, edge.source, edge.target)


def village_names(rng: random.Random, count: int) -> list[tuple[str, int | None, str]]:
    """``count`` distinct village names of one commune: (name, number, kind).

    >>> village_names(random.Random(0), 3)[0][0].startswith(("Thôn", "Làng", "Plei"))
    True
    """
    numbered = rng.randint(count // 3, max(count // 3, min(12, count)))
    out: list[tuple[str, int | None, str]] = [(f"Thôn {i}", i, "thôn") for i in range(1, numbered + 1)]
    seen = {fold(n) for n, _, _ in out}
    while len(out) < count:
        name = f"{rng.choice(_PREFIXES)} {rng.choice(_SYLLABLES)}"
        if fold(name) not in seen:
            seen.add(fold(name))
            out.append((name, None, "làng" if name.startswith(("Làng", "Plei")) else "thôn"))
    return out


def _villages(b: _Builder, rng: random.Random, commune: Commune, count: int) -> list[str]:
    cid = b.schema.node_id("Commune", {"code": commune.code})
    return [b.add("Village", commune=cid, name=name, number=number, kind=kind)
            for name, number, kind in village_names(rng, count)]


def _split(total: int, parts: int, rng: random.Random, low: int = 1) -> list[int]:
    """``parts`` positive integers ≥ ``low`` summing to ``total``, shuffled deterministically."""
    base = [low] * parts
    for _ in range(total - low * parts):
        base[rng.randrange(parts)] += 1
    return base


def _assignment(b: _Builder, unit: str, target: str, plan: str, models: list[str],
                households: int | None, start: str, until: str) -> str:
    a = b.add("Assignment", unit=unit, target=target, plan=plan, households=households,
              **{"from": start, "until": until})
    b.link("SUPPORTS", unit, target, role="support", **{"from": start, "until": until})
    for model in models:
        b.link("WITH_MODEL", a, model)
    return a


def _model(b: _Builder, unit: str, village: str, plan: str, name: str, field_: str,
           households: int | None, year: int) -> str:
    m = b.add("Model", scope=unit, name=name, field=field_, households=households, year=year)
    b.link("SUPPORTS", unit, m, role="owner")
    b.link("LOCATED_IN", m, village)
    b.link("REGISTERED_UNDER", m, plan)
    return m


def province_dataset(seed: int = 2024) -> Dataset:
    """Tỉnh Kon Tum (10 districts, 102 communes) with the 133-KH/TU figures; see module doc."""
    rng = random.Random(seed)
    b = _Builder()
    units = admin_units()
    f = KON_TUM_133
    _source(b)
    communes = units.communes(province="62")
    _places(b, communes)
    province = "province-62"
    campaign = b.add("Campaign", key="dan-van-kheo", name="Phong trào thi đua “Dân vận khéo”",
                     kind="campaign", aliases=["Dân vận khéo"])
    btv = b.add("PartyBody", scope=province, name="Ban Thường vụ Tỉnh ủy Kon Tum", kind="Ban Thường vụ")
    plan = b.add("Directive", scope=province, ref="133-KH/TU", number="133", kind="Kế hoạch",
                 kind_code="KH", issuer=btv, date="2024-03-14", period_until="2025-12-31",
                 title="Phân công các cơ quan, đơn vị phụ trách, giúp đỡ xây dựng mô hình “Dân vận "
                       "khéo” tại các thôn (làng) trên địa bàn tỉnh đến năm 2025 (mô phỏng)")
    assert plan == PLAN_133
    b.link("IMPLEMENTS", plan, campaign)
    start, until = "2024-03-14", "2025-12-31"

    # Villages: 6..14 per commune; 61 communes chosen, 5 or 6 villages helped in each (313).
    villages: dict[str, list[str]] = {c.code: _villages(b, rng, c, rng.randint(6, 14)) for c in communes}
    by_district: dict[str, list[Commune]] = {}
    for c in communes:
        by_district.setdefault(c.district_code or "", []).append(c)
    picks = {d: max(1, round(len(cs) * f["communes_helped"] / len(communes)))
             for d, cs in by_district.items()}
    while sum(picks.values()) > f["communes_helped"]:
        picks[max(picks, key=lambda d: picks[d])] -= 1
    while sum(picks.values()) < f["communes_helped"]:
        picks[min(picks, key=lambda d: picks[d] - len(by_district[d]))] += 1
    chosen = [c for d, cs in sorted(by_district.items()) for c in rng.sample(cs, picks[d])]
    per_commune = [5] * len(chosen)
    for i in rng.sample(range(len(chosen)), f["villages_helped"] - 5 * len(chosen)):
        per_commune[i] += 1
    helped: dict[str, list[str]] = {}  # district code → helped villages
    for commune, k in zip(chosen, per_commune, strict=True):
        helped.setdefault(commune.district_code or "", []).extend(rng.sample(villages[commune.code], k))

    # District level: each district party committee's plan implements 133-KH/TU; 311 units
    # help the 313 villages (two units take a second village).
    spare = 2
    for d, targets in sorted(helped.items()):
        district = units.district(d)
        did = f"district-{d}"
        committee = "Thành ủy" if district.kind == "Thành phố" else "Huyện ủy"
        body = b.add("PartyBody", scope=did, name=f"{committee} {district.short_name}", kind=committee,
                     parent=None)
        suffix = "TU" if committee == "Thành ủy" else "HU"
        dplan = b.add("Directive", scope=did, ref=f"{rng.randint(20, 99)}-KH/{suffix}",
                      kind="Kế hoạch", kind_code="KH", issuer=body, date="2024-04-15",
                      title=f"Thực hiện Kế hoạch 133-KH/TU trên địa bàn {district.name.lower()} (mô phỏng)")
        b.link("IMPLEMENTS", dplan, plan)
        n_units = len(targets) - (1 if spare else 0)
        extra = 1 if spare else 0
        spare -= extra
        names = _district_unit_names(district.short_name, district.kind, n_units, chosen, d)
        for i, (name, kind) in enumerate(names):
            unit = b.add("Unit", scope=did, name=name, kind=kind)
            mine = [targets[i]] + ([targets[-1]] if extra and i == 0 else [])
            for village in mine:
                _assignment(b, unit, village, dplan, [], None, "2024-04-15", until)

    # Province level: 58 units, 52 with their own plan, 48 registering 82 models (468 households)
    # in villages of Kon Plông, Tu Mơ Rông and Đăk Glei that district units also help.
    pool = [v for d in f["model_districts"] for v in helped[d]]
    rng.shuffle(pool)
    fields = [name for name, n in f["models_by_category"].items() for _ in range(n)]
    rng.shuffle(fields)
    model_counts = _split(f["models"], f["units_with_models"], rng)
    households = _split(f["households"], f["models"], rng, low=2)
    order = list(range(f["provincial_units"]))
    rng.shuffle(order)
    with_models = set(order[:f["units_with_models"]])
    with_plans = set(order[:f["units_with_plans"]])
    m_i = 0
    for i, (name, kind) in enumerate(PROVINCIAL_UNITS[:f["provincial_units"]]):
        full = name if name.endswith(("tỉnh", "Tỉnh ủy", "Báo Kon Tum")) else f"{name} tỉnh Kon Tum"
        unit = b.add("Unit", scope=province, name=full, kind=kind)
        if i in with_plans:
            uplan = b.add("Directive", scope=province, ref=f"{100 + i}/KH-{_initials(name)}",
                          kind="Kế hoạch", kind_code="KH", issuer=unit, date="2024-04-01",
                          title=f"Kế hoạch của {full} thực hiện Kế hoạch 133-KH/TU (mô phỏng)")
            b.link("IMPLEMENTS", uplan, plan)
        village = pool[i % len(pool)]
        models = []
        hh = 0
        if i in with_models:
            k = model_counts[sorted(with_models).index(i)]
            for _ in range(k):
                fld = fields[m_i]
                base = rng.choice(MODEL_NAMES[fld])
                models.append(_model(b, unit, village, plan, f"{base} ({m_i + 1})", fld,
                                     households[m_i], 2024))
                hh += households[m_i]
                m_i += 1
        _assignment(b, unit, village, plan, models, hh or None, start, until)
    _statistics(b, plan, province)
    return b.dataset("province", {**{k: v for k, v in f.items() if k != "model_districts"},
                                  "units_total": f["provincial_units"] + f["district_units"]})


def _initials(name: str) -> str:
    return "".join(w[0] for w in fold(name).upper().split() if w[0].isalnum())


def _district_unit_names(short: str, kind: str, count: int, chosen: list[Commune],
                         district: str) -> list[tuple[str, str]]:
    """``count`` district-level unit names: the templates, then schools of chosen communes."""
    where = f"{'thành phố' if kind == 'Thành phố' else 'huyện'} {short}"
    out = [(f"{name} {where}", k) for name, k in DISTRICT_UNITS]
    for c in chosen:
        if c.district_code == district:
            out.append((f"Trường Tiểu học và THCS {c.short_name} ({where})", "school"))
            out.append((f"Trạm Y tế {c.name.lower()} ({where})", "agency"))
    if len(out) < count:
        raise ValueError(f"not enough unit names for {where}: {len(out)} < {count}")
    return out[:count]


def _statistics(b: _Builder, plan: str, area: str) -> None:
    f = KON_TUM_133
    stats = [
        ("to-ho-tro-giup-do", "Số tổ hỗ trợ, giúp đỡ do các cơ quan, đơn vị cấp tỉnh thành lập",
         f["support_teams"], None, "tổ", None),
        ("co-quan-xay-dung-ke-hoach", "Số cơ quan, đơn vị cấp tỉnh đã xây dựng kế hoạch triển khai",
         f["units_with_plans"], f["provincial_units"], "cơ quan, đơn vị", None),
        ("co-quan-dang-ky-mo-hinh", "Số cơ quan, đơn vị cấp tỉnh có văn bản đăng ký mô hình",
         f["units_with_models"], f["provincial_units"], "cơ quan, đơn vị", None),
        ("mo-hinh-dang-ky", "Số mô hình “Dân vận khéo” được đăng ký", f["models"], None, "mô hình", None),
        *[(f"mo-hinh-{i}", f"Số mô hình đăng ký về {c}", n, f["models"], "mô hình", c)
          for i, (c, n) in enumerate(f["models_by_category"].items())],
        ("ho-duoc-ho-tro", "Số hộ được hỗ trợ qua các mô hình", f["households"], None, "hộ", None),
        ("co-quan-cap-huyen-duoc-phan-cong", "Số cơ quan, đơn vị cấp huyện được phân công giúp đỡ thôn",
         f["district_units"], None, "cơ quan, đơn vị", None),
        ("thon-duoc-cap-huyen-giup-do", "Số thôn được cấp huyện giúp đỡ", f["villages_helped"], None,
         "thôn", None),
        ("xa-co-thon-duoc-cap-huyen-giup-do", "Số xã có thôn được cấp huyện giúp đỡ",
         f["communes_helped"], None, "xã", None),
    ]
    for key, what, value, total, unit, category in stats:
        b.add("Statistic", document=SOURCE_ID, key=key, what=what, value=float(value),
              total=float(total) if total else None, unit=unit, category=category,
              about=plan, area=area, period="mô phỏng")


def national_dataset(seed: int = 2024, villages_per_commune: int = 10, units_per_district: int = 40,
                     units_per_province: int = 30, models_per_unit: float = 3.3,
                     communes: list[Commune] | None = None) -> Dataset:
    """Every legacy commune (about 10,000), ten villages each, 30,000 units, 100,000 models.

    Each province has a plan (KH/TU) and each district a plan (KH/HU) implementing it;
    every unit helps two villages of its district (provincial units: of its province)
    with about 3.3 models, each in one of those villages.
    """
    rng = random.Random(seed)
    b = _Builder()
    units = admin_units()
    communes = communes if communes is not None else units.all_communes()
    _source(b)
    _places(b, communes)
    campaign = b.add("Campaign", key="dan-van-kheo", name="Phong trào thi đua “Dân vận khéo”",
                     kind="campaign")
    village_ids: dict[str, list[str]] = {}  # district code → villages
    by_province: dict[str, list[str]] = {}
    districts_of: dict[str, list[str]] = {}
    for c in communes:
        vs = _villages(b, rng, c, villages_per_commune)
        village_ids.setdefault(c.district_code or "", []).extend(vs)
        by_province.setdefault(c.province_code, []).extend(vs)
        if c.district_code not in districts_of.setdefault(c.province_code, []):
            districts_of[c.province_code].append(c.district_code or "")
    n_models = 0
    carry = 0.0
    for pcode in sorted(by_province):
        pid = f"province-{pcode}"
        body = b.add("PartyBody", scope=pid, name=f"Ban Thường vụ Tỉnh ủy {pcode}", kind="Ban Thường vụ")
        pplan = b.add("Directive", scope=pid, ref=f"{100 + int(pcode)}-KH/TU", kind="Kế hoạch",
                      kind_code="KH", issuer=body, date="2024-03-14")
        b.link("IMPLEMENTS", pplan, campaign)
        plans = {"": pplan}
        for d in districts_of[pcode]:
            did = f"district-{d}"
            dbody = b.add("PartyBody", scope=did, name=f"Huyện ủy {d}", kind="Huyện ủy", parent=body)
            dplan = b.add("Directive", scope=did, ref=f"{int(d) % 90 + 10}-KH/HU", kind="Kế hoạch",
                          kind_code="KH", issuer=dbody, date="2024-04-15")
            b.link("IMPLEMENTS", dplan, pplan)
            plans[d] = dplan
        scopes = [("", pid, by_province[pcode], PROVINCIAL_UNITS, units_per_province)]
        scopes += [(d, f"district-{d}", village_ids[d], DISTRICT_UNITS, units_per_district)
                   for d in plans if d]
        for d, scope, pool, names, count in scopes:
            for i in range(count):
                name, kind = names[i % len(names)]
                unit = b.add("Unit", scope=scope, name=f"{name} {i // len(names) + 1} ({scope})",
                             kind=kind)
                targets = rng.sample(pool, min(2, len(pool)))
                carry += models_per_unit
                k, carry = int(carry), carry - int(carry)
                per_village: dict[str, list[str]] = {t: [] for t in targets}
                for j in range(k):
                    fld = FIELDS[rng.randrange(4)] if j else "kinh tế"
                    village = targets[j % len(targets)]
                    per_village[village].append(_model(
                        b, unit, village, plans[d], f"{rng.choice(MODEL_NAMES[fld])} {n_models + 1}",
                        fld, rng.randint(2, 20), 2024))
                    n_models += 1
                for village, models in per_village.items():
                    _assignment(b, unit, village, plans[d], models, None, "2024-04-15", "2025-12-31")
    return b.dataset("national", {"communes": len(communes), "models": n_models})


def write_dataset(store: Any, data: Dataset, chunk: int | None = None,
                  skip_real: bool = False) -> dict[str, int]:
    """Write ``data`` with the store's bulk path (:meth:`Store.load`); returns counts.

    The whole dataset is checked before anything is written; ``chunk`` is the
    number of rows per transaction for a store that splits a load (Neo4j; None:
    its default). With ``skip_real``, nodes that already exist without
    ``synthetic: true`` are left untouched (real data is never re-marked as
    synthetic), and edges between two such nodes are not written.
    """
    nodes, edges = data.nodes, data.edges
    real: set[str] = set()
    if skip_real and not store.is_empty():
        existing = store.get_many([n.id for n in nodes])
        real = {i for i, n in existing.items() if not n.props.get("synthetic")}
        nodes = [n for n in nodes if n.id not in real]
        edges = [e for e in edges if not (e.source in real and e.target in real)]
    r = store.load(nodes, edges, chunk=chunk)
    return {"nodes_created": r.nodes_created, "nodes_updated": r.nodes_updated,
            "edges_created": r.edges_created, "edges_updated": r.edges_updated,
            "skipped_real": len(real)}
