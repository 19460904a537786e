//! End-to-end tests of `relief sample`.

#[allow(unused_imports)]
use crate::common::*;
