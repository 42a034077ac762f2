"""The JSON Schema of the workspace file, generated from the models (stable text)."""

from __future__ import annotations

import json
from typing import Any

from reconciler.workspace.models import Workspace

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def workspace_json_schema() -> dict[str, Any]:
    schema = Workspace.model_json_schema(mode="validation")
    schema["$schema"] = SCHEMA_DIALECT
    schema["title"] = "mmrc workspace"
    return schema


def workspace_json_schema_text() -> str:
    """The schema as committed in schemas/workspace.schema.json: sorted keys, final newline."""
    return json.dumps(workspace_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
