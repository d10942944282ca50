"""The week, in order: one module per phase, each a set of functions over the state it touches.

demand -> staffing -> commissioning -> clearing -> escalation -> accounts -> entry_exit.
`placements` holds the bookkeeping several phases share (a child takes or leaves a place).
"""
