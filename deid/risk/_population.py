"""Population uniqueness estimators, reproducing ARX's models and conventions.

Everything here works on the *class size histogram* of the sample (distinct class sizes and
how many classes have each size), the sample size ``n`` and the population size ``N``, so the
same code serves counts merged from anywhere (a Dask groupby, a lattice node).

Models (ARX 3.x, package ``org.deidentifier.arx.risk``):

* Pitman (Hoshino 2001), ``ModelPitman``: maximum-likelihood (theta, alpha) of the Pitman
  sampling formula by Newton-Raphson from ARX's moment-based start, first with the
  closed-form (digamma/trigamma) score, checked against / replaced by the summed form; the
  number of population uniques is ``Gamma(theta+1)/Gamma(theta+alpha) * N**alpha``, kept
  only if it lies in [0, N].
* Zayatz (1991), ``ModelZayatz``: the share of sample uniques that are population uniques,
  from hypergeometric probabilities of drawing exactly one member of a class; uniques =
  c1 * share / (n/N).
* SNB, the slide negative binomial of Chen & Keller-McNulty (1998), ``ModelSNB``: the
  number of non-empty population classes K by ARX's Shlosser-type estimator, then (alpha,
  beta) by Newton-Raphson from (1, 1); uniques = K * beta**alpha.
* Dankar et al.'s decision rule, ``RiskModelPopulationUniqueness``: if n/N <= 0.1 use
  Pitman, falling back to Zayatz when Pitman gives no valid estimate; otherwise the smaller
  of Zayatz and SNB, or Zayatz when SNB gives none. No sample uniques: every estimate is 0.

ARX's solver (``de.linearbits.newtonraphson.NewtonRaphson2D`` with ARX's default
``ARXSolverConfiguration``: accuracy 1e-6 on both equations, 1,000 iterations per try,
10,000 in total; a try that leaves the feasible region or produces NaN restarts from a random
point scaled by the start value) is reproduced, including three details of ARX's code that
change numbers: its trigamma approximation returns no asymptotic tail for arguments that
end between 8 and 12 after the recurrence (so Pitman's Jacobian is ARX's, not the exact
one); SNB's second equation multiplies by ``(1-D)**(alpha+2)`` where its Jacobian divides;
and the Shlosser sum subtracts 1 per histogram entry. Differences from ARX: restarts use a
fixed-seed generator (ARX uses ``Math.random``, so ARX itself is not repeatable when a first
try fails) and there is no wall-clock limit (ARX also stops after 100 ms per try / 1 s in
total). See docs/risk.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba as nb
import numpy as np

# ARX's ARXSolverConfiguration defaults
ACCURACY = 1e-6
ITERATIONS_PER_TRY = 1000
ITERATIONS_TOTAL = 10000
_RESTART_SEED = 0x5EED

_EULER_DIGAMMA_1 = -0.5772156649015328606065120900824024310421
_TRIGAMMA_1 = math.pi * math.pi / 6.0
_TETRAGAMMA_1 = -2.0 * 1.202056903159594285399738161511449990764986292

_PITMAN_CLOSED = 0
_PITMAN_SUMMED = 1
_SNB = 2


# ----------------------------------------------------------------------------- special functions


@nb.njit(cache=True, error_model="numpy")
def digamma(x):
    """Digamma by recurrence to x >= 12 and de Moivre's expansion (as Minka's lightspeed)."""
    if math.isnan(x) or math.isinf(x):
        return math.nan
    if x == 0.0:
        return -math.inf
    if x < 0.0:
        return digamma(1.0 - x) + math.pi / math.tan(-math.pi * x)
    if x <= 1e-6:
        return _EULER_DIGAMMA_1 - 1.0 / x + _TRIGAMMA_1 * x
    result = 0.0
    while x < 12.0:
        result -= 1.0 / x
        x += 1.0
    r = 1.0 / x
    result += math.log(x) - 0.5 * r
    r *= r
    result -= r * (1.0 / 12 - r * (1.0 / 120 - r * (1.0 / 252 - r * (1.0 / 240 - r * (1.0 / 132)))))
    return result


@nb.njit(cache=True, error_model="numpy")
def trigamma_arx(x):
    """Trigamma as ARX computes it (used for Pitman's Jacobian only).

    The recurrence stops at 8 but the asymptotic tail is only added from 12 on, so for
    arguments that end in [8, 12) the tail is missing. Reproduced on purpose: it shapes
    ARX's Newton path and hence which starts converge.
    """
    if math.isnan(x) or math.isinf(x):
        return math.nan
    if x == 0.0:
        return -math.inf
    if x < 0.0:
        r = math.pi / math.sin(-math.pi * x)
        return -trigamma_arx(1.0 - x) + r * r
    if x <= 1e-4:
        return 1.0 / (x * x) + _TRIGAMMA_1 + _TETRAGAMMA_1 * x
    result = 0.0
    while x < 8.0:
        result += 1.0 / (x * x)
        x += 1.0
    if x >= 12.0:
        r = 1.0 / (x * x)
        tail = 1.0 + r * (1.0 / 6 + r * (-1.0 / 30 + r * (1.0 / 42 + r * (-1.0 / 30 + r * (5.0 / 66)))))
        result += 0.5 * r + tail / x
    return result


# ----------------------------------------------------------------------------- score functions


@nb.njit(cache=True, error_model="numpy")
def _pitman_closed(t, a, sizes, counts, u, n):
    """Pitman score (dL/dtheta, dL/dalpha) and ARX's Jacobian, in closed form."""
    ta = t / a
    psi_u = digamma(ta + u)          # psi(theta/alpha + u)
    psi_1 = digamma(ta + 1.0)        # psi(theta/alpha + 1)
    tri_u = trigamma_arx(ta + u)
    tri_1 = trigamma_arx(ta + 1.0)
    a2 = a * a
    um1 = u - 1.0
    # sums over i = 1..u-1 of 1/(t+i a), i/(t+i a), and their derivatives
    d_tt = (tri_1 - tri_u) / a2
    d_ta = (a * psi_u + t * tri_u - a * psi_1 - t * tri_1) / (a2 * a)
    d_aa = (a2 * um1 - t * t * tri_u + t * t * tri_1 - 2.0 * a * t * psi_u + 2.0 * a * t * psi_1) / (a2 * a2)
    s_inv = (psi_u - psi_1) / a
    s_lin = (-t * psi_u + a * um1 + t * psi_1) / a2
    # sums over i = 1..n-1 of 1/(t+i)
    h_inv = digamma(n + t) - digamma(t + 1.0)
    h_d = trigamma_arx(t + 1.0) - trigamma_arx(n + t)
    # sums over classes of size f >= 2 of sum_{k<f} 1/(k-a)
    psi_a = digamma(1.0 - a)
    tri_a = trigamma_arx(1.0 - a)
    c_inv = 0.0
    c_d = 0.0
    for j in range(sizes.shape[0]):
        f = sizes[j]
        if f != 1:
            m = counts[j]
            c_d += m * (tri_a - trigamma_arx(f - a))
            c_inv += m * (digamma(f - a) - psi_a)
    return (s_inv - h_inv, s_lin - c_inv, h_d - d_tt, -d_ta, -d_ta, -d_aa - c_d)


@nb.njit(cache=True, error_model="numpy")
def _pitman_summed(t, a, sizes, counts, u, n):
    """The same score and Jacobian by explicit sums (ARX's fallback)."""
    d_tt = 0.0
    d_ta = 0.0
    d_aa = 0.0
    s_inv = 0.0
    s_lin = 0.0
    i = 1
    while i < u:
        v = t + i * a
        inv = 1.0 / v
        inv2 = 1.0 / (v * v)
        d_tt += inv2
        d_ta += i * inv2
        d_aa += i * (i * inv2)
        s_inv += inv
        s_lin += i * inv
        i += 1
    c_inv = 0.0
    c_d = 0.0
    for j in range(sizes.shape[0]):
        f = sizes[j]
        if f != 1:
            acc_d = 0.0
            acc = 0.0
            for k in range(1, f):
                w = k - a
                acc_d += 1.0 / (w * w)
                acc += 1.0 / w
            c_d += counts[j] * acc_d
            c_inv += counts[j] * acc
    h_inv = 0.0
    h_d = 0.0
    i = 1
    while i < n:
        v = t + i
        h_d += 1.0 / (v * v)
        h_inv += 1.0 / v
        i += 1
    return (s_inv - h_inv, s_lin - c_inv, h_d - d_tt, -d_ta, -d_ta, -d_aa - c_d)


@nb.njit(cache=True, error_model="numpy")
def _snb(a, b, k, f, c1, c2):
    """SNB moment equations (as ARX states them) and ARX's Jacobian."""
    d = (1.0 - f) * (1.0 - b)
    f1 = k * f * (b / (1.0 - d)) ** a * ((a * d) / (1.0 - d) + 1.0) - c1
    f2 = k * a * b**a * (f * f) * (1.0 - b) / 2.0 * (1.0 - d) ** (a + 2.0) * (2.0 - (1.0 - a) * d) - c2
    g = (b - 1.0) * (f - 1.0)
    h = g - 1.0
    w = 1.0 - g
    q = a * g / h - 1.0
    r = (-b / h) ** a
    ff = f * f
    ba = b**a
    kba = a * (ba * ff * k)
    wa2 = 2.0 * w ** (a + 2.0)
    h2 = h * h
    fk = f * k
    fm1 = f - 1.0
    am1 = a - 1.0
    bm1 = b - 1.0
    s17 = am1 * g
    ffk = ff * k
    s19 = s17 + 2.0
    s20 = ffk * s19
    j11 = -fk * math.log(-b / h) * q * r - (fk * r * g) / h
    j12 = a * fk * (1.0 / h - (b * fm1) / h2) * q * (-b / h) ** am1 - fk * r * (
        (a * fm1) / h - (a * bm1 * fm1**2) / h2
    )
    j21 = (
        (kba * math.log(w) * s19 * bm1) / wa2
        - (kba * bm1**2 * fm1) / wa2
        - (ba * s20 * bm1) / wa2
        - (a * ba * ffk * math.log(b) * s19 * bm1) / wa2
    )
    j22 = (
        -(kba * s19) / wa2
        - (a**2 * b**am1 * s20 * bm1) / wa2
        - (a * ba * ffk * s17) / wa2
        - (a * ba * s20 * (a + 2.0) * g) / (2.0 * w ** (a + 3.0))
    )
    return (f1, f2, j11, j12, j21, j22)


@nb.njit(cache=True, error_model="numpy")
def _evaluate(model, x, y, sizes, counts, u, n, k, f, c1, c2):
    if model == _PITMAN_CLOSED:
        return _pitman_closed(x, y, sizes, counts, u, n)
    if model == _PITMAN_SUMMED:
        return _pitman_summed(x, y, sizes, counts, u, n)
    return _snb(x, y, k, f, c1, c2)


@nb.njit(cache=True, error_model="numpy")
def _newton(model, x0, y0, sizes, counts, u, n, k, f, c1, c2, accuracy, per_try, total, seed):
    """ARX's 2-D Newton-Raphson with restarts. Returns (x, y, iterations) or NaNs."""
    np.random.seed(seed)
    x = x0
    y = y0
    total_iterations = 0
    first = True
    while total_iterations <= total:
        if not first:
            x = (np.random.random() * 2.0 - 1.0) * x0
            y = (np.random.random() * 2.0 - 1.0) * y0
        first = False
        iterations = 0
        while True:
            total_iterations += 1
            o1, o2, j11, j12, j21, j22 = _evaluate(model, x, y, sizes, counts, u, n, k, f, c1, c2)
            if abs(o1) <= accuracy and abs(o2) <= accuracy:
                return x, y, total_iterations
            det = j11 * j22 - j12 * j21
            s = 1.0 / det
            i11 = j22 * s
            i12 = -j12 * s
            i21 = -j21 * s
            i22 = j11 * s
            x -= i11 * o1 + i12 * o2
            y -= i21 * o1 + i22 * o2
            if model != _SNB and not (x >= 0.0):  # Pitman: theta must stay non-negative
                break
            if math.isnan(x) or math.isnan(y):
                break
            if iterations >= per_try:
                break
            iterations += 1
    return math.nan, math.nan, total_iterations


# ----------------------------------------------------------------------------- models


@dataclass(frozen=True)
class UniquenessEstimate:
    """One model's estimate of population uniqueness.

    Attributes
    ----------
    model : str
        ``"pitman"``, ``"zayatz"``, ``"snb"`` or ``"dankar"``.
    n_uniques : float
        Estimated number of population uniques (NaN when the model gives no estimate).
    fraction : float
        ``n_uniques / population_size``: ARX's "population uniqueness" (NaN likewise).
    converged : bool
        Whether the model produced a valid estimate (ARX: ``isAvailableEstimate``).
    used_model : str or None
        For Dankar's rule, the model whose estimate was taken.
    note : str or None
        Why there is no estimate, when there is none.
    """

    model: str
    n_uniques: float
    fraction: float
    converged: bool
    used_model: str | None = None
    note: str | None = None

    def to_dict(self) -> dict:
        return {
            "model": self.model,
            "n_uniques": None if not self.converged else float(self.n_uniques),
            "fraction": None if not self.converged else float(self.fraction),
            "converged": bool(self.converged),
            "used_model": self.used_model,
            "note": self.note,
        }


def _pitman_result(t: float, a: float, population: float) -> float:
    if math.isnan(t) or math.isnan(a) or a == 0.0:
        return math.nan
    via_log = math.nan
    if t + a > 0.0:  # ARX's logGamma is NaN for non-positive arguments
        try:
            via_log = math.exp(math.lgamma(t + 1.0) - math.lgamma(t + a)) * population**a
        except (OverflowError, ValueError):
            via_log = math.nan
    if not (0.0 <= via_log <= population):
        via_log = math.nan
    try:
        direct = math.gamma(t + 1.0) / math.gamma(t + a) * population**a
    except (OverflowError, ValueError, ZeroDivisionError):
        direct = math.nan
    if not (0.0 <= direct <= population):
        direct = math.nan
    if math.isnan(via_log):
        return direct
    if math.isnan(direct):
        return via_log
    return max(via_log, direct)


def pitman_uniques(sizes: np.ndarray, counts: np.ndarray, sample_size: float, population_size: float) -> float:
    """Number of population uniques by ARX's Pitman model (NaN if it does not converge)."""
    # numpy scalars so that a division by zero gives inf/NaN as in Java, not an exception
    c1 = np.float64(counts[sizes == 1].sum())
    c2 = np.float64(counts[sizes == 2].sum())
    u = np.float64(counts.sum())
    n = np.float64(sample_size)
    c2 = c2 if c2 != 0 else np.float64(1.0)  # ARX: overestimate when there are no classes of size 2
    c = (c1 * (c1 - 1.0)) / c2
    with np.errstate(all="ignore"):
        t0 = ((n * u * c) - (c1 * (n - 1.0) * ((2.0 * u) + c))) / (((2.0 * c1 * u) + (c1 * c)) - (n * c))
        a0 = ((t0 * (c1 - n)) + ((n - 1.0) * c1)) / (n * u)
    if math.isnan(t0) or math.isnan(a0) or math.isinf(t0) or math.isinf(a0):
        return math.nan
    t0, a0, u, n = float(t0), float(a0), float(u), float(n)
    args = (sizes.astype(np.int64), counts.astype(np.float64), u, n, 0.0, 0.0, 0.0, 0.0, ACCURACY,
            ITERATIONS_PER_TRY, ITERATIONS_TOTAL, _RESTART_SEED)
    t, a, _ = _newton(_PITMAN_CLOSED, t0, a0, *args)
    if math.isnan(t) or math.isnan(a):
        t, a, _ = _newton(_PITMAN_SUMMED, t0, a0, *args)
    else:
        o1, o2, *_ = _pitman_summed(t, a, args[0], args[1], u, n)
        if math.isnan(o1) or math.isnan(o2) or abs(o1) > ACCURACY or abs(o2) > ACCURACY:
            t, a, _ = _newton(_PITMAN_SUMMED, t0, a0, *args)
    return _pitman_result(t, a, float(population_size))


@nb.njit(cache=True, error_model="numpy")
def _prob_exactly_one(size, population, sample):
    """Hypergeometric P(X = 1): one of a class of `size` among `sample` drawn from `population`.

    P = (size * sample / population) * prod_{j=0}^{size-2} (1 - (sample-1)/(population-1-j)),
    evaluated in log space so that it stays exact for populations of hundreds of millions.
    """
    if size - 1 > population - sample:
        return 0.0
    if sample < 1 or size > population:
        return 0.0
    log_p = math.log(size) + math.log(sample) - math.log(population)
    for j in range(size - 1):
        log_p += math.log1p(-(sample - 1.0) / (population - 1.0 - j))
    return math.exp(log_p)


@nb.njit(cache=True, error_model="numpy")
def _zayatz_share(sizes, counts, population, sample, u):
    total = 0.0
    c1 = 0.0
    for j in range(sizes.shape[0]):
        p = _prob_exactly_one(sizes[j], population, sample)
        total += (counts[j] / u) * p
        if sizes[j] == 1:
            c1 = counts[j]
    return ((c1 / u) * _prob_exactly_one(1, population, sample)) / total


def zayatz_uniques(sizes: np.ndarray, counts: np.ndarray, sample_size: float, population_size: float) -> float:
    """Number of population uniques by ARX's Zayatz model."""
    c1 = float(counts[sizes == 1].sum())
    u = float(counts.sum())
    # ARX hands the hypergeometric distribution integer sizes (truncating N = n / fraction)
    population_int = float(math.floor(population_size))
    share = _zayatz_share(sizes.astype(np.int64), counts.astype(np.float64), population_int, float(int(sample_size)), u)
    return c1 * share / (sample_size / population_size)


def _shlosser_classes(sizes: np.ndarray, counts: np.ndarray, u: float, c1: float, f: float) -> float:
    """ARX's estimate of the number of non-empty population classes (Haas/Shlosser)."""
    i = sizes.astype(np.float64)
    m = counts.astype(np.float64)
    with np.errstate(all="ignore"):
        scaled = (1.0 - f) ** i * m
        numerator_1 = float(np.sum(i * f * f * (1.0 - f * f) ** (i - 1.0) * m))
        # ARX subtracts 1 per histogram entry here (operator precedence in its code)
        denominator_1 = float(np.sum(scaled * (1.0 + f) ** i - 1.0))
        ratio_sum = float(np.sum(scaled))
        denominator_2 = float(np.sum(i * f * (1.0 - f) ** (i - 1.0) * m))
        return u + c1 * (numerator_1 / denominator_1) * (ratio_sum / denominator_2) * (ratio_sum / denominator_2)


def snb_fit(sizes: np.ndarray, counts: np.ndarray, sample_size: float, population_size: float):
    """SNB's (K, alpha, beta): K by the Shlosser-type estimate, (alpha, beta) solving the two
    moment equations from (1, 1) by ARX's solver (NaN when it does not converge)."""
    c1 = float(counts[sizes == 1].sum())
    c2 = float(counts[sizes == 2].sum())
    u = float(counts.sum())
    f = sample_size / population_size
    k = _shlosser_classes(sizes, counts, u, c1, f)
    if math.isnan(k) or math.isinf(k):
        return k, math.nan, math.nan
    a, b, _ = _newton(_SNB, 1.0, 1.0, sizes.astype(np.int64), counts.astype(np.float64), u, float(sample_size),
                      k, f, c1, c2, ACCURACY, ITERATIONS_PER_TRY, ITERATIONS_TOTAL, _RESTART_SEED)
    return k, a, b


def snb_equations(k: float, a: float, b: float, sampling_fraction: float, c1: float, c2: float) -> tuple[float, float]:
    """The residuals of SNB's two moment equations (as ARX states them) at (alpha, beta)."""
    f1, f2, *_ = _snb(float(a), float(b), float(k), float(sampling_fraction), float(c1), float(c2))
    return float(f1), float(f2)


def snb_uniques(sizes: np.ndarray, counts: np.ndarray, sample_size: float, population_size: float) -> float:
    """Number of population uniques by ARX's SNB model (NaN if it does not converge)."""
    k, a, b = snb_fit(sizes, counts, sample_size, population_size)
    if math.isnan(k) or math.isinf(k) or math.isnan(a) or math.isnan(b):
        return math.nan
    with np.errstate(all="ignore"):
        value = float(np.power(b, a))
    return k * value


def _valid(value: float) -> bool:
    # ARX treats NaN and exactly 0 as "no estimate"
    return not math.isnan(value) and value != 0.0


def population_uniqueness(
    sizes: np.ndarray, counts: np.ndarray, sample_size: int, population_size: float
) -> dict[str, UniquenessEstimate]:
    """All four estimates (Pitman, Zayatz, SNB, Dankar's rule) as ARX computes them.

    ``sizes``/``counts`` is the class size histogram of the sample.

    >>> est = population_uniqueness(np.array([1, 2]), np.array([3, 1]), 5, 50.0)
    >>> sorted(est)
    ['dankar', 'pitman', 'snb', 'zayatz']
    """
    n = float(sample_size)
    big_n = float(population_size)
    c1 = float(counts[sizes == 1].sum()) if len(sizes) else 0.0
    if c1 == 0:
        note = "no sample uniques: every model estimates 0 population uniques (as ARX)"
        return {
            name: UniquenessEstimate(name, 0.0, 0.0, True, "dankar" if name == "dankar" else None, note)
            for name in ("pitman", "zayatz", "snb", "dankar")
        }
    with np.errstate(all="ignore"):
        raw = {
            "pitman": pitman_uniques(sizes, counts, n, big_n),
            "zayatz": zayatz_uniques(sizes, counts, n, big_n),
            "snb": snb_uniques(sizes, counts, n, big_n),
        }
    estimates: dict[str, UniquenessEstimate] = {}
    for name, value in raw.items():
        if _valid(value):
            estimates[name] = UniquenessEstimate(name, value, value / big_n, True)
        else:
            why = (
                "the maximum-likelihood solver did not converge within ARX's iteration limits"
                if name != "zayatz"
                else "the hypergeometric probabilities give no estimate for this sample/population"
            )
            if name == "pitman" and not math.isnan(value):
                why = "the estimate lies outside [0, population size]"
            estimates[name] = UniquenessEstimate(name, math.nan, math.nan, False, None, why + " (ARX shows 0)")
    sampling_fraction = n / big_n
    pit, zay, snb = estimates["pitman"], estimates["zayatz"], estimates["snb"]
    if sampling_fraction <= 0.1:
        chosen = pit if pit.converged else zay
    elif snb.converged:
        # ARX compares the raw numbers: a NaN Zayatz loses, a zero Zayatz wins (and is invalid)
        chosen = zay if raw["zayatz"] < raw["snb"] else snb
    else:
        chosen = zay
    if chosen.converged:
        estimates["dankar"] = UniquenessEstimate("dankar", chosen.n_uniques, chosen.fraction, True, chosen.model)
    else:
        estimates["dankar"] = UniquenessEstimate(
            "dankar", math.nan, math.nan, False, chosen.model,
            f"Dankar's rule picked {chosen.model}, which gives no estimate (ARX shows 0)",
        )
    return estimates
