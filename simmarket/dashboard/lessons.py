"""Guided lessons: each sets the scenario and levers and tells the student what to watch for.

Settings name levers by their dotted scenario key; a key the schema does not (yet) have is
skipped when the lesson starts (see levers.CONTROL_BY_KEY).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .levers import CONTROL_BY_KEY


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    intro: str
    watch: tuple[str, ...]
    try_next: str
    settings: dict = field(default_factory=dict)
    scenario: str = "baseline"
    map_metric: str = "mean_weekly_price_gbp"  # a key of figures.MAP_METRICS

    def applicable_settings(self) -> dict:
        return {k: v for k, v in self.settings.items() if k in CONTROL_BY_KEY}


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        id="bidding",
        title="The bidding war",
        intro=("Every authority buys places on its own. When many children wait and few homes have room, "
               "several authorities send referrals to the same home, and the home can pick the child and name "
               "its price. Here foster places are scarcer than today, so more children need a children's home."),
        watch=("'This week's market': how many referrals each free place gets, and how many homes are wanted "
               "by two or more authorities (red bars).",
               "'Weekly price': the price of new placements (orange) rises above the average of all "
               "placements (blue), then pulls the average up.",
               "The map of mean price: the dearest authorities sit where children are many and homes are few "
               "(London and the South East)."),
        try_next="Set 'Who joins an RCC' to regions and press Reset: do the red bars shrink?",
        settings={"rcc.membership": "none", "foster.capacity_multiplier": 0.8,
                  "pricing.profit_cap": 1.0, "workforce.supply_multiplier": 1.0},
        map_metric="mean_weekly_price_gbp",
    ),
    Lesson(
        id="staffing",
        title="Empty beds and waiting children: staffing",
        intro=("A registered place is only usable if the home has the staff (and a registered manager) for the "
               "children it would take. Here care staff are half as easy to recruit as today."),
        watch=("The map: orange homes have free places they cannot staff. Count how many turn orange.",
               "'Occupancy of registered places' falls while 'Children waiting for a placement' and 'Children in "
               "unregistered settings' rise: empty beds and waiting children at the same time.",
               "'Mean distance from home': children travel further to the homes that can take them."),
        try_next="Set 'Care staff supply' to 1.5 and press Reset: which lines move back below the baseline?",
        settings={"workforce.supply_multiplier": 0.5, "rcc.membership": "none",
                  "foster.capacity_multiplier": 1.0},
        map_metric="children_waiting",
    ),
    Lesson(
        id="together",
        title="Commissioning together",
        intro=("Authorities join regional care cooperatives (RCCs). An RCC acts as one buyer for its members: "
               "members stop bidding against each other, coordinate referrals and can book places ahead."),
        watch=("The map outlines each RCC's area.",
               "'Bidding between buyers' drops: members no longer compete for the same place.",
               "'Weekly price' of new placements against the faint baseline (spot buying): is it lower?",
               "'Placed away from home': does buying together keep children nearer home, or send them further?"),
        try_next="Try 'Who joins an RCC' = national_20 (smaller cooperatives) and compare the bidding chart.",
        settings={"rcc.membership": "regions", "rcc.one_customer": True,
                  "rcc.block_share": 0.2},
        map_metric="share_over_20_miles",
    ),
    Lesson(
        id="profit_cap",
        title="Capping profits",
        intro=("Providers may charge at most 5% above their costs. Prices fall at once, but new homes open where "
               "expected returns are high: does the cap slow the opening of new homes?"),
        watch=("'Weekly price' drops below the baseline straight away.",
               "Over the years, watch 'Children waiting for a placement' and 'Children in unregistered settings' "
               "against the baseline: fewer new homes can mean more children without a place."),
        try_next="Combine the cap with 'New council places built' (if available) and compare.",
        settings={"pricing.profit_cap": 0.05},
        map_metric="mean_weekly_price_gbp",
    ),
    Lesson(
        id="registration",
        title="Slow registration",
        intro=("A new home cannot open until Ofsted registers it. Here registration takes one to three years "
               "instead of six to eighteen months."),
        watch=("'Occupancy of registered places' climbs as demand grows but few new homes arrive.",
               "'Children in unregistered settings': authorities turn to unregistered settings while homes are stuck "
               "in the queue."),
        try_next="Set the registration delay to 10-20 weeks and press Reset.",
        settings={"supply.registration_weeks_min": 52, "supply.registration_weeks_max": 156},
        map_metric="children_unregistered",
    ),
    Lesson(
        id="history",
        title="What happened, 2020 to 2025",
        intro=("This run starts from the market as it was on 31 March 2020 (its homes, children and authorities) "
               "and plays the model's behaviour forward through what happened around it: children entering care, "
               "foster places, wages, the 2021 ban on unregulated placements for under-16s. Nothing is replayed: "
               "the black squares are what happened, for you to compare with the lines."),
        watch=("'Weekly price': it climbs by about a quarter over the first four years; the square is the 6,100 a "
               "week authorities paid on average in 2023-24.",
               "'Occupancy of registered places': in history it fell from 77% to 69% (squares) while prices rose, "
               "because places grew faster than children. In the model it stays near three quarters: here prices "
               "rise mostly because authorities bid against each other for children who have waited ('Bidding "
               "between buyers'), not because places stand empty. Where a model and history part, ask why.",
               "'Children in unregistered settings' grows as the shortage bites: about 150 children a year were "
               "first placed in one in 2020-21, nearly 1,000 in 2023-24."),
        try_next=("Set 'Profit cap' to 0.05 and press Reset: with margins capped from 2020, do prices stay down, "
                  "and what happens to the children waiting and in unregistered settings?"),
        scenario="history_2020",
        map_metric="children_unregistered",
    ),
)

LESSON_BY_ID = {lesson.id: lesson for lesson in LESSONS}
