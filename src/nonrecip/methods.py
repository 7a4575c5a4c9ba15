"""Dispatch of public functions to their numerical methods: one ``{name: (options, implementation)}`` table each."""

from __future__ import annotations

from typing import Any, Callable, Mapping

__all__ = ["resolve_method"]


def resolve_method(table: Mapping[str, tuple[type, Callable]], method: str, options: Any) -> tuple[Any, Callable]:
    """The method's options (its option class's defaults when ``None``) and implementation.

    Raises
    ------
    ValueError
        ``method`` is not in ``table``; the message lists the known methods.
    TypeError
        ``options`` is not an instance of the method's option class.
    """
    if method not in table:
        raise ValueError(f"method must be one of {tuple(table)}, got {method!r}")
    option_class, implementation = table[method]
    options = option_class() if options is None else options
    if not isinstance(options, option_class):
        raise TypeError(f"method={method!r} takes options of type {option_class.__name__}, "
                        f"got {type(options).__name__}")
    return options, implementation
