"""Tables of the training area (filled by that area's work)."""

__all__: list[str] = []
