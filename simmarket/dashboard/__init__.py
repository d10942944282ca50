"""The Solara teaching dashboard (`simmarket dashboard`): see app.py (page), views.py (views),
figures.py (charts), levers.py (the lever table), lessons.py (guided presets), runner.py (model
and baseline runs), serve.py (the command). Importing this package does not import Solara."""
