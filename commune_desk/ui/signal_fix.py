"""A work-around for a reference-count bug of PySide6 6.12.0: ``SignalInstance.emit()``
returns ``True`` without owning a reference to it, so every emit from Python takes one
reference away from ``True``. In a small process about a thousand emits free ``True`` and
abort the interpreter ("bool_dealloc: deallocating True or False"); in the window, whose
background tasks emit on every step, it would end a long working day the same way.

:func:`install` measures the bug on the running PySide6 and, only when it is there, wraps
``emit`` so the missing reference is given back. A fixed PySide6 release is left untouched.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal, SignalInstance

_PROBES = 64
_installed = False


class _Probe(QObject):
    ping = Signal(int)


def leaks_true() -> bool:
    """Whether an emit from Python loses a reference to ``True`` on this PySide6."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(_PROBES):
        probe.ping.emit(1)
    lost = before - sys.getrefcount(True)
    for _ in range(max(lost, 0)):   # give back what the probe itself took
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    return lost >= _PROBES


def install() -> bool:
    """Wrap ``SignalInstance.emit`` when the bug is present. Returns whether it did."""
    global _installed
    if _installed:
        return True
    if not leaks_true():
        return False
    original = SignalInstance.emit
    incref = ctypes.pythonapi.Py_IncRef
    incref.argtypes = [ctypes.py_object]

    def emit(self, *args):
        result = original(self, *args)
        if result is True or result is False:
            incref(result)   # the reference PySide6 forgot to take
        return result

    SignalInstance.emit = emit
    _installed = True
    return True
