"""Lookups through a ``CloseClient`` (no Airflow): names to ids, existing objects by key.

``custom_fields`` and ``statuses`` resolve display names and labels; ``leads`` and
``activities`` find objects that already exist, so writes never duplicate them.
"""
