//! End-to-end tests of `relief excel`.

#[allow(unused_imports)]
use crate::common::*;
