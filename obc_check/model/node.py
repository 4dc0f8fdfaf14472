"""The base of every compiled node: frozen, no unknown fields, a span kept out of JSON."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from obc_check.diagnostics import Span


class Node(BaseModel):
    """Base of every compiled node: frozen, no unknown fields, a span kept out of JSON."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    span: SkipJsonSchema[Span | None] = Field(default=None, exclude=True, repr=False)
