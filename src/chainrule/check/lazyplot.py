"""A stand-in for matplotlib that loads the real thing (Agg, no blocking) only when used.

Most learners' scripts ``import matplotlib.pyplot as plt`` at the top but plot
only after training, which ``check`` never runs.  Importing matplotlib costs
about a second; these stand-ins make the import free and load the real
matplotlib, with the Agg backend and ``show``/``pause`` as no-ops, the moment
the script touches ``plt.anything``.
"""

from __future__ import annotations

import sys
import types
from typing import Callable

NAMES = ("matplotlib", "matplotlib.pyplot", "pylab")


class _Lazy(types.ModuleType):
    def __init__(self, name: str, load: Callable[[], None]) -> None:
        super().__init__(name)
        self._cr_load = load

    def __getattr__(self, attr: str):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        self._cr_load()
        return getattr(sys.modules[self.__name__], attr)


class LazyMatplotlib:
    """Install the stand-ins with :meth:`install`; undo with :meth:`uninstall`."""

    def __init__(self) -> None:
        self.restore: list[tuple[object, str, object]] = []
        self.loaded = False
        self.installed: dict[str, types.ModuleType] = {}

    def install(self) -> None:
        if any(n in sys.modules for n in NAMES):
            self._load()  # matplotlib is already imported: just make it safe
            return
        mpl = _Lazy("matplotlib", self._load)
        plt = _Lazy("matplotlib.pyplot", self._load)
        mpl.pyplot = plt  # so `import matplotlib.pyplot as plt` binds the stand-in
        self.installed = {"matplotlib": mpl, "matplotlib.pyplot": plt, "pylab": _Lazy("pylab", self._load)}
        sys.modules.update(self.installed)

    def _load(self) -> None:
        if self.loaded:
            return
        self.loaded = True
        for name, mod in self.installed.items():
            if sys.modules.get(name) is mod:
                del sys.modules[name]
        import matplotlib

        matplotlib.use("Agg", force=True)
        import matplotlib.pyplot as plt

        for obj, attr in ((plt, "show"), (plt, "pause"), (matplotlib, "use")):
            self.restore.append((obj, attr, getattr(obj, attr)))
            setattr(obj, attr, lambda *a, **k: None)
        if "pylab" in self.installed:
            sys.modules["pylab"] = plt

    def uninstall(self) -> None:
        for name, mod in self.installed.items():
            if sys.modules.get(name) is mod:
                del sys.modules[name]
        if "pylab" in self.installed and self.loaded:
            sys.modules.pop("pylab", None)
        for obj, attr, val in self.restore:
            setattr(obj, attr, val)
        if self.loaded:
            import matplotlib.pyplot as plt

            plt.close("all")
