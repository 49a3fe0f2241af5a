"""Pandera schemas of deliberval's canonical tables."""

from deliberval.schemas.dri import DRI_COLUMNS, DRI_ID_COLUMNS, dri_survey_schema
from deliberval.schemas.responses import (
    GROUPS,
    ID_COLUMNS,
    ROLES,
    WAVES,
    ItemRule,
    item_rules,
    responses_schema,
)
from deliberval.schemas.tables import (
    FUNNEL_STAGES,
    LEVELS,
    PROCESS_MODELS,
    members_schema,
    process_schema,
    targets_schema,
)

__all__ = [
    "DRI_COLUMNS",
    "DRI_ID_COLUMNS",
    "FUNNEL_STAGES",
    "GROUPS",
    "ID_COLUMNS",
    "LEVELS",
    "PROCESS_MODELS",
    "ROLES",
    "WAVES",
    "ItemRule",
    "dri_survey_schema",
    "item_rules",
    "members_schema",
    "process_schema",
    "responses_schema",
    "targets_schema",
]
