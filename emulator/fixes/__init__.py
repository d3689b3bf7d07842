"""Fidelity fixes for moto, one module per behaviour.

Every module defines ``apply()`` and a docstring that states what moto does, what AWS documents
(with the documentation page) and what the fix changes. The fixes reach into moto internals, which
is why requirements pin moto's exact version; ``tests/emulator`` proves each one over HTTP.
"""

import importlib
import pkgutil


def apply_all() -> list[str]:
    """Import and apply every fix in this package, in name order; return their names."""
    applied = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.apply()
        applied.append(info.name)
    return applied
