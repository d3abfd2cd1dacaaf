"""What the interop suites share: a step report."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Report:
    """Steps of one client's suite: how many ran, which failed and why."""

    name: str
    verbose: bool = False
    steps: int = 0
    passed: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def failed(self) -> int:
        """How many steps failed."""
        return len(self.failures)

    def ok(self, step: str) -> None:
        """Record a step that did what it should."""
        self.steps += 1
        self.passed += 1
        if self.verbose:
            print(f"  ok   {self.name}: {step}")

    def fail(self, step: str, why: str) -> None:
        """Record a step that did not, with the reason (kept short)."""
        self.steps += 1
        why = " ".join(why.split())
        self.failures.append((step, why[:300]))
        if self.verbose:
            print(f"  FAIL {self.name}: {step}: {why[:300]}")

    def check(self, step: str, condition: bool, why: str) -> bool:
        """Record ``step`` as passed when ``condition`` holds, else failed with ``why``."""
        if condition:
            self.ok(step)
        else:
            self.fail(step, why)
        return condition
