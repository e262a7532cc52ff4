//! Stage 3: entities — merging mentions that refer to the same thing.

use crate::document::{Entity, Mention, Sentence};

/// Groups mentions into entities.
pub trait Resolver: Send + Sync {
    /// Entities of `text` built from its name `mentions` (sorted by start).
    /// Implementations may add pronoun and nominal mentions they resolve.
    fn resolve(&self, text: &str, sentences: &[Sentence], mentions: Vec<Mention>) -> Vec<Entity>;
}
