"""Statistics of the office: the periodic report (FACTS.md 4.5) with the Decision 766 rules
(4.3), satisfaction and scores (4.1–4.2), training figures (7), and their XLSX and PDF
exports. Everything is aggregated in SQL; no dossier row is loaded into Python.

No Qt here (``tests/unit/test_layering.py``): the window and the command line both call
``commune_desk.services.reports``, which calls this package.
"""
