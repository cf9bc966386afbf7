"""Who looks up how many different people: the ledger behind enumeration alerts (src/mcp/lookups.ts).

A tool names its lookup targets through its policy's `lookup_keys`; each target is kept only as a keyed
pseudonym, in memory, per principal and per pseudonym period, to tell a first lookup from a repeat. Only
that verdict (new | repeat) is exported.
"""

from __future__ import annotations

from collections import OrderedDict

from .privacy import Pseudonymizer


class LookupLedger:
    """Bounded first-in-first-out memory (about 100 bytes a remembered target), whatever the traffic."""

    def __init__(self, pseudonymizer: Pseudonymizer, principals: int = 1_000, targets_per_principal: int = 10_000) -> None:
        self._pseudonymizer = pseudonymizer
        self._principals = principals
        self._targets_per_principal = targets_per_principal
        self._seen: OrderedDict[str, OrderedDict[str, None]] = OrderedDict()

    def record(self, principal: str, target: str) -> str:
        """Records one lookup of `target` by the principal with pseudonym `principal`: `new` or `repeat`."""
        targets = self._seen.get(principal)
        if targets is None:
            if len(self._seen) >= self._principals:
                self._seen.popitem(last=False)
            targets = OrderedDict()
            self._seen[principal] = targets
        # Keyed by the principal too, so two principals' ledgers cannot be compared.
        key = self._pseudonymizer.pseudonym("lookup", f"{principal}\0{target}")
        if key in targets:
            return "repeat"
        if len(targets) >= self._targets_per_principal:
            targets.popitem(last=False)
        targets[key] = None
        return "new"
