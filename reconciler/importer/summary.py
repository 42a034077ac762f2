"""What `mmrc import` tells on stderr: counts, naming exceptions, skips, variables to set."""

from __future__ import annotations

from dataclasses import dataclass, field

from reconciler.importer.naming import NamingException


@dataclass
class Summary:
    """What the import did, for stderr: counts, exceptions, skips, variables to set."""

    server: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    exceptions: list[NamingException] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    env_vars: list[tuple[str, str]] = field(default_factory=list)  # (variable, setting)
    notes: list[str] = field(default_factory=list)

    def count(self, kind: str, n: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n

    def render(self, shown: int = 20) -> str:
        lines = [f"Imported from {self.server}:"]
        lines += [f"  {kind}: {n}" for kind, n in self.counts.items()]
        if self.exceptions:
            lines.append(
                f"Naming policy exceptions ({len(self.exceptions)}), kept as a baseline in "
                "policy.exceptions:"
            )
            lines += [f"  {e.team}/{e.channel}" for e in self.exceptions[:shown]]
            if len(self.exceptions) > shown:
                lines.append(f"  … and {len(self.exceptions) - shown} more")
        if self.skipped:
            lines.append(f"Skipped ({len(self.skipped)}):")
            lines += [f"  {s}" for s in self.skipped]
        if self.env_vars:
            lines.append("Set these environment variables before `mmrc plan`:")
            lines += [f"  {var}  ({setting})" for var, setting in self.env_vars]
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines) + "\n"
