"""Printed forms with ReportLab. Official forms are always in Vietnamese (they are legal
documents), whatever the interface language. Never imports the window."""
