"""The Solara teaching dashboard (`simmarket dashboard`): app.py (the page), views.py (its views),
figures.py (charts), levers.py (the lever table and scenario loading), lessons.py (guided presets),
model.py (DashboardMarket, the model SolaraViz re-creates), market_week.py (one week's clearing),
baseline.py (the cached baseline runs), serve.py (the command). Importing this package does not
import Solara."""
