//! histx: a command-line history inspector for AWS workflow services.
//!
//! The layers, each ignorant of the ones after it:
//! `cli` → `app` → `services::<name>` → `fetch` (all pages) → `Normalizer` →
//! `model::Event` → `render`. Saved files enter through `saved`, as a page source.

pub mod app;
pub mod aws;
pub mod cli;
pub mod exit;
pub mod fetch;
pub mod filter;
pub mod generate;
pub mod model;
pub mod pipeline;
pub mod render;
pub mod saved;
pub mod services;
pub mod wire;
