//! histx: a command-line history inspector for AWS workflow services.
//!
//! The layers, each ignorant of the ones after it:
//! `cli` → `app` (the one match over services) → `engine` (file or live, once or
//! follow, what to print) → `source` (live pages, saved files) → a service's
//! `Normalizer` → `model::Event` → `render`. Services (`services::<name>/`) are
//! plug-ins: they declare, the engine decides.

pub mod app;
pub mod aws;
pub mod children;
pub mod cli;
pub mod engine;
pub mod escape;
pub mod exit;
pub mod filter;
pub mod generate;
pub mod listing;
pub mod model;
pub mod paste;
pub mod render;
pub mod services;
pub mod source;
pub mod terminal;
pub mod wire;
