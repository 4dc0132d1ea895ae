"""Apache Airflow provider for the Close CRM.

This module must stay free of Airflow imports: Airflow calls ``get_provider_info`` at every
CLI and API start-up.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
