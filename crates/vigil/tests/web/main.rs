//! The web application, driven over real HTTP on loopback against the real binary: one
//! test binary, one module per concern.

pub mod api;
mod authorisation;
mod browser;
mod cohorts;
#[path = "../common/mod.rs"]
mod common;
mod concurrency;
mod dvds;
mod encompass;
mod flows;
pub mod marac;
mod marac_record;
mod mash;
mod orders;
mod pages;
mod partners;
mod restricted;
mod support;
