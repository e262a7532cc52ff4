//! Numeric helpers shared by the stages that run networks (the NER
//! encoder in `ner::backends::candle`, the span model in `quotes::spans`):
//! element-wise maths in forms the compiler vectorises ([`math`]) and the
//! wrapper that compiles a loop for the widest vectors the CPU has
//! ([`simd`]). Nothing here knows a stage; a stage uses them, never
//! another stage's copy of them.

pub(crate) mod math;
// `#[target_feature]` wrappers: calling them is `unsafe` (feature checks
// beside each call).
#[allow(unsafe_code)]
pub(crate) mod simd;
