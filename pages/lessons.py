"""Lessons: one click per claim. A question first, the runs live, then the measured sentence and the claim."""
from playground.ui import lessons as ui
from playground.ui import presenter
from playground.ui.navigation import require_app_navigation

require_app_navigation()  # before anything renders: a cold deep link reruns through app.py

presenter.title_row("Lessons", "Each lesson asks a question, trains the runs that answer it, and measures the answer. "
                    "Ask the class to predict before you press Run; the claim stays hidden until you reveal it. "
                    "A lesson's link (?lesson=<id>) opens it first.")
ui.page()
