"""Look-alike routes written once: one function, and a table of the routes made of it.

FastAPI documents a route by its function: the operation id and the summary come from its
name, the description from its docstring, the parameters and the answer from its
signature. ``variant`` makes a route of one function under a name and a description of its
own, with the annotations that route differs in (its request body's model), so that each
route is documented exactly as if it had been written out.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar, get_type_hints

Answer = TypeVar("Answer")


def variant(
    run: Callable[..., Answer], *, name: str, doc: str, **annotations: Any
) -> Callable[..., Answer]:
    """The route ``name`` that ``doc`` describes, which runs ``run``: its parameters are
    ``run``'s, in its order, but for the ``annotations`` given (say ``body=ProgressRequest``)."""
    hints = get_type_hints(run, include_extras=True)  # read where ``run`` was written
    signature = inspect.signature(run)
    if unknown := annotations.keys() - signature.parameters.keys():
        raise TypeError(f"{name}: {run.__name__} has no parameter {sorted(unknown)}")
    parameters = [
        p.replace(annotation=annotations.get(p.name, hints[p.name]))
        for p in signature.parameters.values()
    ]

    def route(**given: Any) -> Answer:
        return run(**given)

    made: Any = route
    made.__name__ = made.__qualname__ = name
    made.__doc__ = doc
    made.__signature__ = signature.replace(parameters=parameters, return_annotation=hints["return"])
    return route
