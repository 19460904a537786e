//! The statistics of "does personalisation help?" (SPEC §3.1–§3.3), as pure functions over plain
//! slices: no polars, no report-model groups, so each estimator can be checked on its own against
//! a hand-worked example and an independent computation.
//!
//! - [`ols`]: least squares with the client-clustered (CR1) covariance — the only linear algebra;
//! - [`adjusted`]: each personalisation factor's difference at equal arrival soreness (§3.2);
//! - [`course`]: how far regular clients' arrival soreness fell over their course of care (§3.3);
//! - [`mcid`]: whether one row's change is clinically important for its arrival soreness (§3.1).
//!
//! Every figure that cannot be computed is `None`, never NaN.

pub mod adjusted;
pub mod course;
pub mod mcid;
pub mod ols;

#[cfg(test)]
mod tests;

pub use adjusted::{
    FactorLevel, LevelRow, SpelledLevel, Technique, adjusted_effects, adjusted_effects_spelled,
};
pub use course::{CourseRow, course_of_care};
pub use mcid::{mcid_rate, reaches_mcid};
pub use ols::{Fit, NoFit, fit};

use statrs::distribution::{ContinuousCDF, StudentsT};

/// The two-sided 95 % critical value of Student's t, t(0.975, df); `None` for df = 0.
pub(crate) fn t975(df: u64) -> Option<f64> {
    let t = StudentsT::new(0.0, 1.0, df as f64).ok()?.inverse_cdf(0.975);
    t.is_finite().then_some(t)
}

/// The arithmetic mean; `None` for no values.
pub(crate) fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The sample standard deviation (n − 1); `None` under 2 values.
pub(crate) fn sample_sd(values: &[f64]) -> Option<f64> {
    let m = mean(values)?;
    (values.len() >= 2).then(|| {
        let ss: f64 = values.iter().map(|v| (v - m) * (v - m)).sum();
        (ss / (values.len() - 1) as f64).sqrt()
    })
}

/// The median; with an even count, the midpoint of the two middle values. `None` for none.
pub(crate) fn median(values: &[f64]) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}
