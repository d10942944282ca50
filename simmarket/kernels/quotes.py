"""Providers' quotes on the week's referral pairs in one compiled loop (phases/clearing.py `quote`
says what they are).

Written with NumPy, a quote took some forty array operations over a few thousand pairs, mostly
gathers of child and home columns. Here each pair reads its child's and its home's values once;
what depends on the home alone (its cost of care for each kind of child, its target margin, its
scarcity mark-up) comes in computed per quoting home by the rules. The arithmetic is NumPy's, in
the same order (np.minimum's NaN included); division by a zero cost gives inf or NaN as NumPy does.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, error_model="numpy")
def quote_pairs(c, h, hq, unit, margin, scarcity, complexity, dol, child_la, customer, cooperative, wtp, unmet,
                home_la, sector, council_code, price_factor, block_buyer, block_price, reserved_free, council_pool,
                profit_cap, risk_aversion, risk_weights):
    """Per pair (child c, home h): the cost of its care, the quote, whether it is a block place of
    the child's buyer, whether a council home serves its own authority's (or pool's) child, the
    buyer, and the provider's score before noise and priorities (margin at the buyer's ceiling less
    the risk premium). hq: the quoting homes, increasing; unit[i, 2 * complexity + dol], margin[i],
    scarcity[i]: the cost of care, target margin and scarcity mark-up of home hq[i]; cooperative
    (by child) or council_pool (by authority) empty: none; risk_weights: per complexity level, per
    unmet need, for a DoL order."""
    slot = np.empty(len(sector), np.int64)
    for i in range(len(hq)):
        slot[hq[i]] = i
    n = len(c)
    cost, quote, score = np.empty(n), np.empty(n), np.empty(n)
    is_block, council_own, cust = np.empty(n, np.bool_), np.empty(n, np.bool_), np.empty(n, customer.dtype)
    for j in range(n):
        i, hh, cc = slot[h[j]], h[j], c[j]
        cost[j] = unit[i, 2 * complexity[cc] + dol[cc]]
        q = cost[j] * (1 + margin[i]) * scarcity[i] * price_factor[hh]
        if profit_cap < 1.0:
            cap = cost[j] * (1 + profit_cap)
            q = q if (q != q or q < cap) else cap
        cust[j] = customer[cc]
        own = home_la[hh] == child_la[cc]
        coop = cooperative[cc] if len(cooperative) else -1
        if len(council_pool) and len(cooperative):
            pool = council_pool[home_la[hh]]
            own = own or (pool >= 0 and pool == coop)
        council = sector[hh] == council_code
        council_own[j] = council and own
        if council:
            q = cost[j]
        buyer = block_buyer[hh]
        holder = buyer == cust[j] or buyer == child_la[cc] or (coop >= 0 and buyer == coop)
        is_block[j] = holder and reserved_free[hh] > 0
        quote[j] = block_price[hh] if is_block[j] else q
        risk = complexity[cc] * risk_weights[0] + risk_weights[1] * unmet[j] + risk_weights[2] * dol[cc]
        score[j] = (wtp[cc] - cost[j]) / cost[j] - risk_aversion * risk
    return cost, quote, is_block, council_own, cust, score
