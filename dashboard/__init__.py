"""The ICS Population Planner Streamlit dashboard (run with ``python -m dashboard``)."""
