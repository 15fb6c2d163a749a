"""The fair split of one listing among the commitments that match it (pure).

Rule (deterministic, integers only):
1. Equal shares ("water-filling"): every matching commitment gets the same amount of the listing's
   unfunded remainder, each capped by its own capacity (`matching.capacity`); what a capped one
   cannot take is shared again among the others, until the remainder is placed or all are full.
   Units that do not divide evenly go one each to the lowest commitment ids.
2. The book's minimum ticket: a share below `min_ticket` is allowed only when it alone completes the
   listing. Otherwise the commitment with the smallest share (the highest id among equals) drops
   out and step 1 is redone without it, so the others take more.
So n equal commitments each fund 1/n; a commitment limited to less funds its limit and the rest is
spread over the others; nobody is favoured by the order in which rules were created, except for
indivisible single base units.
"""

from __future__ import annotations


def water_fill(total: int, caps: dict[int, int]) -> dict[int, int]:
    """Equal shares of `total` under per-id caps; leftover single units to the lowest ids."""
    shares = {key: 0 for key in caps}
    left = total
    open_ids = sorted(key for key, cap in caps.items() if cap > 0)
    while left > 0 and open_ids:
        each = left // len(open_ids)
        if each == 0:
            for key in open_ids[:left]:
                shares[key] += 1
            return shares
        for key in open_ids:
            give = min(each, caps[key] - shares[key])
            shares[key] += give
            left -= give
        open_ids = [key for key in open_ids if shares[key] < caps[key]]
    return shares


def fair_split(remaining: int, caps: dict[int, int], min_ticket: int = 0) -> dict[int, int]:
    """{commitment id: amount} for a listing with `remaining` unfunded, only positive amounts."""
    active = {key: cap for key, cap in caps.items() if cap > 0}
    while active:
        shares = water_fill(remaining, active)
        alone = len(active) == 1
        small = [key for key, share in shares.items()
                 if share < min_ticket and not (alone and share == remaining) or share == 0]
        if not small:
            return shares
        del active[min(small, key=lambda key: (shares[key], -key))]
    return {}
