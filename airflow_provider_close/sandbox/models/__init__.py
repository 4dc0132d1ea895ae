"""Resource rules of the sandbox: validation and record building per Close object (no HTTP)."""

__all__: list[str] = []
