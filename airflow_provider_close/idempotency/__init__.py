"""Creating at most once, without an idempotency key: the rule, and how objects are found.

* ``rule``: when a create whose outcome is unknown may be sent again (after a lookup that
  could have seen it found nothing) and :func:`~.rule.create_once` for one create;
* ``leads``: what "the same lead" means (``match_on``) and the lead search (lagging index);
* ``matching``: contacts and opportunities of this run, found through immediate lists.

Activities and tasks are matched by the fingerprints of ``lookups.activities`` (immediate
lists); the bulk upsert resolves its unknown outcomes in ``bulk/pending.py`` by this rule.
No Airflow imports here.
"""

__all__: list[str] = []
