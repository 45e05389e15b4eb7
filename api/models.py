"""Response and request models of the API; the node models are built from graph/schema.yaml.

For every label of the schema there is ``<Label>Properties`` (one optional field
per declared property, described with its Vietnamese display name) and
``<Label>Entity`` (``{"id", "type", "name", "properties", "sources"}``);
:data:`Entity` is their union, discriminated by ``type``. Adding a label or a
property to the schema changes the OpenAPI document without touching this file.

Contract shapes (lists, places, coverage…) are written by hand below; every
model accepts extra fields, so queries may add information without breaking
the API.

>>> PROPERTY_MODELS["Village"].model_fields["name"].description
'Tên'
>>> sorted(ENTITY_MODELS) == sorted(load_schema().labels)
True
"""

from __future__ import annotations

import datetime as dt
import keyword
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, create_model

from danvan.graph.schema import LabelSpec, PropertySpec, load_schema

__all__ = [
    "ENTITY_MODELS", "PROPERTY_MODELS", "AssignmentCreated", "AssignmentIn", "AssignmentItem",
    "AssignmentList", "Coverage", "DirectiveItem", "DirectiveList", "Entity", "Health", "ItemList",
    "Lineage", "Neighbourhood", "Place", "PlaceList", "Problem", "QueryInfo", "SearchList",
]

_OPEN = ConfigDict(extra="allow", populate_by_name=True)
_PY_TYPES: dict[str, Any] = {"string": str, "ref": str, "date": str, "int": int, "float": float,
                             "bool": bool, "strings": list[str]}


class Open(BaseModel):
    """Base of the response models: unknown fields are kept, not rejected."""

    model_config = _OPEN


def _field_name(name: str) -> str:
    """A Python-safe attribute name for a schema property (``from`` → ``from_``)."""
    if keyword.iskeyword(name) or name.startswith("_") or hasattr(BaseModel, name):
        return f"{name.lstrip('_')}_"
    return name


def _property_field(prop: PropertySpec) -> tuple[Any, Any]:
    description = prop.display + (f" — {prop.doc}" if prop.doc else "")
    extra: dict[str, Any] = {}
    if prop.type == "date":
        extra["format"] = "date"
    if prop.type == "ref":
        extra["x-refers-to"] = list(prop.to)
    if prop.enum is not None:
        extra["enum"] = list(prop.enum)
    return (_PY_TYPES[prop.type] | None, Field(None, alias=prop.name, description=description,
                                               json_schema_extra=extra or None))


def _properties_model(spec: LabelSpec) -> type[BaseModel]:
    fields = {_field_name(name): _property_field(p) for name, p in spec.properties.items()}
    return create_model(f"{spec.name}Properties", __config__=_OPEN,
                        __doc__=f"Thuộc tính của {spec.display} ({spec.name}).", **fields)


class SourceSpan(Open):
    """Where a fact was read: document id, character offsets, and the quoted text when known."""

    document: str
    start: int | None = None
    end: int | None = None
    text: str | None = None


def _entity_model(spec: LabelSpec, properties: type[BaseModel]) -> type[BaseModel]:
    return create_model(
        f"{spec.name}Entity", __config__=_OPEN, __doc__=f"{spec.display} ({spec.name}).",
        id=(str, Field(description="id, e.g. commune-23488")),
        type=(Literal[spec.name], Field(description=f"nhãn: {spec.name} ({spec.display})")),  # type: ignore[valid-type]
        name=(str | None, Field(None, description="tên hiển thị")),
        properties=(properties, Field(description="thuộc tính theo lược đồ (graph/schema.yaml)")),
        sources=(list[SourceSpan], Field(default_factory=list, description="bằng chứng, nguồn")),
    )


_SCHEMA = load_schema()
PROPERTY_MODELS: dict[str, type[BaseModel]] = {
    label: _properties_model(spec) for label, spec in _SCHEMA.labels.items()}
ENTITY_MODELS: dict[str, type[BaseModel]] = {
    label: _entity_model(spec, PROPERTY_MODELS[label]) for label, spec in _SCHEMA.labels.items()}
Entity = Annotated[Union[tuple(ENTITY_MODELS.values())], Field(discriminator="type")]  # type: ignore[valid-type]  # noqa: UP007


# contract shapes -------------------------------------------------------------------------
class Problem(Open):
    """An error (RFC 9457), served as application/problem+json."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    param: str | None = Field(None, description="the parameter at fault (422)")
    candidates: list[dict[str, Any]] | None = Field(None, description="possible matches (409)")


class Health(Open):
    """Is the API up, which store does it use, how big is the graph."""

    status: Literal["ok"]
    store: Literal["embedded", "neo4j"]
    nodes: int
    edges: int


class Ref(Open):
    """A reference to another node."""

    id: str | None = None
    name: str | None = None


class AssignmentItem(Open):
    """One assignment: a unit helps a village (or commune, district) under a plan."""

    id: str
    unit: Ref
    target: Ref
    village: Ref | None = None
    commune: Ref | None = Field(None, description="xã trong bản đồ được chọn (map)")
    former_commune: Ref | None = Field(None, description="xã cũ (trước 1/7/2025) khi map=2025")
    district: Ref | None = None
    plan: Ref | None = Field(None, description="{id, number}")
    models: list[Ref] = Field(default_factory=list)
    from_: str | None = Field(None, alias="from", description="Từ ngày")
    until: str | None = Field(None, description="Đến ngày")
    households: int | None = None
    note: str | None = Field(None, description="Ghi chú")
    synthetic: bool = False
    sources: list[SourceSpan] = Field(default_factory=list)


class AssignmentList(Open):
    """A page of assignments and how many match in all."""

    items: list[AssignmentItem]
    total: int


class ItemList(Open):
    """A page of items and how many match in all."""

    items: list[dict[str, Any]]
    total: int | None = None


class DirectiveItem(Open):
    """A directive, plan or report (văn bản)."""

    id: str
    number: str | None = None
    kind: str | None = None
    date: str | None = None
    issuer: Ref | None = None
    title: str | None = None


class DirectiveList(Open):
    """A page of directives."""

    items: list[DirectiveItem]
    total: int


class Lineage(Open):
    """What a directive implements and is based on, and what implements it or is based on it."""

    implements: list[dict[str, Any]] = Field(default_factory=list)
    implemented_by: list[dict[str, Any]] = Field(default_factory=list)
    based_on: list[dict[str, Any]] = Field(default_factory=list)
    basis_for: list[dict[str, Any]] = Field(default_factory=list)


class Place(Open):
    """A province, district, commune or village (legacy or 2025)."""

    id: str
    level: str | None = None
    name: str | None = None
    official_code: str | None = None
    parent: Any = None
    successor: Any = None
    aliases: list[str] = Field(default_factory=list)


class PlaceList(Open):
    """A page of places."""

    items: list[Place]
    total: int


class Coverage(Open):
    """Villages helped and not, overlaps, units, models and households for a plan or area."""

    villages_total: int
    villages_helped: int
    villages_unhelped: list[dict[str, Any]]
    villages_overlapping: list[dict[str, Any]]
    units_total: int
    units_with_models: int
    models_by_category: dict[str, int]
    households_supported: int


class SearchItem(Open):
    """A search hit."""

    id: str
    type: str
    name: str
    score: float


class SearchList(Open):
    """Search hits, best first."""

    items: list[SearchItem]


class Neighbourhood(Open):
    """The nodes and edges around an entity."""

    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]


class ParamInfo(Open):
    """A parameter of a catalogued query."""

    name: str
    type: str
    default: Any = None
    help: str = ""
    required: bool = False
    minimum: int | None = None
    maximum: int | None = None
    choices: list[str] | None = None


class QueryInfo(Open):
    """A catalogued query: what it answers and how to call it."""

    name: str
    title: str
    description: str
    params: list[ParamInfo]
    example: dict[str, Any]
    url: str = Field(description="generic endpoint: /api/v1/queries/{name}")
    endpoint: str | None = Field(None, description="dedicated endpoint, when there is one")


class AssignmentIn(BaseModel):
    """A new assignment: names or ids, resolved like the query filters."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=True,
                              json_schema_extra={"example": {
                                  "unit": "Hội LHPN huyện Kon Rẫy", "village": "Thôn 9",
                                  "commune": "Xã Đăk Ruồng", "plan": "26-KH/HU",
                                  "from": "2024-01-01", "households": 5}})

    unit: str = Field(min_length=1, max_length=200, description="Đơn vị giúp đỡ (id hoặc tên)")
    village: str | None = Field(None, min_length=1, max_length=200,
                                description="Thôn, làng (id hoặc tên; kèm xã nếu trùng tên)")
    commune: str | None = Field(None, min_length=1, max_length=200,
                                description="Xã (giúp cả xã, hoặc để phân biệt thôn trùng tên)")
    plan: str | None = Field(None, min_length=1, max_length=200,
                             description="Kế hoạch (id, số ký hiệu hoặc tên)")
    from_: dt.date | None = Field(None, alias="from", description="Từ ngày (YYYY-MM-DD)")
    until: dt.date | None = Field(None, description="Đến ngày (YYYY-MM-DD)")
    households: int | None = Field(None, ge=0, le=1_000_000, description="Số hộ được giúp")
    note: str | None = Field(None, max_length=2000, description="Ghi chú")


class AssignmentCreated(Open):
    """The assignment as it is now stored, and whether it was new."""

    created: bool
    assignment: AssignmentItem
