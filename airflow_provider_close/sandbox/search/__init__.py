"""Lead search: the legacy ``/lead/?query=`` syntax and ``/data/search/`` Advanced Filtering."""

__all__: list[str] = []
