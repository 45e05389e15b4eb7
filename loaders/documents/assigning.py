"""Who helps whom, from the sentences that say it: ``ASSIGNED`` unit → village or commune.

Rules written by hand for Vietnamese administrative prose (no library reads these
frames). A clause (a sentence, or a part of it between semicolons) that carries a
trigger — *kết nghĩa*, *đỡ đầu*, *phụ trách*, *được giao chỉ đạo*, *giúp đỡ*, *hỗ trợ*,
*gắn bó với* — links:

* the units written before it, a list joined by "," / "và" / "cùng" / "phối hợp cùng"
  ("Thanh tra tỉnh, Ban Quản lý Khu kinh tế tỉnh cùng là đơn vị kết nghĩa của làng X"),
* to the villages (else communes) written after it, a list too ("giúp đỡ thôn A và
  thôn B"; the commune in "(xã Y, huyện Z)" is where the village is, not a target);

and the passive frames "khu vực do Đồn Biên phòng X phụ trách", "buôn kết nghĩa của
Công ty Y". *Giúp đỡ* and *hỗ trợ* count only with the place itself as their object:
"hỗ trợ 2 hộ dân xã A" is help to households, a gift, not an assignment. A plural subject
("58 cơ quan giúp đỡ 61 xã") names no unit and yields nothing (it stays a statistic).

Every relation carries a confidence (strong trigger 0.85, *giúp đỡ*/*hỗ trợ* 0.75,
passive frames 0.75, commune–commune twinning 0.65, bounded by its ends' confidence)
and what the sentence adds: the plan it cites, the households and years it states.

>>> from danvan.loaders.documents.extractor import Extractor
>>> from danvan.loaders.reference.gazetteer import Gazetteer
>>> ex = Extractor(Gazetteer()).extract("Ngày 2/3/2024, Sở Y tế tỉnh Gia Lai nhận kết nghĩa "
...                                     "cùng làng Quen (xã Ia Me, huyện Chư Prông).")
>>> [(ex.mentions[r.source].canonical, ex.mentions[r.target].canonical)
...  for r in ex.relations if r.type == "ASSIGNED"]
[('Sở Y tế tỉnh Gia Lai', 'Làng Quen, Xã Ia Me')]
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import TYPE_CHECKING, Any

from danvan.loaders.documents import patterns as P
from danvan.loaders.reference.gazetteer import squash

if TYPE_CHECKING:
    from danvan.loaders.documents.extractor import Mention, Relation, _Run

__all__ = ["PROPOSE_BELOW", "find_assignments"]

#: facts less sure than this are kept as proposals for review, not as established facts
PROPOSE_BELOW = 0.7

_STRONG = 0.85
_WEAK = 0.75
_TRIGGER = re.compile(
    r"(?<![a-z])(ket nghia|do dau|phu trach(?: chi dao)?|(?:duoc )?giao chi dao|giup do|"
    r"ho tro|gan bo voi)(?![a-z])")
_WEAK_TRIGGERS = {"giup do", "ho tro"}
#: between two units of one subject ("A, B cùng C", "A đã phối hợp cùng B", "tổ X – tổ gồm A")
_CHAIN = re.compile(r"\s*(?:,|và|cùng|cùng với|với|đã phối hợp cùng|phối hợp cùng|"
                    r"[–-]\s*tổ gồm|gồm|[–-])\s*", re.I)
#: between targets of one list ("làng A (xã B, huyện C) và làng D")
_LIST = re.compile(r"[\s,]*(?:và|hoặc|cùng)?[\s]*", re.I)
#: the object of "giúp đỡ" is people or things, not the place: a gift, not an assignment
_NOT_PLACE_OBJECT = re.compile(r"(?<![a-z])(ho|ba con|nguoi dan|hoc sinh|gia dinh|nhan dan|"
                               r"cho|em|chau|doan vien|hoi vien|qua|gao)(?![a-z])")
_OWNED = re.compile(r"(?<![a-z])(cua|do|thuoc) $")
_CLAUSE_END = re.compile(r"[;!?\n]|\.(?=\s+[A-ZĐÀ-Ỹ\"“(])|\.$")
_PLACES = ("village", "commune")
_PLAN_KINDS = ("Kế hoạch", "Quyết định", "Chương trình", "Chương trình phối hợp", "Đề án",
               "Kế hoạch phối hợp", "Thông báo", "Công văn", "Chỉ thị")


def find_assignments(run: _Run, self_index: int | None, others: set[Relation] | None = None,
                     ) -> set[Relation]:
    """``ASSIGNED`` relations of one extraction, one per (unit, place) pair.

    ``others`` are the extraction's other relations: a unit that keeps or helps a model
    (SUPPORTS) located in a village (LOCATED_IN) is assigned to that village, as the
    curated knowledge base and an import read a model row.
    """
    from danvan.loaders.documents.extractor import Relation

    ms, folded = run.mentions, run.folded
    index = {id(m): i for i, m in enumerate(ms)}
    found: dict[tuple[str, str], Relation] = {}
    inside = [(m.start, m.end) for m in ms if m.type in ("organisation", "directive", "model")]

    facts_of: dict[tuple[int, int], tuple[tuple[str, Any], ...]] = {}

    def add(src: Mention, dst: Mention, conf: float, start: int, end: int,
            clause: tuple[int, int]) -> None:
        if src.unresolved or dst.unresolved or (dst.type == "village"
                                                and not dst.attributes.get("commune")):
            return
        key = (squash(src.canonical), squash(dst.canonical))
        conf = round(min(conf, src.confidence + 0.1, dst.confidence + 0.1), 2)
        if key in found and found[key].confidence >= conf:
            return
        if clause not in facts_of:
            facts_of[clause] = _facts(run, clause, self_index)
        found[key] = Relation("ASSIGNED", index[id(src)], index[id(dst)], min(start, src.start),
                              max(end, dst.end), conf, facts_of[clause])

    starts = [m.start for m in ms]  # sorted: the extractor orders its mentions by start
    for t in _TRIGGER.finditer(folded):
        if any(a <= t.start() < b for a, b in inside):
            continue  # "tổ kết nghĩa số 8": part of a name
        clause = _clause(run, t.start())
        strength = _WEAK if t.group(1) in _WEAK_TRIGGERS else _STRONG
        in_clause = [m for m in ms[bisect_left(starts, clause[0]):bisect_left(starts, clause[1])]
                     if m.end <= clause[1]]
        # passive: "khu vực do Đồn Biên phòng X phụ trách"
        by = _passive_by(run, in_clause, t.start())
        if by is not None:
            place = _last(in_clause, _PLACES, before=by.start)
            if place is not None:
                add(by, place, _WEAK, place.start, t.end(), clause)
            continue
        # "(buôn) kết nghĩa của Công ty Y": the place is the clause's subject
        of = re.match(r"\s+của\s+", run.text[t.end():t.end() + 8])
        owner = _starting(in_clause, t.end() + of.end(), ("organisation",)) if of else None
        if owner is not None and re.search(r"(thon|buon|lang|ban|bon|plei|xa) $",
                                           folded[max(0, t.start() - 6):t.start()]):
            place = _first(in_clause, _PLACES, before=t.start())
            if place is not None:
                add(owner, place, _WEAK, place.start, owner.end, clause)
            continue
        units = _subjects(run, in_clause, t.start())
        if not units:
            continue
        targets = _targets(run, in_clause, t.end(), strength == _WEAK)
        if targets:
            for u in units:
                for p in targets:
                    add(u, p, strength, u.start, p.end, clause)
        elif t.group(1) == "ket nghia" and len(units) >= 2:
            # "Đảng ủy phường A cùng Đảng ủy xã B … kết nghĩa": the first helps the other's commune
            for other in units[1:]:
                place = _first([m for m in in_clause if other.start <= m.start < other.end],
                               ("commune",), before=other.end)
                if place is not None:
                    add(units[0], place, 0.65, units[0].start, t.end(), clause)
    for rel in _model_assignments(run, others or set(), self_index):
        key = (squash(ms[rel.source].canonical), squash(ms[rel.target].canonical))
        found.setdefault(key, rel)
    for rel in _group_assignments(run, self_index):
        key = (squash(ms[rel.source].canonical), squash(ms[rel.target].canonical))
        found.setdefault(key, rel)
    return set(found.values())


def _model_assignments(run: _Run, rels: set[Relation], self_index: int | None,
                       ) -> list[Relation]:
    from danvan.loaders.documents.extractor import Relation

    ms = run.mentions
    owners: dict[int, list[Relation]] = {}
    places: dict[int, list[Relation]] = {}
    plans: dict[int, int] = {}
    for r in rels:
        if r.type == "SUPPORTS" and ms[r.target].type == "model":
            owners.setdefault(r.target, []).append(r)
        elif r.type == "LOCATED_IN" and ms[r.target].type in _PLACES:
            places.setdefault(r.source, []).append(r)
        elif r.type == "REGISTERED_UNDER":
            plans[r.source] = r.target
    out = []
    default_plan = _document_plan(run, self_index)
    for model, supports in owners.items():
        plan = plans.get(model, default_plan)
        for s in supports:
            for loc in places.get(model, []):
                unit, place = ms[s.source], ms[loc.target]
                if unit.unresolved or place.unresolved:
                    continue
                facts = (("model", model),) + ((("plan", plan),) if plan is not None else ())
                conf = round(min(0.8, unit.confidence + 0.1, place.confidence + 0.1), 2)
                out.append(Relation("ASSIGNED", s.source, loc.target, min(s.start, loc.start),
                                    max(s.end, loc.end), conf, facts))
    return out


def _document_plan(run: _Run, self_index: int | None) -> int | None:
    """The plan a document works under: its own number if it is one, else the first plan
    (Kế hoạch) it names near its top ("kết quả thực hiện Kế hoạch số 26-KH/HU")."""
    ms = run.mentions
    if self_index is not None and ms[self_index].attributes.get("kind") in _PLAN_KINDS[:5] \
            and ms[self_index].attributes.get("number"):
        return self_index
    for i, m in enumerate(ms):
        if m.type == "directive" and (m.attributes.get("kind_code") or "").upper() == "KH" \
                and m.start < 1500 and m.attributes.get("number"):
            return i
    return None


#: a group of units named by kind, not by name: "các cơ quan, đơn vị cấp tỉnh", "58 cơ quan, đơn
#: vị ở huyện", "8 đơn vị trực thuộc Đảng ủy xã A và B", followed by "(đã) được phân công"
_GROUP = re.compile(r"(?<![\w])(?:các|\d+)\s+((?:cơ quan|đơn vị|doanh nghiệp|tổ chức cơ sở Đảng)"
                    r"[^.;:]{0,80}?)\s+(?:đã\s+)?được\s+phân công\s+", re.I)


def _group_assignments(run: _Run, self_index: int | None) -> list[Relation]:
    """A group of units assigned, by a numbered plan, to places the sentence names.

    The group becomes one unit named after the plan ("Các cơ quan, đơn vị ở huyện Kbang được
    phân công theo Thông báo 413-TB/HU"), as the knowledge base names such groups; with no
    place named ("58 cơ quan giúp đỡ 61 xã") nothing is made — the figure stays a statistic.
    """
    from danvan.loaders.documents.extractor import Mention, Relation

    out: list[Relation] = []
    ms, text = run.mentions, run.text
    # the group regex only where "được phân công" is written (a plain search finds those fast)
    hits = []
    for m in re.finditer(r"được\s+phân công", text, re.I):
        g = None
        for found_g in _GROUP.finditer(text, max(0, m.start() - 130), m.end() + 1):
            g = found_g
        if g is not None and g.end() >= m.end() and g not in hits:
            hits.append(g)
    for g in hits:
        clause = _clause(run, g.start())
        sentence = (max(0, text.rfind(". ", 0, g.start()) + 1), clause[1])
        plans = [m for m in ms if m.type == "directive" and sentence[0] <= m.start < sentence[1]]
        if not plans:
            continue
        plan = plans[-1] if plans[-1].start < g.start() else plans[0]
        targets = [m for m in ms if g.end() <= m.start < clause[1]
                   and m.type in ("village", "commune", "district") and not m.unresolved]
        if not targets:
            continue
        kind = targets[0].type
        targets = [t for t in targets if t.type == kind]
        phrase = " ".join(text[g.start(1):g.end(1)].split())
        for group in re.split(r"\s+và\s+(?=\d+\s|các\s)", phrase):
            group = re.sub(r"^\d+\s+", "", group)
            level = "province" if re.search(r"cấp tỉnh", group) else (
                "district" if run.district else "province")
            scope_id, place = run.scope_of(level, None, g.start())
            if scope_id is None:
                continue
            # "ở huyện" alone is the document's district
            group = re.sub(r"(ở|của|trên địa bàn) (huyện|tỉnh)$", rf"\g<0> {place}", group)
            kind_word = plan.attributes.get("kind") or ""
            name = f"Các {group} được phân công theo {kind_word} {plan.canonical}".replace(
                "  ", " ")
            # a mention type of its own: the group is no named body (gold files mark none)
            unit = Mention("group", "", g.start(), g.start(), name, None,
                           {"kind": "other", "scope": scope_id, "group": True}, label="Unit",
                           props={"name": name, "scope": scope_id, "kind": "other"},
                           confidence=0.7)
            ms.append(unit)
            index = len(ms) - 1
            plan_index = next(i for i, m in enumerate(ms) if m is plan)
            for t in targets:
                out.append(Relation("ASSIGNED", index, ms.index(t), g.start(), t.end, 0.7,
                                    (("plan", plan_index),)))
    return out


def _clause(run: _Run, at: int) -> tuple[int, int]:
    text = run.text
    start = 0
    for m in _CLAUSE_END.finditer(text, max(0, at - 600), at):
        start = m.end()
    end_m = _CLAUSE_END.search(text, at)
    return start, end_m.start() if end_m else len(text)


def _starting(ms: list[Mention], at: int, types: tuple[str, ...]) -> Mention | None:
    return next((m for m in ms if m.type in types and at <= m.start <= at + 1), None)


def _first(ms: list[Mention], types: tuple[str, ...], before: int) -> Mention | None:
    return next((m for m in ms if m.type in types and m.end <= before), None)


def _last(ms: list[Mention], types: tuple[str, ...], before: int) -> Mention | None:
    hits = [m for m in ms if m.type in types and m.end <= before]
    # a village's commune written after it is its context: the village is the place
    for m in reversed(hits):
        if m.type == "village" or not any(v.type == "village" and v.attributes.get("commune")
                                          == m.id and v.end <= m.start for v in hits):
            return m
    return None


def _passive_by(run: _Run, ms: list[Mention], at: int) -> Mention | None:
    for m in ms:
        if m.type == "organisation" and m.end <= at and re.fullmatch(
                r"\s*", run.text[m.end:at]) and re.search(r"(?<![a-z])do $",
                                                          run.folded[max(0, m.start - 4):m.start]):
            return m
    return None


def _subjects(run: _Run, ms: list[Mention], at: int) -> list[Mention]:
    """The units written before the trigger at ``at``: the last one near it, and the list
    it closes."""
    text = run.text
    cands = [m for m in ms if m.end <= at and (m.type == "organisation" or (
        m.type == "commune" and re.search(r"đơn vị\s+$", text[max(0, m.start - 10):m.start],
                                          re.I)))]
    # the innermost mention of a nest ("UBND" inside "Văn phòng UBND tỉnh") is not a unit
    cands = [m for m in cands if not any(o is not m and o.type == "organisation"
                                         and o.start <= m.start and m.end <= o.end
                                         and (o.end - o.start) > (m.end - m.start)
                                         for o in cands)]
    if not cands:
        return []
    last = cands[-1]
    if _OWNED.search(run.folded[max(0, last.start - 6):last.start]):
        return []  # "… của Ban Thường vụ Huyện ủy": the issuer of what is cited, no subject
    gap = text[last.end:at]
    if len(gap) > 50 or re.search(r"[;:]|\bphối hợp với\b|\bcho\b", gap) or any(
            m.start >= last.end and m.end <= at and m.type in ("village", "commune")
            for m in ms):
        return []
    out = [last]
    for m in reversed(cands[:-1]):
        if m.end > out[-1].start:
            continue
        if not _CHAIN.fullmatch(text[m.end:out[-1].start]) or _OWNED.search(
                run.folded[max(0, m.start - 6):m.start]):
            break
        out.append(m)
    return list(reversed(out))


def _targets(run: _Run, ms: list[Mention], at: int, weak: bool) -> list[Mention]:
    """The villages (else communes) the trigger at ``at`` names as its object, and the list
    they make."""
    text, folded = run.text, run.folded
    after = [m for m in ms if m.start >= at and m.type in (*_PLACES, "district", "organisation")]
    places = [m for m in after if m.type in _PLACES]
    if not places:
        return []
    first = places[0]
    gap = folded[at:first.start]
    if len(gap) > (90 if not weak else 70) or _NOT_PLACE_OBJECT.search(gap) or any(
            m.type == "organisation" and m.start < first.start for m in after):
        return []
    if weak and not re.fullmatch(r"[\s,]*(?:va giup do|va ho tro|giup do|ho tro)?[\s,]*"
                                 r"(?:(?:cac|nhung|\d+|hai|ba|bon|nam)\s+)?"
                                 r"(?:(?:xa|thon|lang|buon|ban|bon|plei)[^,;]{0,40}?,?\s*"
                                 r"(?:do la|la|gom)\s*)?", gap):
        return []
    out = [first]
    pos = first.end
    for m in after[after.index(first) + 1:]:
        if m.type in ("district", "organisation"):
            if m.type == "organisation":
                break
            pos = m.end  # "(xã B, huyện C)": where the village is
            continue
        if m.type == "commune" and out[-1].type == "village" and \
                out[-1].attributes.get("commune") == m.id:
            pos = m.end
            continue
        if m.type != first.type:
            break
        if not _LIST.fullmatch(re.sub(r"[()]", " ", text[pos:m.start])):
            break
        out.append(m)
        pos = m.end
    return out


def _facts(run: _Run, clause: tuple[int, int], self_index: int | None,
           ) -> tuple[tuple[str, Any], ...]:
    """Plan, households and years the clause (or its sentence) states."""
    ms, text = run.mentions, run.text
    out: dict[str, Any] = {}
    sentence = (max(0, text.rfind(". ", 0, clause[0]) + 1, text.rfind("\n", 0, clause[0]) + 1),
                clause[1])
    # a plan, decision or programme the sentence names (a report it cites is no plan)
    plans = [i for i, m in enumerate(ms) if m.type == "directive" and m.attributes.get("number")
             and sentence[0] <= m.start < sentence[1] and i != self_index
             and m.attributes.get("kind") in _PLAN_KINDS]
    if plans:
        out["plan"] = plans[0]
    elif self_index is not None and ms[self_index].attributes.get("kind") in _PLAN_KINDS \
            and ms[self_index].attributes.get("number"):
        out["plan"] = self_index
    body = text[clause[0]:clause[1]]
    hh = re.search(r"(?<![\d.,])(\d{1,3}(?:\.\d{3})*)\s+hộ(?! nghèo trên)", body)
    if hh:
        out["households"] = int(P.parse_number_value(hh.group(1)))
    span = text[sentence[0]:sentence[1]]
    period = P.PERIOD.search(span) or re.search(r"[Tt]ừ năm (\d{4}) đến(?: năm)? (\d{4})", span)
    if period:
        out["from"], out["until"] = f"{period.group(1)}-01-01", f"{period.group(2)}-12-31"
    return tuple(sorted(out.items()))
