//! Two runs of the same tasks compared: trajectories paired by task ([`key`], [`pair`]), their
//! steps aligned ([`align`]), and the outcomes tested ([`mcnemar`]). Plain data in, plain data
//! out; `session::compare` feeds it from the files and both front-ends show it.

pub mod align;
pub mod key;
pub mod mcnemar;
pub mod pair;

pub use align::{align, Alignment, Kind};
pub use key::KeySpec;
pub use pair::{Basis, Change, Pairing, Side, Summary, Task};
