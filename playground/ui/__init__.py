"""The only streamlit-aware helpers: widgets <-> config, the per-session runner, chart layout."""
