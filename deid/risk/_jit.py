"""One kernel, two compilations: serial for small inputs, ``parallel=True`` for large ones.

Starting a parallel region costs about 2 ms on the 2-core machines this runs on (threads
must wake), more than a whole serial pass over tens of thousands of rows. So every
parallel kernel is also compiled serially (``prange`` then runs as ``range``) and callers
pick by row count with :func:`pick`.
"""

from __future__ import annotations

import os
import types

# numba's OpenMP threads otherwise spin for a while after every parallel region, burning
# the core that the main thread (or another process on a shared machine) needs for the
# serial work in between; waking a sleeping thread costs microseconds, negligible beside a
# parallel pass over 2**20 rows. Read once, when the OpenMP runtime starts (the first
# parallel call), and only if the user has not chosen.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numba as nb  # noqa: E402

# rows from which a parallel pass pays for waking the threads
PARALLEL_MIN_ROWS = 1 << 20


class Dual:
    """A serial and a parallel compilation of the same kernel."""

    def __init__(self, fn, **options):
        serial_fn = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__ + "_serial", fn.__defaults__,
                                       fn.__closure__)
        # a distinct qualified name keeps the two on-disk cache entries apart
        serial_fn.__qualname__ = fn.__qualname__ + "_serial"
        serial_fn.__doc__ = fn.__doc__
        self.serial = nb.njit(cache=True, nogil=True, **options)(serial_fn)
        self.parallel = nb.njit(cache=True, nogil=True, parallel=True, **options)(fn)
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__

    def for_rows(self, n: int):
        return self.parallel if n >= PARALLEL_MIN_ROWS else self.serial

    def __call__(self, *args):
        """Call with the first argument's length deciding serial or parallel."""
        return self.for_rows(len(args[0]))(*args)


def dual(**options):
    """Decorator: ``@dual()`` compiles the function both ways (see :class:`Dual`)."""

    def wrap(fn):
        return Dual(fn, **options)

    return wrap
