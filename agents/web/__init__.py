"""The worker's web server: health and metrics, `POST /stories`, the live feed and dashboard.

Views only: they read what the worker publishes and never run pipeline stages themselves.
"""
