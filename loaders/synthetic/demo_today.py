"""The demo in today's map: a 2026 plan of the merged Tỉnh Quảng Ngãi, in the units in force since 2025.

:func:`today_plan` adds to the province demo (Kon Tum before the reform, plan
133-KH/TU) what a board plans now: the standing committee of Tỉnh ủy Quảng Ngãi
issues a 2026 plan; provincial units of the merged province are assigned to
2025 communes of the former Kon Tum and to their villages; each commune's Đảng
ủy helps too. The 2025 communes are ones formed from several legacy communes,
and in each the units help two villages of the same name from different former
communes ("Thôn 1" of xã A cũ and of xã B cũ), so a search for "Thôn 1" in
such a commune shows the ambiguity and its candidates. Everything is marked
synthetic and cites the demo's Source, like the rest of the demo.

>>> from danvan.loaders.synthetic.generator import province_dataset
>>> plan = today_plan(province_dataset(seed=1), seed=1)
>>> plan.figures["plan"], plan.figures["communes"], plan.figures["same_name_pairs"]
('15-KH/TU', 8, 8)
"""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

from danvan.loaders.synthetic.generator import FIELDS, MODEL_NAMES, Builder, Dataset

__all__ = ["PLAN_REF", "PROVINCE", "today_plan"]

PROVINCE = "province-2025-51"  # Tỉnh Quảng Ngãi of 2025 (Kon Tum went into it)
PROVINCE_NAME = "Quảng Ngãi"
PLAN_REF = "15-KH/TU"
START, UNTIL = "2026-01-01", "2026-12-31"
UNITS = (("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "mass_organisation"),
         ("Hội Nông dân tỉnh", "mass_organisation"), ("Hội Liên hiệp Phụ nữ tỉnh", "mass_organisation"),
         ("Tỉnh đoàn", "mass_organisation"), ("Hội Cựu chiến binh tỉnh", "mass_organisation"),
         ("Sở Nông nghiệp và Môi trường tỉnh", "government"), ("Sở Y tế tỉnh", "government"),
         ("Sở Giáo dục và Đào tạo tỉnh", "government"), ("Sở Dân tộc và Tôn giáo tỉnh", "government"),
         ("Công an tỉnh", "police"), ("Bộ Chỉ huy Quân sự tỉnh", "armed_force"),
         ("Bộ Chỉ huy Bộ đội Biên phòng tỉnh", "armed_force"),
         ("Ngân hàng Chính sách xã hội chi nhánh tỉnh", "bank"))


def _merged_communes(base: Dataset) -> dict[str, list[str]]:
    """2025 commune → the legacy communes of ``base`` it succeeded, when it succeeded several
    that each have a village called "Thôn 1"."""
    thon_1 = {n.props["commune"] for n in base.nodes
              if n.label == "Village" and n.props.get("name") == "Thôn 1"}
    olds: dict[str, list[str]] = defaultdict(list)
    for e in base.edges:
        if e.type == "SUCCEEDED_BY" and e.source.startswith("commune-") and e.source in thon_1:
            olds[e.target].append(e.source)
    return {new: sorted(old) for new, old in sorted(olds.items()) if len(old) >= 2}


def today_plan(base: Dataset, seed: int = 2024, communes: int = 8) -> Dataset:
    """The 2026 plan (nodes and edges to write with ``base``, which holds the places)."""
    rng = random.Random(f"today-{seed}")
    b = Builder()
    nodes = {n.id: n for n in base.nodes}
    villages: dict[str, list[tuple[str, str]]] = defaultdict(list)  # legacy commune → (id, name)
    for n in base.nodes:
        if n.label == "Village":
            villages[n.props["commune"]].append((n.id, n.props["name"]))
    merged = _merged_communes(base)
    chosen = sorted(rng.sample(sorted(merged), min(communes, len(merged))))
    btv = b.add("PartyBody", scope=PROVINCE, name=f"Ban Thường vụ Tỉnh ủy {PROVINCE_NAME}",
                kind="Ban Thường vụ")
    b.add("PartyBody", scope=PROVINCE, name=f"Ban Tuyên giáo và Dân vận Tỉnh ủy {PROVINCE_NAME}",
          kind="Ban Tuyên giáo và Dân vận")
    plan = b.add("Directive", scope=PROVINCE, ref=PLAN_REF, number=PLAN_REF.split("-")[0],
                 kind="Kế hoạch", kind_code="KH", issuer=btv, date="2026-01-15", period_from=START,
                 period_until=UNTIL,
                 title="Phân công các cơ quan, đơn vị giúp đỡ các xã, thôn xây dựng mô hình "
                       "“Dân vận khéo” năm 2026 (mô phỏng)")
    campaign = "campaign-dan-van-kheo"
    if campaign in nodes:
        b.link("IMPLEMENTS", plan, campaign)
    units = [b.add("Unit", scope=PROVINCE, name=f"{name} {PROVINCE_NAME}", kind=kind)
             for name, kind in UNITS]
    assignments = models = 0
    for i, commune in enumerate(chosen):
        b.link("PART_OF", commune, PROVINCE)  # as in the full map: a 2025 commune is part of its province
        committee = b.add("PartyBody", scope=commune, name=f"Đảng ủy {nodes[commune].name.lower()}",
                          kind="Đảng ủy")
        first, second = merged[commune][:2]
        same_name = [next(v for v, name in villages[old] if name == "Thôn 1") for old in (first, second)]
        others = [v for old in merged[commune] for v, name in villages[old] if name != "Thôn 1"]
        targets = [(units[i % len(units)], commune), (units[(i + 1) % len(units)], same_name[0]),
                   (units[(i + 2) % len(units)], same_name[1]),
                   (committee, rng.choice(others)), (units[(i + 3) % len(units)], rng.choice(others))]
        for unit, target in targets:
            a = b.add("Assignment", unit=unit, target=target, plan=plan, **{"from": START, "until": UNTIL})
            b.link("SUPPORTS", unit, target, role="support", **{"from": START, "until": UNTIL})
            assignments += 1
            if target.startswith("village-") and rng.random() < 0.5:
                field_ = rng.choice(FIELDS[:3])
                m = b.add("Model", scope=unit, name=f"{rng.choice(MODEL_NAMES[field_])} (2026, {models + 1})",
                          field=field_, year=2026, households=rng.randint(3, 15))
                b.link("SUPPORTS", unit, m, role="owner")
                b.link("LOCATED_IN", m, target)
                b.link("REGISTERED_UNDER", m, plan)
                b.link("WITH_MODEL", a, m)
                models += 1
    figures: dict[str, Any] = {"plan": PLAN_REF, "communes": len(chosen), "assignments": assignments,
                               "models": models, "same_name_pairs": len(chosen),
                               "communes_2025": chosen}
    return b.dataset("today", figures)
