"""Field types: one registry, one module per family."""

from runtime.fieldtypes import choice  # noqa: F401  (registers types)
from runtime.fieldtypes import computed  # noqa: F401
from runtime.fieldtypes import dates  # noqa: F401
from runtime.fieldtypes import media  # noqa: F401
from runtime.fieldtypes import number  # noqa: F401
from runtime.fieldtypes import references  # noqa: F401
from runtime.fieldtypes import text  # noqa: F401
from runtime.fieldtypes.base import FieldType
from runtime.fieldtypes.base import get_type
from runtime.fieldtypes.base import type_names

#: Types whose values the system computes; callers never set them, imports skip them.
COMPUTED_TYPES = frozenset(name for name in type_names() if get_type(name).computed)

__all__ = ["COMPUTED_TYPES", "FieldType", "get_type", "type_names"]
