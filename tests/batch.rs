//! End-to-end tests of `relief batch`.

#[allow(unused_imports)]
use crate::common::*;
