//! End-to-end tests of `relief report`.

#[allow(unused_imports)]
use crate::common::*;
