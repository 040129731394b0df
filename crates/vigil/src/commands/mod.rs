//! One module per subcommand.

pub mod demo;
pub mod export;
pub mod import;
pub mod migrate;
pub mod pack;
pub mod report;
pub mod serve;
pub mod synth;
pub mod user;
