"""Tables of the audit area (filled by that area's work)."""

__all__: list[str] = []
