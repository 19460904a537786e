//! Ordinary least squares with a cluster-robust covariance: the one piece of linear algebra
//! behind every adjusted effect (SPEC §3.2). Design matrix in; coefficients, residuals and the
//! covariance out. Which columns go in is the caller's business.
//!
//! The linear algebra is nalgebra's: a Householder QR of the column-equilibrated design, then
//! an SVD of its small triangular factor, gives the solution, the rank decision and (X′X)⁻¹ at
//! once, without forming X′X (whose condition number is the square of X's). The QR is built a
//! block of rows at a time from a [`Design`] that gives one row at a time, so memory is
//! K × K numbers and one score per cluster, not the N × K design.

use crate::prefetch::{AHEAD, prefetch, prefetch_all};
use nalgebra::{DMatrix, DVector, QR, SVD};

/// Relative tolerance of the rank decision: X is judged rank-deficient when, after scaling each
/// column to unit length, its smallest singular value is below this share of the largest —
/// i.e. some combination of columns is shorter than 1e-7 of a column. This is the tolerance R's
/// `lm` uses on its pivoted QR (`qr(tol = 1e-07)`); arrival soreness recorded in half points is
/// never that close to constant unless it is constant.
pub const RANK_TOLERANCE: f64 = 1e-7;

/// The most columns a model may have. A fit costs N·K² for its QR and K³ for the SVD: at 64
/// columns and 800,000 rows that is seconds, but a file whose technique column holds thousands
/// of different texts asks for thousands of columns, which would run for hours. 64 leaves room
/// for 62 levels against the reference in one region's model (intercept and arrival soreness
/// besides), and 54 in the pooled model when all nine regions have rows: far more techniques
/// than a clinic uses.
pub const MAX_COLUMNS: usize = 64;

/// Iterations allowed to the SVD before it gives up (it needs a few dozen on real designs).
const SVD_MAX_ITERATIONS: usize = 10_000;

/// A fitted model.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// β, one per column of X, in column order.
    pub coefficients: Vec<f64>,
    /// The CR1 cluster-robust covariance of β, K × K, row-major; `None` with fewer than two
    /// clusters (G/(G − 1) is not defined).
    pub covariance: Option<Vec<f64>>,
    /// G, the number of distinct clusters.
    pub clusters: usize,
}

impl Fit {
    /// The cluster-robust standard error of coefficient `j`; `None` without a covariance.
    pub fn std_error(&self, j: usize) -> Option<f64> {
        let k = self.coefficients.len();
        let v = *self.covariance.as_ref()?.get(j * k + j)?;
        // A variance of −1e-17 is zero written by rounding.
        let se = v.max(0.0).sqrt();
        se.is_finite().then_some(se)
    }
}

/// Why a model could not be fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NoFit {
    /// The lengths of X, y and the cluster ids disagree, or X has no columns (a bug in the caller).
    #[error("the design matrix, outcomes and clusters have different lengths")]
    Shape,
    /// N ≤ K: no more rows than columns, so nothing is left to estimate the error from.
    #[error("{rows} rows are too few for a model with {columns} columns")]
    TooFewRows { rows: usize, columns: usize },
    /// The columns are (numerically) linearly dependent, e.g. arrival soreness is the same in
    /// every row.
    #[error("the columns of the model are linearly dependent")]
    RankDeficient,
    /// More than [`MAX_COLUMNS`] columns: too many levels to compare at once.
    #[error("a model with {columns} columns is more than the {MAX_COLUMNS} relief fits")]
    TooManyColumns { columns: usize },
    /// A value of X or y is NaN or infinite.
    #[error("a value of the model is not a finite number")]
    NotFinite,
    /// The SVD did not converge (not seen on real data; reported rather than guessed).
    #[error("the least-squares solution did not converge")]
    NotConverged,
}

/// A model's data given one row at a time, so a fit never holds the N × K design matrix: a
/// pooled model of a franchise's month has tens of millions of rows, and its design would
/// take gigabytes where the fit itself needs K × K numbers and a score per cluster.
pub trait Design {
    /// N, the number of rows.
    fn rows(&self) -> usize;
    /// K, the number of columns of X.
    fn columns(&self) -> usize;
    /// Writes row `i` of X into `x` (K values) and returns its outcome y and its cluster id.
    /// Called several times per row (the fit builds the rows in three passes), always with the
    /// same answer.
    fn row(&self, i: usize, x: &mut [f64]) -> (f64, u32);
    /// The cluster id of row `i`, the one [`Design::row`] returns, without building the row:
    /// the two passes that number the clusters need nothing else.
    fn cluster(&self, i: usize) -> u32;
}

/// A design held as a row-major matrix, as [`fit`] takes it.
struct Dense<'a> {
    x: &'a [f64],
    columns: usize,
    y: &'a [f64],
    clusters: &'a [u32],
}

impl Design for Dense<'_> {
    fn rows(&self) -> usize {
        self.y.len()
    }
    fn columns(&self) -> usize {
        self.columns
    }
    fn row(&self, i: usize, x: &mut [f64]) -> (f64, u32) {
        x.copy_from_slice(&self.x[i * self.columns..(i + 1) * self.columns]);
        (self.y[i], self.clusters[i])
    }
    fn cluster(&self, i: usize) -> u32 {
        self.clusters[i]
    }
}

/// Rows per block of the streamed QR: each block is stacked under the R of the rows before it
/// and factorised again, so memory holds (K + BLOCK) × K numbers whatever N is.
const BLOCK: usize = 2048;

/// Fits y = Xβ + u by ordinary least squares and computes the CR1 cluster-robust covariance.
///
/// `x` is the N × K design matrix, row-major (`x[i * columns + j]` is row i, column j); `y` and
/// `clusters` have one value per row; rows with the same cluster id (a client) are one cluster.
/// [`fit_design`] does the work; this is the form for a design already in memory.
///
/// # Errors
/// As [`fit_design`], and [`NoFit::Shape`] for inconsistent lengths.
pub fn fit(x: &[f64], columns: usize, y: &[f64], clusters: &[u32]) -> Result<Fit, NoFit> {
    if columns == 0 || x.len() != y.len() * columns || clusters.len() != y.len() {
        return Err(NoFit::Shape);
    }
    fit_design(&Dense {
        x,
        columns,
        y,
        clusters,
    })
}

/// Fits y = Xβ + u by ordinary least squares and computes the CR1 cluster-robust covariance,
/// reading the rows from `design` again and again (five passes: column lengths, two over the
/// cluster ids alone, the QR a block at a time, the cluster scores).
///
/// β minimises ‖y − Xβ‖², computed from the design with each column scaled to unit length
/// (D = diag of the column lengths): X D⁻¹ = Q R, R = U Σ Vᵀ, so β = D⁻¹ V Σ⁻¹ Uᵀ Qᵀ y and
/// (X′X)⁻¹ = D⁻¹ V Σ⁻² Vᵀ D⁻¹. Q R is built block by block (a "tall-skinny" QR: each block of
/// rows is stacked under the R so far and factorised again), which gives the R and Qᵀy of the
/// whole matrix, up to the signs of R's rows, which cancel in β and (X′X)⁻¹. The covariance is
/// the CR1 sandwich
///
/// ```text
/// V_CR1 = (X′X)⁻¹ ( Σ_g X_g′ u_g u_g′ X_g ) (X′X)⁻¹ × G/(G − 1) × (N − 1)/(N − K)
/// ```
///
/// with G clusters, N rows, K columns and u the residuals; X_g′u_g is the sum of x_i u_i over
/// the rows of cluster g. The factor is the one Stata's `regress, vce(cluster)`, statsmodels'
/// `cov_type="cluster"` and R's `sandwich::vcovCL(type = "HC1")` apply. References: A. C. Cameron
/// and D. L. Miller, "A Practitioner's Guide to Cluster-Robust Inference", *J. Human Resources*
/// 50(2), 2015, §II.C; the statsmodels and Stata manuals. Confidence intervals built on it use
/// t with G − 1 degrees of freedom (Cameron and Miller §VI.A).
///
/// # Errors
/// [`NoFit::TooManyColumns`] when K > [`MAX_COLUMNS`] (checked before a row is read),
/// [`NoFit::TooFewRows`] when N ≤ K, [`NoFit::RankDeficient`] when the columns are linearly
/// dependent within [`RANK_TOLERANCE`], [`NoFit::NotFinite`] for a NaN or infinite input,
/// [`NoFit::Shape`] for a design without columns, [`NoFit::NotConverged`] if the SVD fails.
pub fn fit_design(design: &impl Design) -> Result<Fit, NoFit> {
    let (n, k) = (design.rows(), design.columns());
    if k == 0 {
        return Err(NoFit::Shape);
    }
    if k > MAX_COLUMNS {
        return Err(NoFit::TooManyColumns { columns: k });
    }
    if n <= k {
        return Err(NoFit::TooFewRows {
            rows: n,
            columns: k,
        });
    }
    let lengths = column_lengths(design)?;
    let clusters = Clusters::of(design);
    let (r, qty) = streamed_qr(design, &lengths);
    let svd =
        SVD::try_new(r, true, true, f64::EPSILON, SVD_MAX_ITERATIONS).ok_or(NoFit::NotConverged)?;
    let sigma = &svd.singular_values;
    let (smax, smin) = (sigma.max(), sigma.min());
    if smin.is_nan() || smin <= RANK_TOLERANCE * smax {
        return Err(NoFit::RankDeficient);
    }
    let (Some(u), Some(v_t)) = (&svd.u, &svd.v_t) else {
        return Err(NoFit::NotConverged);
    };
    // V Σ⁻¹: column j of V divided by σ_j.
    let mut v_over_sigma = v_t.transpose();
    for (j, mut column) in v_over_sigma.column_iter_mut().enumerate() {
        column /= sigma[j];
    }
    let beta_scaled = &v_over_sigma * (u.transpose() * qty);
    let beta: Vec<f64> = (0..k).map(|j| beta_scaled[j] / lengths[j]).collect();

    let inv_scaled = &v_over_sigma * v_over_sigma.transpose();
    let bread = DMatrix::from_fn(k, k, |i, j| inv_scaled[(i, j)] / (lengths[i] * lengths[j]));
    let meat = cluster_meat(design, &beta, &clusters);
    let g = clusters.len();
    let covariance = (g >= 2).then(|| {
        let (gf, nf, kf) = (g as f64, n as f64, k as f64);
        let factor = gf / (gf - 1.0) * (nf - 1.0) / (nf - kf);
        let v = &bread * meat * &bread * factor;
        // Row-major, and exactly symmetric whatever rounding did to the two triangles.
        let mut out = Vec::with_capacity(k * k);
        for i in 0..k {
            for j in 0..k {
                out.push((v[(i, j)] + v[(j, i)]) / 2.0);
            }
        }
        out
    });
    let fit = Fit {
        coefficients: beta,
        covariance,
        clusters: g,
    };
    let finite = fit.coefficients.iter().all(|v| v.is_finite())
        && fit
            .covariance
            .as_ref()
            .is_none_or(|c| c.iter().all(|v| v.is_finite()));
    if finite {
        Ok(fit)
    } else {
        Err(NoFit::NotFinite)
    }
}

/// The clusters of a design, numbered 0, 1, 2 … in the order of their ids, without a per-row
/// array: a client's number is looked up from its id when the rows are read again.
enum Clusters {
    /// Ids up to a few times the row count (relief's client numbers are 0, 1, 2 …): a table
    /// from id to number, `u32::MAX` for ids no row has.
    Dense(Vec<u32>),
    /// Any other ids: the distinct ids, sorted; a number is an id's position.
    Sparse(Vec<u32>),
}

impl Clusters {
    /// The clusters of the design's rows (two quick passes over their cluster ids).
    fn of(design: &impl Design) -> Clusters {
        let n = design.rows();
        let id = |i: usize| design.cluster(i);
        let max = (0..n).map(id).max().unwrap_or(0) as usize;
        if max <= n.saturating_mul(4).saturating_add(1024) {
            let mut table = vec![u32::MAX; max + 1];
            for i in 0..n {
                table[id(i) as usize] = 0;
            }
            for (number, slot) in table.iter_mut().filter(|s| **s == 0).enumerate() {
                *slot = number as u32;
            }
            Clusters::Dense(table)
        } else {
            let mut distinct: Vec<u32> = (0..n).map(id).collect();
            distinct.sort_unstable();
            distinct.dedup();
            Clusters::Sparse(distinct)
        }
    }

    /// The number of the cluster `id` (one of the ids the clusters were made of).
    fn number(&self, id: u32) -> usize {
        match self {
            Clusters::Dense(table) => table[id as usize] as usize,
            Clusters::Sparse(distinct) => distinct.binary_search(&id).unwrap_or_default(),
        }
    }

    /// Asks for the memory [`Clusters::number`] reads for `id` (see [`prefetch`](crate::prefetch)).
    fn prefetch_number(&self, id: u32) {
        if let Clusters::Dense(table) = self
            && let Some(slot) = table.get(id as usize)
        {
            prefetch(slot);
        }
    }

    /// G, the number of distinct clusters.
    fn len(&self) -> usize {
        match self {
            Clusters::Dense(table) => table.iter().filter(|s| **s != u32::MAX).count(),
            Clusters::Sparse(distinct) => distinct.len(),
        }
    }
}

/// First pass: every value finite, and each column's length (√Σx²).
fn column_lengths(design: &impl Design) -> Result<Vec<f64>, NoFit> {
    let (n, k) = (design.rows(), design.columns());
    let mut x = vec![0.0; k];
    let mut squares = vec![0.0; k];
    for i in 0..n {
        let (y, _) = design.row(i, &mut x);
        if !(y.is_finite() && x.iter().all(|v| v.is_finite())) {
            return Err(NoFit::NotFinite);
        }
        for (s, v) in squares.iter_mut().zip(&x) {
            *s += v * v;
        }
    }
    let lengths: Vec<f64> = squares.into_iter().map(f64::sqrt).collect();
    if lengths.iter().any(|l| !(*l > 0.0 && l.is_finite())) {
        return Err(NoFit::RankDeficient);
    }
    Ok(lengths)
}

/// Second pass: R (K × K) and the first K values of Qᵀy of X D⁻¹ = Q R, a block of rows at a
/// time (Householder QR of the previous R stacked on the block).
fn streamed_qr(design: &impl Design, lengths: &[f64]) -> (DMatrix<f64>, DVector<f64>) {
    let (n, k) = (design.rows(), design.columns());
    let mut r = DMatrix::<f64>::zeros(k, k);
    let mut qty = DVector::<f64>::zeros(k);
    let mut x = vec![0.0; k];
    for start in (0..n).step_by(BLOCK) {
        let b = BLOCK.min(n - start);
        let mut stacked = DMatrix::<f64>::zeros(k + b, k);
        stacked.view_mut((0, 0), (k, k)).copy_from(&r);
        let mut z = DVector::<f64>::zeros(k + b);
        z.rows_mut(0, k).copy_from(&qty);
        for t in 0..b {
            let (y, _) = design.row(start + t, &mut x);
            for j in 0..k {
                stacked[(k + t, j)] = x[j] / lengths[j];
            }
            z[k + t] = y;
        }
        let qr = QR::new(stacked);
        qr.q_tr_mul(&mut z);
        r = qr.unpack_r();
        qty = z.rows(0, k).into_owned();
    }
    (r, qty)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Third pass: Σ_g s_g s_gᵀ with s_g = Σ_{i ∈ g} x_i u_i (the score of cluster g) and
/// u_i = y_i − x_i β. Each score sums its rows in row order and the clusters are added in id
/// order, so the sum does not depend on the order of the rows between clusters.
///
/// The rows come in the model's order, not by client, so every row adds to a score far from
/// the last one: with hundreds of thousands of clients the scores are tens of megabytes, and
/// waiting for each score's memory was most of this pass (9 % of the CPU of a 20-million-row
/// report's figures). Each row's score is asked for [`AHEAD`] rows ahead, and the cluster
/// number that finds it twice as far ([`prefetch`](crate::prefetch)), so the waits overlap:
/// the pass takes a third of the time it did. Which score a row adds to, and in what order, is
/// unchanged.
fn cluster_meat(design: &impl Design, beta: &[f64], clusters: &Clusters) -> DMatrix<f64> {
    let (n, k) = (design.rows(), design.columns());
    let mut scores = vec![0.0; clusters.len() * k];
    let mut x = vec![0.0; k];
    let score_of = |g: usize| g * k..(g + 1) * k;
    // The cluster numbers of rows i … i + AHEAD − 1, each at `ahead[row % AHEAD]`.
    let mut ahead = [0usize; AHEAD];
    for (i, slot) in ahead.iter_mut().enumerate().take(n) {
        *slot = clusters.number(design.cluster(i));
        prefetch_all(&scores[score_of(*slot)]);
    }
    for i in 0..n {
        let g = ahead[i % AHEAD];
        if let Some(id) = (i + 2 * AHEAD < n).then(|| design.cluster(i + 2 * AHEAD)) {
            clusters.prefetch_number(id);
        }
        if i + AHEAD < n {
            let next = clusters.number(design.cluster(i + AHEAD));
            ahead[i % AHEAD] = next;
            prefetch_all(&scores[score_of(next)]);
        }
        let (y, _) = design.row(i, &mut x);
        let u = y - dot(&x, beta);
        for (s, xij) in scores[score_of(g)].iter_mut().zip(&x) {
            *s += xij * u;
        }
    }
    let mut meat = DMatrix::<f64>::zeros(k, k);
    for score in scores.chunks_exact(k) {
        for a in 0..k {
            for b in 0..k {
                meat[(a, b)] += score[a] * score[b];
            }
        }
    }
    meat
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()))
    }

    /// The design and changes of [`hand_worked_cr1_with_two_clients`], one row of X per line.
    const HAND_WORKED_X: [f64; 12] = [
        1.0, 4.0, 0.0, //
        1.0, 8.0, 1.0, //
        1.0, 4.0, 0.0, //
        1.0, 6.0, 1.0,
    ];
    const HAND_WORKED_Y: [f64; 4] = [1.5, 4.0, 0.5, 3.0];

    /// A design of `columns` columns and `rows` rows of arbitrary, independent values; with
    /// `readable` false, reading a row is a bug.
    struct Wide {
        columns: usize,
        rows: usize,
        readable: bool,
    }

    impl Design for Wide {
        fn rows(&self) -> usize {
            self.rows
        }
        fn columns(&self) -> usize {
            self.columns
        }
        fn row(&self, i: usize, x: &mut [f64]) -> (f64, u32) {
            assert!(
                self.readable,
                "a row was read from a design that is refused"
            );
            for (j, v) in x.iter_mut().enumerate() {
                // A fixed pseudo-random value per cell (splitmix-style), in [0, 1).
                let h = ((i * 131 + j * 7919 + 1) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                *v = (h >> 11) as f64 / (1u64 << 53) as f64;
            }
            ((i % 10) as f64, self.cluster(i))
        }
        fn cluster(&self, i: usize) -> u32 {
            (i % 40) as u32
        }
    }

    /// A model with more than MAX_COLUMNS columns (a technique column with thousands of
    /// different texts) is refused before a row is read, where fitting it would take hours; a
    /// model at the limit is fitted.
    #[test]
    fn models_wider_than_the_limit_are_refused_before_reading_a_row() {
        let over = Wide {
            columns: MAX_COLUMNS + 1,
            rows: 10_000,
            readable: false,
        };
        assert_eq!(
            fit_design(&over),
            Err(NoFit::TooManyColumns {
                columns: MAX_COLUMNS + 1
            })
        );
        let at = Wide {
            columns: MAX_COLUMNS,
            rows: 1_000,
            readable: true,
        };
        let fit = fit_design(&at).unwrap();
        assert_eq!(fit.coefficients.len(), MAX_COLUMNS);
        assert_eq!(fit.clusters, 40);
    }

    /// Worked on paper. Columns: intercept, before, focus. Two clients, A (rows 1–2) and B
    /// (rows 3–4):
    ///
    /// ```text
    ///  row client before focus change
    ///   1     A      4      0    1.5
    ///   2     A      8      1    4.0
    ///   3     B      4      0    0.5
    ///   4     B      6      1    3.0
    /// ```
    ///
    /// The residual space of X is one-dimensional: u ⊥ 1, u ⊥ focus and u ⊥ before force
    /// u = t(1, 0, −1, 0). The changes are X(−1, 0.5, 1) + 0.5(1, 0, −1, 0), so
    /// β = (−1, 0.5, 1) and u = (0.5, 0, −0.5, 0). (Raw focus difference: 3.5 − 1 = 2.5.)
    ///
    /// X′X = [[4, 22, 2], [22, 132, 14], [2, 14, 2]].
    /// Scores: s_A = x₁u₁ + x₂u₂ = 0.5 (1, 4, 0); s_B = x₃u₃ = −0.5 (1, 4, 0).
    /// Meat = s_A s_Aᵀ + s_B s_Bᵀ = 0.5 w wᵀ with w = (1, 4, 0).
    /// (X′X)⁻¹ w solves X′X z = w: the third equation gives z₃ = −z₁ − 7z₂, then
    /// 2z₁ + 8z₂ = 1 and 8z₁ + 34z₂ = 4, so z = (0.5, 0, −0.5).
    /// Sandwich = 0.5 z zᵀ = [[0.125, 0, −0.125], [0, 0, 0], [−0.125, 0, 0.125]].
    /// CR1 factor: G/(G − 1) × (N − 1)/(N − K) = 2/1 × 3/1 = 6.
    /// V = [[0.75, 0, −0.75], [0, 0, 0], [−0.75, 0, 0.75]]; SE(focus) = √0.75.
    #[test]
    fn hand_worked_cr1_with_two_clients() {
        let (x, y) = (HAND_WORKED_X, HAND_WORKED_Y);
        let f = fit(&x, 3, &y, &[7, 7, 3, 3]).unwrap();
        for (got, want) in f.coefficients.iter().zip([-1.0, 0.5, 1.0]) {
            assert!(close(*got, want), "β {:?}", f.coefficients);
        }
        let residuals: Vec<f64> = x
            .chunks_exact(3)
            .zip(y)
            .map(|(row, yi)| yi - dot(row, &f.coefficients))
            .collect();
        for (got, want) in residuals.iter().zip([0.5, 0.0, -0.5, 0.0]) {
            assert!(close(*got, want), "u {residuals:?}");
        }
        let v = f.covariance.as_ref().unwrap();
        let want = [0.75, 0.0, -0.75, 0.0, 0.0, 0.0, -0.75, 0.0, 0.75];
        for (got, want) in v.iter().zip(want) {
            assert!(close(*got, want), "V {v:?}");
        }
        assert_eq!(f.clusters, 2);
        assert!(close(f.std_error(2).unwrap(), 0.75f64.sqrt()));
        assert!(
            f.std_error(1).unwrap() < 1e-7,
            "before's SE is zero up to rounding"
        );
    }

    /// A second paper example with cluster-constant residuals: x = (0, 2, 0, 2), y = (1, 4, 3, 6),
    /// clients A = rows 1–2, B = rows 3–4. β = (2, 1.5), u = (−1, −1, 1, 1); s_A = (−2, −2),
    /// s_B = (2, 2), meat = [[8, 8], [8, 8]]; (X′X)⁻¹ = [[0.5, −0.25], [−0.25, 0.25]];
    /// sandwich = [[0.5, 0], [0, 0]]; × 2 × 3/2 gives V = [[1.5, 0], [0, 0]]. Ordinary SEs
    /// would not be zero for the slope; the clustered one is, because within each client the
    /// residuals do not move with x.
    #[test]
    fn hand_worked_cluster_constant_residuals() {
        let x = [1.0, 0.0, 1.0, 2.0, 1.0, 0.0, 1.0, 2.0];
        let f = fit(&x, 2, &[1.0, 4.0, 3.0, 6.0], &[0, 0, 1, 1]).unwrap();
        assert!(close(f.coefficients[0], 2.0) && close(f.coefficients[1], 1.5));
        let v = f.covariance.unwrap();
        for (got, want) in v.iter().zip([1.5, 0.0, 0.0, 0.0]) {
            assert!(close(*got, want), "V {v:?}");
        }
    }

    /// Cluster ids far apart (numbered through a sorted list) and close together (through a
    /// table) give the same fit, bit for bit: the hand-worked rows and a third client's two.
    /// The meat with the look-ahead is, bit for bit, the plain sum: each row's x·u added to its
    /// cluster's score in row order, the scores' outer products added in cluster order. Over
    /// fewer rows than the look-ahead and over many, each row in another cluster than the last,
    /// with dense and sparse cluster ids.
    #[test]
    fn cluster_meat_is_the_plain_sum_whatever_the_look_ahead() {
        let plain = |design: &Wide, beta: &[f64]| {
            let k = design.columns;
            let mut ids: Vec<u32> = (0..design.rows).map(|i| design.cluster(i)).collect();
            ids.sort_unstable();
            ids.dedup();
            let mut scores = vec![vec![0.0; k]; ids.len()];
            let mut x = vec![0.0; k];
            for i in 0..design.rows {
                let (y, id) = design.row(i, &mut x);
                let u = y - x.iter().zip(beta).map(|(a, b)| a * b).sum::<f64>();
                let g = ids.binary_search(&id).unwrap();
                for (s, v) in scores[g].iter_mut().zip(&x) {
                    *s += v * u;
                }
            }
            let mut meat = DMatrix::<f64>::zeros(k, k);
            for s in &scores {
                for a in 0..k {
                    for b in 0..k {
                        meat[(a, b)] += s[a] * s[b];
                    }
                }
            }
            meat
        };
        for (rows, columns) in [(3, 2), (AHEAD + 1, 3), (2 * AHEAD + 1, 4), (5_000, 7)] {
            let design = Wide {
                columns,
                rows,
                readable: true,
            };
            let beta: Vec<f64> = (0..columns).map(|j| 0.25 * j as f64 - 0.5).collect();
            let want = plain(&design, &beta);
            let clusters = Clusters::of(&design);
            assert!(matches!(clusters, Clusters::Dense(_)));
            assert_eq!(cluster_meat(&design, &beta, &clusters), want, "{rows} rows");
            let mut ids: Vec<u32> = (0..rows).map(|i| design.cluster(i)).collect();
            ids.sort_unstable();
            ids.dedup();
            let sparse = Clusters::Sparse(ids);
            assert_eq!(cluster_meat(&design, &beta, &sparse), want, "{rows} rows");
        }
    }

    #[test]
    fn sparse_and_dense_cluster_ids_give_the_same_fit() {
        let x = [&HAND_WORKED_X[..], &[1.0, 5.0, 1.0, 1.0, 7.0, 0.0]].concat();
        let y = [&HAND_WORKED_Y[..], &[2.0, 2.5]].concat();
        let dense = fit(&x, 3, &y, &[2, 2, 0, 0, 1, 1]).unwrap();
        let sparse = fit(
            &x,
            3,
            &y,
            &[4_000_000_000, 4_000_000_000, 7, 7, 90_000, 90_000],
        );
        assert_eq!(dense, sparse.unwrap());
        assert_eq!(dense.clusters, 3);
    }

    #[test]
    fn constant_column_beside_intercept_is_rank_deficient() {
        // before = 6 in every row: the before column is 6 × the intercept.
        let x = [1.0, 6.0, 1.0, 6.0, 1.0, 6.0, 1.0, 6.0];
        let got = fit(&x, 2, &[1.0, 2.0, 3.0, 1.0], &[0, 1, 2, 3]);
        assert_eq!(got, Err(NoFit::RankDeficient));
        // Nearly proportional within rounding is still judged dependent (relative tolerance).
        let x = [1.0, 6.0, 1.0, 6.0 + 1e-12, 1.0, 6.0, 1.0, 6.0];
        let got = fit(&x, 2, &[1.0, 2.0, 3.0, 1.0], &[0, 1, 2, 3]);
        assert_eq!(got, Err(NoFit::RankDeficient));
        // An all-zero indicator is dependent too.
        let x = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0];
        assert_eq!(
            fit(&x, 2, &[1.0, 2.0, 3.0], &[0, 1, 2]),
            Err(NoFit::RankDeficient)
        );
    }

    #[test]
    fn no_more_rows_than_columns_gives_no_fit() {
        let x = [1.0, 4.0, 1.0, 5.0];
        assert_eq!(
            fit(&x, 2, &[1.0, 2.0], &[0, 1]),
            Err(NoFit::TooFewRows {
                rows: 2,
                columns: 2
            })
        );
        assert_eq!(
            fit(&[], 2, &[], &[]),
            Err(NoFit::TooFewRows {
                rows: 0,
                columns: 2
            })
        );
    }

    #[test]
    fn one_cluster_fits_without_covariance_and_bad_input_is_refused() {
        let x = [1.0, 1.0, 1.0, 2.0, 1.0, 4.0];
        let f = fit(&x, 2, &[1.0, 2.0, 2.5], &[5, 5, 5]).unwrap();
        assert_eq!(f.covariance, None);
        assert_eq!(f.std_error(1), None);
        assert_eq!(f.clusters, 1);
        assert_eq!(
            fit(&x, 2, &[1.0, f64::NAN, 2.5], &[5, 5, 5]),
            Err(NoFit::NotFinite)
        );
        assert_eq!(fit(&x, 2, &[1.0, 2.0], &[5, 5]), Err(NoFit::Shape));
        assert_eq!(fit(&x, 0, &[1.0, 2.0], &[5, 5]), Err(NoFit::Shape));
    }

    #[test]
    fn columns_on_very_different_scales_are_not_judged_dependent() {
        // A column in thousandths beside one in thousands: equilibration keeps the rank test
        // about the directions of the columns, not their units.
        let x: Vec<f64> = (0..6)
            .flat_map(|i| [1.0, 1000.0 * i as f64, 0.001 * ((i * i) % 5) as f64])
            .collect();
        let y = [0.3, 1.0, 2.1, 2.9, 4.2, 5.0];
        let f = fit(&x, 3, &y, &[0, 0, 1, 1, 2, 2]).unwrap();
        assert!(f.covariance.is_some());
    }
}
