"""Close automation driven from warehouse rows: sequence subscriptions (no Airflow here)."""
