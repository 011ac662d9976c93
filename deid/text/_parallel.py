"""Ordered, memory-bounded parallel map over batches, for ``n_process > 1``.

At most ``2 * n_process`` batches are in flight, so an endless iterator of texts streams
through in constant memory, and results come back in input order.
"""

from __future__ import annotations

import collections
import itertools
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor

_WORKER_STATE: dict = {}


def _context():
    name = os.environ.get("DEID_MP_CONTEXT")
    if not name:
        # fork shares the parent's loaded lexicons for free; macOS and Windows lack a safe fork
        name = "fork" if sys.platform.startswith("linux") else "spawn"
    return multiprocessing.get_context(name)


def _init_worker(payload):
    _WORKER_STATE["obj"] = payload


def _run(method: str, batch):
    return getattr(_WORKER_STATE["obj"], method)(batch)


def ordered_map(obj, method: str, batches, n_process: int):
    """Yield ``getattr(obj, method)(batch)`` for each batch, computed in ``n_process``
    worker processes (``obj`` is pickled to each worker once)."""
    window = 2 * n_process
    it = iter(batches)
    with ProcessPoolExecutor(max_workers=n_process, mp_context=_context(),
                             initializer=_init_worker, initargs=(obj,)) as pool:
        pending = collections.deque(pool.submit(_run, method, b) for b in itertools.islice(it, window))
        try:
            while pending:
                result = pending.popleft().result()
                for b in itertools.islice(it, 1):
                    pending.append(pool.submit(_run, method, b))
                yield result
        finally:
            for f in pending:
                f.cancel()


def batched(iterable, size: int):
    it = iter(iterable)
    while True:
        chunk = list(itertools.islice(it, size))
        if not chunk:
            return
        yield chunk
