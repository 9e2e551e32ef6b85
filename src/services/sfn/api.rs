//! Step Functions' API: GetExecutionHistory pages as the wire sent them.

use super::*;
use crate::aws::{self, Connection, WireTap};
use crate::source::pager::{Page, PageApi};
use anyhow::Result;

/// GetExecutionHistory, one page per call, through the SDK.
pub struct LiveHistory {
    client: aws_sdk_sfn::Client,
    arn: String,
    reverse: bool,
    include_data: bool,
}

impl LiveHistory {
    pub async fn connect(
        connection: &Connection,
        arn: &ExecutionArn,
        reverse: bool,
        include_data: bool,
    ) -> Result<Self> {
        let config = aws::load_config(connection, Some(&arn.region)).await?;
        Ok(LiveHistory {
            client: crate::reader_client!(aws_sdk_sfn, &config),
            arn: arn.arn.clone(),
            reverse,
            include_data,
        })
    }
}

impl PageApi for LiveHistory {
    async fn fetch_page(&mut self, token: Option<String>, page_size: usize) -> Result<Page> {
        let tap = WireTap::default();
        self.client
            .get_execution_history()
            .execution_arn(&self.arn)
            .reverse_order(self.reverse)
            .include_execution_data(self.include_data)
            .max_results(page_size as i32)
            .set_next_token(token)
            .customize()
            .interceptor(tap.clone())
            .send()
            .await
            .map_err(aws::describe_error)?;
        tap.page("events", "nextToken")
    }
}
