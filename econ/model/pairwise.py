"""NumPy's float64 summation, compiled (numba): the same additions in the same order, so a compiled loop
that sums like ``x.sum(axis=-1)`` or ``x.mean(axis=-1)`` over a contiguous row gives the same bits.

NumPy adds a contiguous run of ``n`` float64 values by pairwise summation (``pairwise_sum`` in its
``loops_utils.h``): fewer than 8 values one by one from 0.0; up to 128 in eight interleaved running
sums combined as ``((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))``, then the remainder one by
one; more than 128 as the sums of two halves (the first a multiple of 8 long). A reduction starts
from the identity, 0.0, and adds that. tests/test_pairwise.py checks these against NumPy bit for bit.

Private to the model stages, which import it lazily with their compiled loops (numba is imported on
first use, not with the package).
"""

from __future__ import annotations

import numba as nb
import numpy as np

#: NumPy's PW_BLOCKSIZE: runs longer than this are split in two.
BLOCK = 128


@nb.njit(cache=True)
def _block(a, start, n):
    """A run of at most :data:`BLOCK` values, as NumPy adds it."""
    if n < 8:
        res = 0.0
        for i in range(start, start + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[start], a[start + 1], a[start + 2], a[start + 3]
    r4, r5, r6, r7 = a[start + 4], a[start + 5], a[start + 6], a[start + 7]
    i = 8
    while i < n - (n % 8):
        j = start + i
        r0 += a[j]
        r1 += a[j + 1]
        r2 += a[j + 2]
        r3 += a[j + 3]
        r4 += a[j + 4]
        r5 += a[j + 5]
        r6 += a[j + 6]
        r7 += a[j + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[start + i]
        i += 1
    return res


@nb.njit(cache=True)
def pairwise_sum(a, start, n):
    """The sum of ``a[start:start + n]`` (1-D float64) in NumPy's order (its recursion on halves as a
    loop over a small stack: numba's cache does not keep recursive functions)."""
    if n <= BLOCK:
        return _block(a, start, n)
    todo_start = np.empty(128, np.int64)   # runs to add (start, length, 1 once both halves are summed)
    todo_n = np.empty(128, np.int64)
    todo_done = np.empty(128, np.bool_)
    sums = np.empty(128)
    top, got = 0, 0
    todo_start[0], todo_n[0], todo_done[0] = start, n, False
    top = 1
    while top > 0:
        top -= 1
        s0, m, done = todo_start[top], todo_n[top], todo_done[top]
        if done:
            got -= 1
            sums[got - 1] = sums[got - 1] + sums[got]
        elif m <= BLOCK:
            sums[got] = _block(a, s0, m)
            got += 1
        else:
            half = m // 2
            half -= half % 8
            todo_start[top], todo_n[top], todo_done[top] = s0, m, True
            todo_start[top + 1], todo_n[top + 1], todo_done[top + 1] = s0 + half, m - half, False
            todo_start[top + 2], todo_n[top + 2], todo_done[top + 2] = s0, half, False
            top += 3
    return sums[0]


@nb.njit(cache=True)
def row_sum(a, start, n):
    """``a[start:start + n].sum()`` as a NumPy reduction gives it: 0.0 plus the pairwise sum."""
    return 0.0 + pairwise_sum(a, start, n)
