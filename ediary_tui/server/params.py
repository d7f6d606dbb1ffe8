"""Query parameters read as strictly as a JSON body.

FastAPI reads a query's `int` as pydantic does a string: "+5", " 5 ", "5_0" and "5.0"
are all 5, and a `bool` is also "yes", "on", "1" or "t". The API takes digits and
`true`/`false` only, as API.md promises.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError


def _digits(value: Any) -> Any:
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise PydanticCustomError("int_parsing", "give a whole number in the digits 0-9")
    return value


def _true_or_false(value: Any) -> Any:
    if isinstance(value, str):
        if value not in ("true", "false"):
            raise PydanticCustomError("bool_parsing", "give true or false")
        return value == "true"
    return value


QueryInt = Annotated[int, BeforeValidator(_digits)]
QueryBool = Annotated[bool, BeforeValidator(_true_or_false)]
