"""The rules of the domain, in pure Python: no Qt, no SQLAlchemy session, no files.

``tests/unit/test_layering.py`` fails if anything here imports PySide6 or sqlalchemy.
"""
