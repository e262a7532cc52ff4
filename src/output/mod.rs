//! Views of a [`Document`](crate::Document) for people and other programs.
//!
//! - [`json`]: JSON with code-point or byte offsets, the covered text beside
//!   every span, so the output reads on its own in any language.
//! - [`html`]: one self-contained page that shows the article with entities
//!   coloured by type and quotes highlighted and linked to their speakers.

pub mod html;
pub mod json;
pub mod text;

pub use json::{DocumentJson, Offsets};
