"""A fast path for big reads: the model is serialised once, by pydantic.

A route that returns a model makes FastAPI validate it again against
`response_model` before dumping it; the big reads (the journal) skip that by
returning the JSON bytes. `response_model` stays on the route for the OpenAPI
document.
"""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel


class ModelResponse(Response):
    media_type = "application/json"

    def __init__(self, model: BaseModel, status_code: int = 200) -> None:
        super().__init__(model.model_dump_json(by_alias=True).encode(), status_code=status_code)
