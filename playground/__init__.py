"""Neural Network Playground engine: data, models, training and figures (no UI code)."""
