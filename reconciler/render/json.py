"""The plan as JSON: `Plan.to_dict()` verbatim, the versioned contract
(`format_version`, `changes[]` with `address`, `kind`, `action`, `before`,
`after`, `changed_fields`; `summary`; `warnings`), after the redaction pass.
"""

from __future__ import annotations

import json

from reconciler.plan import Plan
from reconciler.render.options import RenderOptions
from reconciler.render.redact import redact_plan


def render_json(plan: Plan, options: RenderOptions) -> str:
    return json.dumps(redact_plan(plan).to_dict(), indent=2, sort_keys=False) + "\n"
