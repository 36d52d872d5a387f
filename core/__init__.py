"""grunndata: master data sync between SmartDok and PowerOffice Go.

Third-party plugins import :data:`hookimpl` from here and register under the
entry-point group ``grunndata``.
"""

from grunndata.plugin.spec import hookimpl, hookspec

__all__ = ["__version__", "hookimpl", "hookspec"]
__version__ = "0.1.0"
