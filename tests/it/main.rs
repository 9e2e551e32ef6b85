//! histx's integration tests, all in one test binary so that the shared helpers in
//! `common/` and the libraries the tests link are compiled once, not once per file. One
//! module per area; run one with `cargo test --test it sfn_fake::`.

mod common;

mod aws_config;
mod cheap_summary;
mod children;
mod codepipeline_cli;
mod codepipeline_fake;
mod codepipeline_normalize;
mod codepipeline_truth;
mod command_line;
mod completion_shells;
mod deep_nesting;
mod digests_folding;
mod escaping;
mod exit_status;
mod filters;
mod follow_polls;
mod follow_views;
mod generated;
mod incomplete;
mod io_and_fitting;
mod listing_fake;
mod listing_moto;
mod pager;
mod paste;
mod read_progress;
mod saved_files;
mod saved_order;
mod sfn_cli;
mod sfn_fake;
mod sfn_follow;
mod sfn_moto;
mod sfn_normalize;
mod sfn_redrive;
mod sfn_truth;
mod snapshots_tree_table;
mod span_follow;
mod ssm_chains;
mod ssm_cli;
mod ssm_fake;
mod ssm_normalize;
mod ssm_truth;
mod summaries;
mod swf_cli;
mod swf_continue;
mod swf_fake;
mod swf_moto;
mod swf_normalize;
mod swf_truth;
mod table_fitting;
mod timeline_stats;
mod timeouts;
mod two_chains;
