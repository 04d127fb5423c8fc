"""The few dense-matrix operations a small Kalman filter needs, on plain lists.

The estimator's matrices are 8 x 8; at that size plain Python beats importing a numerical
library (whose import alone costs more than a whole roast of updates) and keeps the package free
of compiled dependencies.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import mul

__all__ = ["Matrix", "diagonal", "sandwich", "solve"]

#: A dense matrix, row by row.
Matrix = list[list[float]]


def diagonal(values: Sequence[float]) -> Matrix:
    """Return the square matrix with ``values`` on its diagonal."""
    size = len(values)
    return [[values[i] if i == j else 0.0 for j in range(size)] for i in range(size)]


def sandwich(outer: Matrix, inner: Matrix) -> Matrix:
    """Return ``outer @ inner @ outer.T``, symmetrised (a covariance propagated by a Jacobian).

    ``inner`` must be symmetric (a covariance): its rows are then also its columns.
    """
    size = len(outer)
    # sum(map(mul, ...)) is the fastest dot product plain Python has.
    left = [[sum(map(mul, row, column)) for column in inner] for row in outer]
    out = [[sum(map(mul, row, other)) for other in outer] for row in left]
    # Rounding makes the product drift from symmetric; a covariance must stay symmetric.
    for i in range(size):
        for j in range(i + 1, size):
            mean = 0.5 * (out[i][j] + out[j][i])
            out[i][j] = out[j][i] = mean
    return out


def solve(matrix: Matrix, vector: list[float]) -> list[float]:
    """Return ``x`` with ``matrix @ x = vector`` (Gaussian elimination with partial pivoting)."""
    size = len(vector)
    a = [[*row, vector[i]] for i, row in enumerate(matrix)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(col + 1, size):
            factor = a[r][col] / a[col][col]
            for c in range(col, size + 1):
                a[r][c] -= factor * a[col][c]
    x = [0.0] * size
    for r in range(size - 1, -1, -1):
        x[r] = (a[r][size] - sum(a[r][c] * x[c] for c in range(r + 1, size))) / a[r][r]
    return x
