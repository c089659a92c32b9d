"""Services: one function per user action, each one transaction, each checking the role.

Widgets and the command line call these; they never open sessions of their own.
"""
