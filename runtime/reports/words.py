"""The few words reports write themselves, in English and Simplified Chinese.

Reports run for the API as well as the screens, outside any template, so
their words are metadata-style label maps (``{"en": ..., "zh": ...}``) that
``pick_label`` reads like any other label.
"""

from __future__ import annotations

from runtime.metadata.model import label_of
from runtime.metadata.model import pick_label

__all__ = ["EMPTY", "NO", "SYSTEM_LABELS", "YES", "measure_label"]

EMPTY = {"en": "(empty)", "zh": "（空）"}
YES = {"en": "Yes", "zh": "是"}
NO = {"en": "No", "zh": "否"}
COUNT = {"en": "Count", "zh": "数量"}
SYSTEM_LABELS = {
    "owner": {"en": "Owner", "zh": "负责人"},
    "created_at": {"en": "Created", "zh": "创建时间"},
    "created_by": {"en": "Created by", "zh": "创建人"},
    "updated_at": {"en": "Updated", "zh": "更新时间"},
    "updated_by": {"en": "Updated by", "zh": "更新人"},
}
_OF_FIELD = {
    "count": {"en": "Count of {}", "zh": "{}数量"},
    "sum": {"en": "Sum of {}", "zh": "{}合计"},
    "avg": {"en": "Average {}", "zh": "平均{}"},
    "min": {"en": "Lowest {}", "zh": "最小{}"},
    "max": {"en": "Highest {}", "zh": "最大{}"},
}


def measure_label(fn: str, field_label: dict[str, str] | None) -> dict[str, str]:
    """"Sum of Amount" / "金额合计"; a count of rows is just "Count"."""
    if field_label is None:
        return dict(COUNT)
    names = label_of(field_label, "")
    return {lang: text.format(pick_label(names, lang)) for lang, text in _OF_FIELD[fn].items()}
