//! End-to-end tests of `relief charts`.

#[allow(unused_imports)]
use crate::common::*;
