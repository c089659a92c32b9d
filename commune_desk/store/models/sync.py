"""Tables of the sync area (filled by that area's work)."""

__all__: list[str] = []
