"""Figure builders: pure functions from numpy state to a ``plotly.graph_objects.Figure``."""
