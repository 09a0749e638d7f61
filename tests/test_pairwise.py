"""The compiled sums (econ.model.pairwise) add in NumPy's order: the same bits as ``sum`` and ``mean``
over a contiguous row, and over the last two axes of a contiguous block, for every length."""

import numba as nb
import numpy as np

from econ.model.pairwise import row_sum


@nb.njit
def _rows(x):
    out = np.empty(x.shape[0])
    for i in range(x.shape[0]):
        out[i] = row_sum(x[i], 0, x.shape[1])
    return out


def test_row_sums_are_numpys_bit_for_bit():
    rng = np.random.default_rng(1)
    for m in [*range(1, 300), 517, 1024, 1031]:
        x = rng.standard_normal((20, m)) * 10.0 ** rng.uniform(-6, 6, (20, m))
        np.testing.assert_array_equal(_rows(x), x.sum(axis=1), err_msg=f"length {m}")
        np.testing.assert_array_equal(_rows(x) / m, x.mean(axis=1), err_msg=f"length {m}")
        if m % 24 == 0:
            np.testing.assert_array_equal(_rows(x) / m, x.reshape(20, 24, m // 24).mean(axis=(1, 2)))


def test_a_sum_inside_a_longer_row_starts_where_it_is_told():
    x = np.arange(40.0) / 7
    assert row_sum(x, 12, 12) == x[12:24].sum()
