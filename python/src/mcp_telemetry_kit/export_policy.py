"""What a tool may export about a call, the port of src/privacy/export-policy.ts.

Nothing, unless the tool's policy names a field and the transform that makes it safe; the transforms only
ever produce values from small fixed sets. A policy is a mapping, as in TypeScript:
    {"arguments": {"country": {"enum": ["MX", "GT"]}, "names": "count"},
     "results": {"match_type": {"enum": ["exact", "fuzzy"]}},
     "lookup_keys": lambda args: f"{args['last_name'].lower()}|{args['country']}"}
Transforms: {"enum": [...]} (the value, else `other`), "boolean", "count" (a list's length or a non-negative
integer; span attribute only), "size" (a bucket of a string's or list's length).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Union

Transform = Union[Mapping[str, list[Any]], str]
ToolPolicy = Mapping[str, Any]

_SIZE_BUCKETS = ((0, "0"), (10, "1-10"), (100, "11-100"), (1000, "101-1000"))


def result_count_bucket(count: int) -> str:
    """The bucket of a result count: 0, 1, 2-5, 6-20, 21+."""
    if not isinstance(count, (int, float)) or count != count or count <= 0:
        return "0"
    if count == 1:
        return "1"
    if count <= 5:
        return "2-5"
    if count <= 20:
        return "6-20"
    return "21+"


def _size_bucket(size: int) -> str:
    for limit, label in _SIZE_BUCKETS:
        if size <= limit:
            return label
    return "1001+"


def apply_transform(transform: Transform, value: object) -> str | int | bool | None:
    """One transform applied; None means "export nothing for this field"."""
    if value is None:
        return None
    if transform == "boolean":
        return value if isinstance(value, bool) else None
    if transform == "count":
        if isinstance(value, (list, tuple)):
            return len(value)
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
    if transform == "size":
        if isinstance(value, (str, list, tuple, Mapping)):
            return _size_bucket(len(value))
        return None
    allowed = transform["enum"] if isinstance(transform, Mapping) else []
    # As JavaScript's includes(): 1 and 1.0 are one value, True and 1 are not.
    return value if any(value == item and isinstance(value, bool) == isinstance(item, bool) for item in allowed) else "other"


def exported_arguments(policy: ToolPolicy | None, args: object) -> dict[str, str | int | bool]:
    """The attributes a call's arguments may export under its tool's policy, keyed by field."""
    exported: dict[str, str | int | bool] = {}
    if not policy or not isinstance(args, Mapping):
        return exported
    for field, transform in (policy.get("arguments") or {}).items():
        value = apply_transform(transform, args.get(field))
        if value is not None:
            exported[field] = value
    return exported


def is_low_cardinality(transform: Transform) -> bool:
    """Whether a transform yields a value from a small fixed set, so it may become a metric attribute."""
    return transform != "count"


def lookup_targets(hook: Callable[[Mapping[str, Any]], Iterable[str] | str | None] | None, args: object) -> list[str]:
    """The lookup targets a policy's hook names for some arguments; a failing hook names none."""
    if hook is None or not isinstance(args, Mapping):
        return []
    try:
        targets = hook(args)
    except Exception:  # the application's hook must never break the call it observes
        return []
    if targets is None:
        return []
    found = [targets] if isinstance(targets, str) else list(targets)
    return [target for target in found if isinstance(target, str) and target]
