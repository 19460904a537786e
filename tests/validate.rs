//! End-to-end tests of `relief validate`.

#[allow(unused_imports)]
use crate::common::*;
