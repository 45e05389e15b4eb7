"""The schema as data: loads graph/schema.yaml, derives ids, validates nodes and edges.

Both stores call :meth:`Schema.check_node` and :meth:`Schema.check_edge` before
writing, so a batch that breaks the schema fails the same way everywhere.

>>> schema = load_schema()
>>> node = schema.node("Commune", name="Xã Đăk Ruồng", code="23488", district="district-614")
>>> node.id
'commune-23488'
>>> [(e.type, e.source, e.target) for e in schema.ref_edges(node)]
[('PART_OF', 'commune-23488', 'district-614')]
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from importlib import resources
from typing import Any

import yaml

from danvan.errors import SchemaError, ValidationError
from danvan.graph.records import RESERVED, RecordSpec
from danvan.graph.types import Edge, Node
from danvan.text import nfc, slug

__all__ = ["EdgeSpec", "LabelSpec", "PropertySpec", "Schema", "load_schema"]

TYPES = {"string", "int", "float", "bool", "date", "strings", "ref"}


@dataclass(frozen=True)
class PropertySpec:
    """One declared property of a label or edge type."""

    name: str
    type: str
    required: bool = False
    default: Any = None
    enum: tuple[Any, ...] | None = None
    to: tuple[str, ...] = ()
    edge: str | None = None
    reverse: bool = False
    display: str = ""
    doc: str = ""
    verbatim: bool = False  # keep surrounding whitespace (document text: offsets point into it)
    enum_display: tuple[tuple[str, str], ...] = ()  # (stored value, what a person reads)

    def shown(self, value: Any) -> Any:
        """What a person reads for a stored value: an enum member in Vietnamese, else the value.

        >>> load_schema().labels["Unit"].properties["kind"].shown("mass_organisation")
        'tổ chức chính trị - xã hội'
        """
        return dict(self.enum_display).get(value, value) if isinstance(value, str) else value


@dataclass(frozen=True)
class LabelSpec:
    """A node label: its id prefix, identity keys, properties and Vietnamese name."""

    name: str
    display: str
    prefix: str
    identity: tuple[str, ...]
    properties: dict[str, PropertySpec]
    style: dict[str, str] = field(default_factory=dict)

    @cached_property
    def refs(self) -> list[PropertySpec]:
        """Properties that hold the id of another node."""
        return [p for p in self.properties.values() if p.type == "ref"]


@dataclass(frozen=True)
class EdgeSpec:
    """An edge type: which labels it joins and what it may carry."""

    name: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    properties: dict[str, PropertySpec]
    display: str = ""


def _prop(name: str, raw: dict[str, Any], where: str) -> PropertySpec:
    kind = raw.get("type")
    if kind not in TYPES:
        raise SchemaError(f"{where}.{name}: unknown type {kind!r}")
    return PropertySpec(
        name=name,
        type=kind,
        required=bool(raw.get("required", False)),
        default=raw.get("default"),
        enum=tuple(raw["enum"]) if "enum" in raw else None,
        to=tuple(raw.get("to", ())),
        edge=raw.get("edge"),
        reverse=bool(raw.get("reverse", False)),
        display=raw.get("display", name),
        doc=raw.get("doc", ""),
        verbatim=bool(raw.get("verbatim", False)),
        enum_display=tuple((str(k), str(v)) for k, v in (raw.get("enum_display") or {}).items()),
    )


@lru_cache(maxsize=1 << 19)
def _id_part(value: str) -> str:
    """One identity value as it appears in an id; cached, since scopes, communes, units
    and plans recur in the ids of every node under them, and a load checks again the
    ids a generator or loader just built (a national dataset has ~300k distinct values,
    which 64k entries would cycle through with no hit)."""
    return slug(value) or "x"


def _bad(spec: PropertySpec, value: Any, where: str) -> ValidationError:
    return ValidationError(where, spec.name, f"expected {spec.type}, got {value!r}")


def _coerce(spec: PropertySpec, value: Any, where: str) -> Any:
    """Return ``value`` in the stored form for ``spec`` or raise ValidationError."""
    kind = spec.type
    if kind in ("string", "ref"):
        if not isinstance(value, str):
            raise _bad(spec, value, where)
        if not value.isascii():  # ASCII text is already NFC
            value = nfc(value)
        if not spec.verbatim:
            value = value.strip()
        if not value or value.isspace():
            raise ValidationError(where, spec.name, "must not be empty")
    elif kind == "int":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _bad(spec, value, where)
        if isinstance(value, float) and not value.is_integer():
            raise _bad(spec, value, where)
        value = int(value)
    elif kind == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _bad(spec, value, where)
        value = float(value)
        if not math.isfinite(value):
            raise _bad(spec, value, where)
    elif kind == "bool":
        if not isinstance(value, bool):
            raise _bad(spec, value, where)
    elif kind == "date":
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            value = value.isoformat()
        if not isinstance(value, str):
            raise _bad(spec, value, where)
        try:
            value = dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise ValidationError(where, spec.name, f"not a date (YYYY-MM-DD): {value!r}") from None
    elif kind == "strings":
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise _bad(spec, value, where)
        if not all(isinstance(v, str) for v in value):
            raise _bad(spec, value, where)
        value = sorted({nfc(v).strip() for v in value if v.strip()})
    if spec.enum is not None and value not in spec.enum:
        raise ValidationError(where, spec.name, f"{value!r} is not one of {list(spec.enum)}")
    return value


def _where(item: Node | Edge) -> str:
    """How an error names the row: a node's label (and id), an edge's type and ends."""
    if isinstance(item, Edge):
        return f"{item.type}[{item.source}->{item.target}]"
    return item.label if not item.id else f"{item.label}[{item.id}]"


def _coercer(spec: PropertySpec) -> Callable[[Any, Node | Edge], Any]:
    """``_coerce`` for one property, with a fast path for the common well-formed value.

    Anything the fast path does not accept outright goes through ``_coerce``,
    which gives the same result or raises the same error.
    """
    def slow(value: Any, node: Node | Edge) -> Any:
        return _coerce(spec, value, _where(node))

    if spec.enum is not None and spec.type == "string" and not spec.verbatim:
        # A value that is exactly a member already is its stored form (the members
        # kept here are NFC, stripped and non-empty, as _coerce would leave them).
        members = frozenset(v for v in spec.enum
                            if v.__class__ is str and v and v == nfc(v).strip())

        def member(value: Any, node: Node | Edge) -> Any:
            return value if value.__class__ is str and value in members else slow(value, node)
        return member
    if spec.enum is not None or spec.verbatim:
        return slow
    if spec.type == "date":
        def date(value: Any, node: Node | Edge) -> Any:
            if value.__class__ is str and len(value) == 10:
                try:
                    if dt.date.fromisoformat(value).isoformat() == value:
                        return value
                except ValueError:
                    pass
            return slow(value, node)
        return date
    if spec.type in ("string", "ref"):
        def text(value: Any, node: Node | Edge) -> Any:
            if value.__class__ is str:
                clean = value.strip() if value.isascii() else nfc(value).strip()
                if clean:
                    return clean
            return slow(value, node)
        return text
    if spec.type == "bool":
        def boolean(value: Any, node: Node | Edge) -> Any:
            return value if value is True or value is False else slow(value, node)
        return boolean
    if spec.type == "int":
        def integer(value: Any, node: Node | Edge) -> Any:
            return value if value.__class__ is int else slow(value, node)
        return integer
    if spec.type == "strings":
        # Evidence lists (``sources``) are on every row's node and edge and are ASCII ids:
        # ASCII text is already NFC, so _coerce's result is the sorted set of stripped items.
        def strings(value: Any, node: Node | Edge) -> Any:
            if value.__class__ is list and len(value) == 1:  # one row's evidence
                only = value[0]
                if only.__class__ is str and only.isascii():
                    only = only.strip()
                    return [only] if only else []
            if value.__class__ is list and all(v.__class__ is str and v.isascii() for v in value):
                return sorted({c for c in (v.strip() for v in value) if c})
            return slow(value, node)
        return strings
    return slow


def _record_specs(raw: dict[str, Any]) -> dict[str, RecordSpec]:
    """The ``records:`` section: the board's bookkeeping kinds (see graph/records.py)."""
    out = {}
    for name, body in raw.items():
        body = body or {}
        index, lists = tuple(body.get("index", ())), tuple(body.get("lists", ()))
        if (not set(lists) <= set(index) or not all(f.isidentifier() for f in index)
                or RESERVED & set(index)):
            raise SchemaError(f"records.{name}: lists must be indexed fields, fields identifiers "
                              f"other than {', '.join(sorted(RESERVED))}")
        out[name] = RecordSpec(name, index, lists, bool(body.get("append_only", False)))
    return out


class Schema:
    """The loaded declaration, with the operations every store and loader shares."""

    def __init__(self, raw: dict[str, Any]) -> None:
        common = {n: _prop(n, p, "common") for n, p in (raw.get("common") or {}).items()}
        self.common: dict[str, PropertySpec] = common
        self.labels: dict[str, LabelSpec] = {}
        for name, body in (raw.get("labels") or {}).items():
            props = {n: _prop(n, p, name) for n, p in (body.get("properties") or {}).items()}
            for key in body.get("identity", []):
                if key not in props:
                    raise SchemaError(f"{name}: identity key {key!r} is not a property")
            self.labels[name] = LabelSpec(
                name=name,
                display=body.get("display", name),
                prefix=body.get("prefix", name.lower()),
                identity=tuple(body.get("identity", [])),
                properties={**props, **{k: v for k, v in common.items() if k not in props}},
                style=dict(body.get("style") or {}),
            )
        self.edges: dict[str, EdgeSpec] = {}
        for name, body in (raw.get("edges") or {}).items():
            props = {n: _prop(n, p, name) for n, p in (body.get("properties") or {}).items()}
            self.edges[name] = EdgeSpec(
                name=name,
                sources=tuple(body.get("from", [])),
                targets=tuple(body.get("to", [])),
                properties={**props, **{k: v for k, v in common.items() if k not in props}},
                display=body.get("display", name),
            )
        self.records = _record_specs(raw.get("records") or {})
        self.groups: dict[str, tuple[str, ...]] = {
            str(k): tuple(v) for k, v in (raw.get("groups") or {}).items()}
        self._resolve()
        # Per edge type: a function per property giving a value's stored form (check_edge).
        self._edge_coercers: dict[str, dict[str, Callable[[Any, Node | Edge], Any]]] = {}

    def _resolve(self) -> None:
        """Second pass: every label and edge type named anywhere must exist."""
        prefixes = [spec.prefix for spec in self.labels.values()]
        if len(set(prefixes)) != len(prefixes):
            raise SchemaError("two labels share an id prefix")
        for edge in self.edges.values():
            for end in edge.sources + edge.targets:
                if end not in self.labels:
                    raise SchemaError(f"edge {edge.name}: unknown label {end!r}")
        for group, members in self.groups.items():
            for member in members:
                if member not in self.labels:
                    raise SchemaError(f"group {group}: unknown label {member!r}")
        for label in self.labels.values():
            for ref in label.refs:
                for target in ref.to:
                    if target not in self.labels:
                        raise SchemaError(f"{label.name}.{ref.name}: unknown label {target!r}")
                if ref.edge and ref.edge not in self.edges:
                    raise SchemaError(f"{label.name}.{ref.name}: unknown edge {ref.edge!r}")

    # ids ---------------------------------------------------------------
    def label(self, name: str) -> LabelSpec:
        """The spec of label ``name``; ValidationError if it is not declared."""
        try:
            return self.labels[name]
        except KeyError:
            raise ValidationError(name, None, "unknown label") from None

    def edge(self, name: str) -> EdgeSpec:
        """The spec of edge type ``name``; ValidationError if it is not declared."""
        try:
            return self.edges[name]
        except KeyError:
            raise ValidationError(name, None, "unknown edge type") from None

    def node_id(self, label: str, props: dict[str, Any]) -> str:
        """Deterministic, URL-safe id from the identity properties.

        >>> load_schema().node_id("Directive", {"scope": "district-614", "ref": "26-KH/HU"})
        'directive-district-614-26-kh-hu'
        """
        prefix, keys = self._identity(label)
        parts = [prefix]
        for key, default in keys:
            value = props.get(key, default)
            if value is None:
                raise ValidationError(label, key, "is required (identity key)")
            if default is not None and value == default:
                continue
            parts.append(_id_part(value if value.__class__ is str else str(value)))
        return "-".join(parts)

    @cache  # noqa: B019 - one Schema per process
    def _identity(self, label: str) -> tuple[str, tuple[tuple[str, Any], ...]]:
        """The id prefix of ``label`` and its identity keys with their defaults."""
        spec = self.label(label)
        return spec.prefix, tuple((key, spec.properties[key].default) for key in spec.identity)

    # nodes -------------------------------------------------------------
    def node(self, label: str, **props: Any) -> Node:
        """Build a checked node whose id comes from its identity keys."""
        return self.check_node(Node(label=label, id="", props=props))

    def check_node(self, node: Node) -> Node:
        """Validate and normalise ``node``; fill its id when empty.

        Raises ValidationError naming the label and property at fault.
        """
        if node.checked and node.id:
            return node
        coercers = self._coercers(node.label)
        clean: dict[str, Any] = {}
        for key, value in node.props.items():
            coerce = coercers.get(key)
            if coerce is None:
                if key in ("id", "label"):
                    continue
                raise ValidationError(_where(node), key, "unknown property")
            if value is not None:
                clean[key] = coerce(value, node)
        defaults, required = self._fills(node.label)
        for name, default in defaults:
            if name not in clean:
                clean[name] = default
        for name in required:
            if name not in clean:
                raise ValidationError(_where(node), name, "is required")
        node_id = self.node_id(node.label, clean)
        if node.id and node.id != node_id:
            raise ValidationError(_where(node), "id",
                                  f"does not match its identity keys ({node_id})")
        return Node(label=node.label, id=node_id, props=clean, checked=True)

    @cache  # noqa: B019 - one Schema per process
    def _coercers(self, label: str) -> dict[str, Callable[[Any, Node | Edge], Any]]:
        """For each property of ``label``: a function giving a value's stored form."""
        return {name: _coercer(prop) for name, prop in self.label(label).properties.items()}

    @cache  # noqa: B019 - one Schema per process
    def _fills(self, label: str) -> tuple[tuple[tuple[str, Any], ...], tuple[str, ...]]:
        """The defaults a node of ``label`` gets, and its required properties, in order."""
        props = self.labels[label].properties.values()
        return (tuple((p.name, p.default) for p in props if p.default is not None and p.type != "ref"),
                tuple(p.name for p in props if p.required))

    def ref_edges(self, node: Node) -> list[Edge]:
        """Edges implied by a node's reference properties (e.g. Village.commune → PART_OF).

        They carry the node's ``sources`` as evidence, and ``synthetic: true`` when the
        node has it: an edge implied by generated data is generated data too.
        """
        out = []
        props = node.props
        evidence = {"sources": props["sources"]} if props.get("sources") else {}
        if props.get("synthetic") is True:
            evidence["synthetic"] = True
        for name, edge, reverse, default in self._refs(node.label):
            target = props.get(name)
            if target is None or target == default:
                continue
            if reverse:
                out.append(Edge(edge, target, node.id, dict(evidence)))
            else:
                out.append(Edge(edge, node.id, target, dict(evidence)))
        return out

    @cache  # noqa: B019 - one Schema per process
    def _refs(self, label: str) -> tuple[tuple[str, str, bool, Any], ...]:
        """(property, edge type, reverse, default) of each reference of ``label`` that implies an edge."""
        return tuple((r.name, r.edge, r.reverse, r.default) for r in self.label(label).refs if r.edge)

    # edges -------------------------------------------------------------
    def check_edge(self, edge: Edge, source_label: str, target_label: str) -> Edge:
        """Validate ``edge`` given the labels of its two ends."""
        spec = self.edges.get(edge.type) or self.edge(edge.type)
        if source_label not in spec.sources:
            raise ValidationError(_where(edge), "source", f"{source_label} cannot start {edge.type}")
        if target_label not in spec.targets:
            raise ValidationError(_where(edge), "target", f"{target_label} cannot end {edge.type}")
        if not edge.props:
            return edge
        coercers = self._edge_coercers.get(edge.type)
        if coercers is None:
            coercers = self._edge_coercers[edge.type] = {
                name: _coercer(prop) for name, prop in spec.properties.items()}
        clean: dict[str, Any] = {}
        for name, value in edge.props.items():
            coerce = coercers.get(name)
            if coerce is None:
                raise ValidationError(_where(edge), name, "unknown property")
            if value is not None:
                clean[name] = coerce(value, edge)
        return Edge(type=edge.type, source=edge.source, target=edge.target, props=clean)

    def group(self, name: str) -> tuple[str, ...]:
        """The labels of group ``name`` (``groups:`` in schema.yaml).

        >>> load_schema().group("organisations")
        ('Unit', 'PartyBody')
        """
        try:
            return self.groups[name]
        except KeyError:
            raise SchemaError(f"no label group {name!r}") from None

    def enum(self, label: str, prop: str) -> tuple[Any, ...]:
        """The allowed values of ``label.prop``, in the declared order.

        >>> load_schema().enum("Model", "field")[0]
        'kinh tế'
        """
        values = self.label(label).properties[prop].enum
        if values is None:
            raise SchemaError(f"{label}.{prop} has no enum")
        return values

    def label_of_id(self, node_id: str) -> str | None:
        """The label whose prefix starts ``node_id`` (ids are '<prefix>-…')."""
        return self._by_prefix().get(node_id.split("-", 1)[0])

    @cache  # noqa: B019 - one Schema per process
    def _by_prefix(self) -> dict[str, str]:
        return {spec.prefix: spec.name for spec in self.labels.values()}


@cache
def load_schema() -> Schema:
    """The schema shipped with danvan (graph/schema.yaml), loaded once."""
    text = resources.files("danvan.graph").joinpath("schema.yaml").read_text("utf-8")
    return Schema(yaml.safe_load(text))
