//! `histx <svc> ls` and the newest run (`histx sfn STATE_MACHINE`, `histx ssm DOCUMENT`,
//! `--run-status`) through the real SDK against the fake's listing APIs: page caps,
//! tokens, the APIs' own status filters, newest-first order, --limit stopping the
//! requests, names that do not exist (exit 1) and malformed ones (exit 2, no request).

use crate::common;

use common::fake::FakeAws;
use common::fake_lists::*;
use common::{fake_codepipeline, fake_sfn, fake_ssm, fake_swf, histx, json_lines, one_error_line};
use serde_json::{json, Value};
use std::collections::HashMap;

const MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:orders";
const OTHER: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:billing";

/// 1500 state machines (`orders` and `billing` among them) and 2500 executions of
/// `orders`, 3 of `billing`.
fn sfn_fake() -> (FakeAws, Vec<Value>) {
    let fake = FakeAws::start();
    let mut machines: Vec<Value> = (0..1498)
        .map(|i| {
            json!({"stateMachineArn": format!("arn:aws:states:us-east-1:123456789012:stateMachine:m-{i}"),
                   "name": format!("m-{i}"), "type": "STANDARD", "creationDate": 1_600_000_000.0 + i as f64})
        })
        .collect();
    // `orders` on the second page of ListStateMachines.
    machines.insert(1200, json!({"stateMachineArn": MACHINE, "name": "orders", "type": "STANDARD", "creationDate": 1_650_000_000.0}));
    machines.insert(3, json!({"stateMachineArn": OTHER, "name": "billing", "type": "EXPRESS", "creationDate": 1_500_000_000.0}));
    let mut executions = synthetic_executions(MACHINE, 2500);
    executions.extend(synthetic_executions(OTHER, 3));
    fake.serve(list_state_machines(machines));
    fake.serve(list_executions(
        vec![MACHINE.into(), OTHER.into()],
        executions.clone(),
    ));
    (fake, executions)
}

fn ok(fake: &FakeAws, args: &[&str]) -> (Vec<Value>, String) {
    let output = histx()
        .args(args)
        .args(["--endpoint-url", &fake.endpoint()])
        .assert()
        .success()
        .get_output()
        .clone();
    (
        json_lines(&output.stdout),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn field<'a>(records: &'a [Value], key: &str) -> Vec<&'a Value> {
    records.iter().map(|r| &r[key]).collect()
}

#[test]
fn sfn_ls_lists_a_machines_executions_newest_first_in_pages_of_1000() {
    let (fake, _) = sfn_fake();
    let (records, _) = ok(
        &fake,
        &["sfn", "ls", "orders", "--limit", "1500", "-o", "jsonl"],
    );
    assert_eq!(records.len(), 1500);
    assert_eq!(
        records[0]["execution"],
        format!(
            "{}:run-2499",
            MACHINE.replace(":stateMachine:", ":execution:")
        )
    );
    assert_eq!(records[0]["status"], "running");
    assert!(records[0].get("end").is_none());
    assert_eq!(records[1499]["name"], "run-1000");
    let starts: Vec<&str> = records
        .iter()
        .map(|r| r["start"].as_str().unwrap())
        .collect();
    assert!(starts.windows(2).all(|w| w[0] > w[1]), "newest first");
    // The record: its fields, and every other wire field in details.
    let failed = records.iter().find(|r| r["name"] == "run-2449").unwrap();
    assert_eq!(failed["service"], "sfn");
    assert_eq!(failed["status"], "timed_out");
    assert_eq!(failed["parent"], MACHINE);
    assert_eq!(failed["duration_ms"], 12_500);
    assert_eq!(failed["details"]["status"], "TIMED_OUT");
    assert_eq!(
        failed["details"]["aFieldNewerThanTheSdk"]["machine"],
        "orders"
    );
    assert!(failed["details"].get("executionArn").is_none());
    // The name resolved through every page it took (orders is on the second), then
    // two pages of executions: the second only as large as what was still wanted.
    let resolve = fake.requests(LIST_STATE_MACHINES);
    assert_eq!(
        field(&resolve, "maxResults"),
        vec![&json!(1000), &json!(1000)]
    );
    let asked = fake.requests(LIST_EXECUTIONS);
    assert_eq!(field(&asked, "maxResults"), vec![&json!(1000), &json!(500)]);
    assert!(asked
        .iter()
        .all(|r| r["stateMachineArn"] == MACHINE && r.get("statusFilter").is_none()));
    assert!(asked[1]["nextToken"]
        .as_str()
        .is_some_and(|t| t.starts_with("AAAA")));
}

#[test]
fn sfn_ls_by_arn_asks_no_lookup_and_the_default_limit_is_one_small_page() {
    let (fake, _) = sfn_fake();
    let output = histx()
        .args([
            "sfn",
            "list",
            MACHINE,
            "-o",
            "json",
            "--endpoint-url",
            &fake.endpoint(),
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(document.as_array().unwrap().len(), 20);
    assert_eq!(document[0]["name"], "run-2499");
    assert!(fake.requests(LIST_STATE_MACHINES).is_empty());
    assert_eq!(
        field(&fake.requests(LIST_EXECUTIONS), "maxResults"),
        vec![&json!(20)]
    );
}

#[test]
fn run_status_is_the_apis_status_filter_one_list_per_status_merged() {
    let (fake, executions) = sfn_fake();
    let (records, _) = ok(
        &fake,
        &[
            "sfn",
            "ls",
            MACHINE,
            "--run-status",
            "failed",
            "--run-status",
            "timed_out",
            "--limit",
            "400",
            "-o",
            "jsonl",
        ],
    );
    let expected: Vec<&Value> = {
        let mut wanted: Vec<&Value> = executions
            .iter()
            .filter(|e| {
                e["stateMachineArn"] == MACHINE
                    && (e["status"] == "FAILED" || e["status"] == "TIMED_OUT")
            })
            .collect();
        wanted.sort_by(|a, b| {
            b["startDate"]
                .as_f64()
                .unwrap()
                .total_cmp(&a["startDate"].as_f64().unwrap())
        });
        wanted
            .into_iter()
            .take(400)
            .map(|e| &e["executionArn"])
            .collect()
    };
    assert_eq!(
        field(&records, "execution"),
        expected,
        "merged newest first"
    );
    let asked = fake.requests(LIST_EXECUTIONS);
    let filters: Vec<&Value> = field(&asked, "statusFilter");
    assert!(
        filters.contains(&&json!("FAILED")) && filters.contains(&&json!("TIMED_OUT")),
        "{asked:?}"
    );
    assert!(asked
        .iter()
        .all(|r| r["maxResults"].as_u64().unwrap() <= 400));
}

#[test]
fn since_stops_at_the_first_older_execution() {
    let (fake, _) = sfn_fake();
    // run-2490 started at 1_700_000_000 + 60 * 2490.
    let since = jiff::Timestamp::from_second(1_700_000_000 + 60 * 2490)
        .unwrap()
        .to_string();
    let (records, _) = ok(
        &fake,
        &["sfn", "ls", MACHINE, "--since", &since, "-o", "jsonl"],
    );
    assert_eq!(records.len(), 10);
    assert_eq!(records[9]["name"], "run-2490");
    assert_eq!(fake.requests(LIST_EXECUTIONS).len(), 1);
    // The limit is what a page needs: every run before the first older one is listed,
    // and none after it.
    let (records, _) = ok(
        &fake,
        &[
            "sfn", "ls", MACHINE, "--since", &since, "--limit", "5", "-o", "jsonl",
        ],
    );
    assert_eq!(records.len(), 5);
    let asked = fake.requests(LIST_EXECUTIONS);
    assert_eq!(asked.len(), 2);
    assert_eq!(asked[1]["maxResults"], 5, "{:?}", asked[1]);
    // With the statuses applied by the API too.
    let (records, _) = ok(
        &fake,
        &[
            "sfn",
            "ls",
            MACHINE,
            "--since",
            &since,
            "--limit",
            "2",
            "--run-status",
            "succeeded",
            "-o",
            "jsonl",
        ],
    );
    assert_eq!(records.len(), 2);
    assert_eq!(fake.requests(LIST_EXECUTIONS)[2]["maxResults"], 2);
}

#[test]
fn sfn_ls_without_a_machine_lists_every_page_of_state_machines_newest_first() {
    let (fake, _) = sfn_fake();
    let (records, _) = ok(&fake, &["sfn", "ls", "--limit", "1500", "-o", "jsonl"]);
    assert_eq!(records.len(), 1500);
    assert_eq!(records[0]["name"], "orders", "the newest created");
    assert_eq!(records[0]["execution"], MACHINE);
    assert!(records[0].get("status").is_none());
    assert_eq!(records[0]["details"]["type"], "STANDARD");
    assert_eq!(records[1499]["name"], "billing", "the oldest last");
    assert_eq!(fake.requests(LIST_STATE_MACHINES).len(), 2);
}

#[test]
fn the_table_has_the_runs_columns() {
    let (fake, _) = sfn_fake();
    let output = histx()
        .args([
            "sfn",
            "ls",
            "orders",
            "--limit",
            "3",
            "--run-status",
            "failed",
            "--color",
            "never",
        ])
        .args(["--endpoint-url", &fake.endpoint()])
        .env("COLUMNS", "120")
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    for header in ["NAME", "STATUS", "START", "END", "DURATION", "PARENT"] {
        assert!(lines[0].contains(header), "{text}");
    }
    assert!(
        lines[1].starts_with("run-2495 ")
            && lines[1].contains("failed")
            && lines[1].contains("12.5s")
            && lines[1].ends_with("orders"),
        "{text}"
    );
}

#[test]
fn a_throttled_page_is_retried_and_an_empty_table_says_so() {
    let (fake, _) = sfn_fake();
    fake.inject(
        LIST_EXECUTIONS,
        vec![
            common::fake::Fault::Answer,
            common::fake::Fault::Throttle,
            common::fake::Fault::ServerError,
        ],
    );
    let (records, _) = ok(
        &fake,
        &["sfn", "ls", MACHINE, "--limit", "1200", "-o", "jsonl"],
    );
    assert_eq!(records.len(), 1200);
    assert_eq!(records[1199]["name"], "run-1300");
    // The second page took three tries; its token was the same each time.
    let asked = fake.requests(LIST_EXECUTIONS);
    assert_eq!(asked.len(), 4);
    assert!(asked[1]["nextToken"] == asked[3]["nextToken"] && asked[3]["maxResults"] == 200);
    // A status no execution has: the table is empty, and stderr says so.
    let output = histx()
        .args([
            "sfn",
            "ls",
            "billing",
            "--run-status",
            "cancelled",
            "--endpoint-url",
            &fake.endpoint(),
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(output.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "histx: no runs to list\n"
    );
}

#[test]
fn the_state_machine_table_has_name_and_creation() {
    let (fake, _) = sfn_fake();
    let output = histx()
        .args([
            "sfn",
            "ls",
            "--limit",
            "2",
            "--color",
            "never",
            "--endpoint-url",
            &fake.endpoint(),
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        vec!["NAME", "CREATED"],
        "{text}"
    );
    assert!(
        lines[1].starts_with("orders ") && lines[1].ends_with("2022-04-15 05:20:00"),
        "{text}"
    );
    assert_eq!(lines.len(), 3);
}

#[test]
fn the_newest_execution_of_a_machine_is_shown_and_named_on_stderr() {
    let (fake, _) = sfn_fake();
    let arn = format!(
        "{}:run-2495",
        MACHINE.replace(":stateMachine:", ":execution:")
    );
    let billing = format!("{}:run-2", OTHER.replace(":stateMachine:", ":execution:"));
    fake.serve(fake_sfn::get_execution_history(HashMap::from([
        (arn.clone(), fake_sfn::synthetic_history(5)),
        (billing, fake_sfn::synthetic_history(3)),
    ])));
    let (events, stderr) = ok(
        &fake,
        &["sfn", "orders", "--run-status", "failed", "-o", "jsonl"],
    );
    assert_eq!(events.len(), 5);
    assert!(events.iter().all(|e| e["execution"] == arn.as_str()));
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("histx: execution run-2495 of orders (failed"),
        "{stderr}"
    );
    assert!(
        lines[0].contains(&format!("`histx sfn {arn}` names it")),
        "{stderr}"
    );
    // The newest failed: one request of one, with the API's status filter.
    let asked = fake.requests(LIST_EXECUTIONS);
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0]["statusFilter"], "FAILED");
    assert_eq!(asked[0]["maxResults"], 1);
    // A state machine ARN: its newest execution, whatever its status.
    let (_, stderr) = ok(&fake, &["sfn", OTHER, "-o", "jsonl"]);
    assert!(
        stderr.starts_with("histx: execution run-2 of billing (running"),
        "{stderr}"
    );
}

#[test]
fn names_that_do_not_exist_and_runs_that_are_not_there_are_one_line_exit_1() {
    let (fake, _) = sfn_fake();
    for args in [
        vec!["sfn", "ls", "shipping"],
        vec!["sfn", "shipping"],
        vec!["sfn", "billing", "--run-status", "failed"],
        vec![
            "sfn",
            "billing",
            "--run-status",
            "failed",
            "--run-status",
            "timed_out",
            "--run-status",
            "failed",
        ],
        vec![
            "sfn",
            "ls",
            "arn:aws:states:us-east-1:123456789012:stateMachine:gone",
        ],
    ] {
        let output = histx()
            .args(&args)
            .args(["--endpoint-url", &fake.endpoint()])
            .assert()
            .code(1)
            .get_output()
            .clone();
        let line = one_error_line(&output.stderr);
        match args[args.len() - 1] {
            "shipping" => assert_eq!(
                line,
                "histx: StateMachineDoesNotExist: no state machine named 'shipping' in us-east-1 (ListStateMachines lists none; `histx sfn ls` lists those there are)"
            ),
            "failed" if args.len() > 4 => assert!(line.contains("state machine 'billing' has no failed or timed_out execution "), "{line}"),
            "failed" => assert!(line.contains("state machine 'billing' has no failed execution"), "{line}"),
            _ => assert!(line.starts_with("histx: StateMachineDoesNotExist: State Machine Does Not Exist"), "{line}"),
        }
    }
}

#[test]
fn malformed_names_and_flags_are_refused_before_any_request() {
    // No --endpoint-url: a request would go to the dead AWS_ENDPOINT_URL and fail
    // otherwise (exit 1); these must exit 2 first.
    for args in [
        vec!["sfn", "ls", "not a name"],
        vec!["sfn", "two words"],
        vec!["sfn", "arn:aws:states:us-east-1:123456789012:stateMachine:"],
        vec!["sfn", "ls", "--run-status", "exploded", "orders"],
        vec!["sfn", "ls", "--run-status", "failed"],
        vec!["sfn", "ls", "orders", "--limit", "0"],
        vec![
            "sfn",
            "arn:aws:states:us-east-1:123456789012:execution:orders:r1",
            "--run-status",
            "failed",
        ],
        vec![
            "sfn",
            "orders",
            "--run-status",
            "failed",
            "--from",
            "x.json",
        ],
        vec!["ssm", "ls", "x"],
        vec!["ssm", "not a document"],
        vec!["swf", "ls"],
        vec!["codepipeline", "ls", "bad name!"],
        vec!["codepipeline", "deploy/0000000-x", "--all"],
        vec!["swf", "d/w/r", "--run-id", "other"],
        vec!["swf", "ls", "--domain", "prod", "a/b"],
        vec!["swf", "ls", "--domain", "prod", "prod/order-1/22W6Js="],
        vec!["swf", "ls", "--domain", "pr/od"],
    ] {
        let output = histx().args(&args).assert().code(2).get_output().clone();
        let text = String::from_utf8_lossy(&output.stderr);
        assert!(
            !text.contains("panicked") && !text.is_empty(),
            "{args:?}: {text}"
        );
    }
}

// ---------------------------------------------------------------- SSM

fn ssm_fake() -> (FakeAws, Vec<Value>) {
    let fake = FakeAws::start();
    let mut automations = synthetic_automations("Restart", 1, 260, 1_700_000_000.0);
    // A document whose name starts with the other's: the API's prefix filter lists it.
    automations.extend(synthetic_automations("RestartAll", 2, 40, 1_700_000_030.0));
    fake.serve(describe_automation_executions(automations.clone()));
    (fake, automations)
}

#[test]
fn ssm_ls_keeps_the_exact_document_in_pages_of_50() {
    let (fake, _) = ssm_fake();
    let (records, _) = ok(
        &fake,
        &["ssm", "ls", "Restart", "--limit", "120", "-o", "jsonl"],
    );
    assert_eq!(records.len(), 120);
    assert!(
        records.iter().all(|r| r["parent"] == "Restart"),
        "the exact name only"
    );
    assert_eq!(records[0]["execution"], automation_id(1, 259));
    assert_eq!(records[0]["status"], "running");
    assert_eq!(
        records[1]["details"]["AutomationExecutionStatus"],
        "Success"
    );
    let starts: Vec<&str> = records
        .iter()
        .map(|r| r["start"].as_str().unwrap())
        .collect();
    assert!(starts.windows(2).all(|w| w[0] > w[1]));
    let asked = fake.requests(DESCRIBE_AUTOMATIONS);
    assert!(asked.iter().all(|r| r["MaxResults"] == 50), "{asked:?}");
    assert_eq!(
        asked[0]["Filters"],
        json!([{"Key": "DocumentNamePrefix", "Values": ["Restart"]}])
    );
    // 120 of Restart among the 40 RestartAll of the same minutes: four pages, not six.
    assert_eq!(asked.len(), 3, "{}", asked.len());
}

#[test]
fn ssm_run_status_is_the_apis_execution_status_filter() {
    let (fake, automations) = ssm_fake();
    let (records, _) = ok(
        &fake,
        &[
            "ssm",
            "ls",
            "--run-status",
            "failed",
            "--limit",
            "300",
            "-o",
            "jsonl",
        ],
    );
    let failed = automations
        .iter()
        .filter(|a| a["AutomationExecutionStatus"] == "Failed")
        .count();
    assert_eq!(records.len(), failed);
    assert!(records.iter().all(|r| r["status"] == "failed"));
    let asked = fake.requests(DESCRIBE_AUTOMATIONS);
    let filter = &asked[0]["Filters"][0];
    assert_eq!(filter["Key"], "ExecutionStatus");
    let values: Vec<&str> = filter["Values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        values.contains(&"Failed") && values.contains(&"CompletedWithFailure"),
        "{values:?}"
    );
    // Every record passed the API's filter: pages were only as large as still wanted.
    assert_eq!(asked.len(), failed.div_ceil(50));
}

#[test]
fn the_newest_failed_automation_of_a_document_is_shown() {
    let (fake, _) = ssm_fake();
    let newest_failed = automation_id(1, 257);
    fake.serve(fake_ssm::describe_automation_step_executions(
        HashMap::from([(newest_failed.clone(), fake_ssm::synthetic_steps(3))]),
    ));
    let (steps, stderr) = ok(
        &fake,
        &["ssm", "Restart", "--run-status", "failed", "-o", "jsonl"],
    );
    assert_eq!(steps.len(), 3);
    assert!(steps
        .iter()
        .all(|s| s["execution"] == newest_failed.as_str()));
    assert!(
        stderr.starts_with(&format!(
            "histx: automation {newest_failed} of Restart (failed"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("`histx ssm {newest_failed}` names it")),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1);
    let output = histx()
        .args([
            "ssm",
            "Restart",
            "--run-status",
            "timed_out",
            "--endpoint-url",
            &fake.endpoint(),
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_eq!(
        one_error_line(&output.stderr),
        "histx: document 'Restart' has no timed_out automation execution (`histx ssm ls Restart` lists its automations)"
    );
}

#[test]
fn a_document_that_does_not_exist_is_one_line_exit_1_naming_the_region() {
    let (fake, _) = ssm_fake();
    fake.answer(describe_document(vec!["Restart", "RestartAll", "NeverRun"]));
    for args in [
        &["ssm", "ls", "NoSuchDoc"][..],
        &["ssm", "NoSuchDoc"],
        &["ssm", "NoSuchDoc", "--run-status", "failed"],
        &["ssm", "ls", "NoSuchDoc", "--region", "eu-west-3"],
    ] {
        let output = histx()
            .args(args)
            .args(["--endpoint-url", &fake.endpoint()])
            .assert()
            .code(1)
            .get_output()
            .clone();
        let region = if args.contains(&"eu-west-3") {
            "eu-west-3"
        } else {
            "us-east-1"
        };
        assert_eq!(
            one_error_line(&output.stderr),
            format!("histx: InvalidDocument: no document named 'NoSuchDoc' in {region} (DescribeDocument finds none; `histx ssm ls` lists the automations there are)"),
            "{args:?}"
        );
        assert!(output.stdout.is_empty());
    }
    assert_eq!(fake.requests(DESCRIBE_DOCUMENT).len(), 4);
    // A document that exists but has no automation (of that status) is no error of the
    // name: said as before.
    let (records, stderr) = ok(&fake, &["ssm", "ls", "NeverRun"]);
    assert!(records.is_empty());
    assert_eq!(stderr, "histx: no runs to list\n");
    let output = histx()
        .args(["ssm", "NeverRun", "--endpoint-url", &fake.endpoint()])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(
        one_error_line(&output.stderr).contains("document 'NeverRun' has no automation executions"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The common case costs nothing extra: a listing that has records asks no more.
    let before = fake.requests(DESCRIBE_DOCUMENT).len();
    ok(
        &fake,
        &["ssm", "ls", "Restart", "--limit", "3", "-o", "jsonl"],
    );
    ok(
        &fake,
        &["ssm", "ls", "Restart", "--run-status", "timed_out"],
    );
    assert_eq!(fake.requests(DESCRIBE_DOCUMENT).len(), before + 1);
}

/// Automations of `Approvals`, one a minute, newest last, one in each status that is not
/// final (and a few that are).
fn in_flight_automations() -> Vec<Value> {
    let statuses = [
        "Success",
        "Failed",
        "Pending",
        "Waiting",
        "PendingApproval",
        "PendingChangeCalendarOverride",
        "Scheduled",
        "Approved",
        "ChangeCalendarOverrideApproved",
        "InProgress",
        "RunbookInProgress",
        "Cancelling",
        "Cancelled",
    ];
    statuses
        .iter()
        .enumerate()
        .map(|(i, status)| {
            json!({"AutomationExecutionId": automation_id(7, i), "DocumentName": "Approvals",
                   "AutomationExecutionStatus": status, "Mode": "Auto",
                   "ExecutionStartTime": 1_710_000_000.0 + 60.0 * i as f64})
        })
        .collect()
}

#[test]
fn run_status_running_is_every_status_that_is_not_final_and_pending_the_waiting_ones() {
    let fake = FakeAws::start();
    let automations = in_flight_automations();
    fake.serve(describe_automation_executions(automations.clone()));
    let wire = |records: &[Value]| -> Vec<String> {
        records
            .iter()
            .map(|r| {
                r["details"]["AutomationExecutionStatus"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let (records, _) = ok(
        &fake,
        &[
            "ssm",
            "ls",
            "Approvals",
            "--run-status",
            "running",
            "-o",
            "jsonl",
        ],
    );
    assert_eq!(
        wire(&records),
        [
            "Cancelling",
            "RunbookInProgress",
            "InProgress",
            "ChangeCalendarOverrideApproved",
            "Approved",
            "Scheduled",
            "PendingChangeCalendarOverride",
            "PendingApproval",
            "Waiting",
            "Pending"
        ]
    );
    // All ten through the API's filter (its most values).
    let asked = fake.requests(DESCRIBE_AUTOMATIONS);
    let filter = asked[0]["Filters"].as_array().unwrap();
    let values = &filter
        .iter()
        .find(|f| f["Key"] == "ExecutionStatus")
        .unwrap()["Values"];
    assert_eq!(values.as_array().unwrap().len(), 10, "{values}");

    // `pending`: what waits to run (pending and scheduled records).
    let (records, _) = ok(
        &fake,
        &[
            "ssm",
            "ls",
            "Approvals",
            "--run-status",
            "pending",
            "-o",
            "jsonl",
        ],
    );
    assert_eq!(
        wire(&records),
        [
            "ChangeCalendarOverrideApproved",
            "Approved",
            "Scheduled",
            "PendingChangeCalendarOverride",
            "PendingApproval",
            "Waiting",
            "Pending"
        ]
    );
    assert!(records
        .iter()
        .all(|r| r["status"] == "pending" || r["status"] == "scheduled"));

    // More values than the filter takes: histx applies the same rule itself.
    let before = fake.requests(DESCRIBE_AUTOMATIONS).len();
    let (records, _) = ok(
        &fake,
        &[
            "ssm",
            "ls",
            "Approvals",
            "--run-status",
            "running",
            "--run-status",
            "failed",
            "-o",
            "jsonl",
        ],
    );
    assert_eq!(records.len(), 11);
    assert!(fake.requests(DESCRIBE_AUTOMATIONS)[before]["Filters"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["Key"] != "ExecutionStatus"));

    // The newest in-flight automation, for show: one approved, yet to run.
    fake.serve(fake_ssm::describe_automation_step_executions(
        HashMap::from([(automation_id(7, 8), fake_ssm::synthetic_steps(2))]),
    ));
    fake.serve(describe_automation_executions(
        automations.into_iter().take(9).collect(),
    ));
    let (steps, stderr) = ok(
        &fake,
        &["ssm", "Approvals", "--run-status", "running", "-o", "jsonl"],
    );
    assert_eq!(steps.len(), 2);
    assert!(
        stderr.starts_with(&format!(
            "histx: automation {} of Approvals (scheduled",
            automation_id(7, 8)
        )),
        "{stderr}"
    );
}

#[test]
fn the_newest_automation_of_a_document_is_a_top_level_one_not_a_rate_controlled_child() {
    let fake = FakeAws::start();
    let parent = automation_id(9, 0);
    let mut automations = vec![
        json!({"AutomationExecutionId": parent, "DocumentName": "Patch",
        "AutomationExecutionStatus": "Failed", "Mode": "Auto", "ExecutionStartTime": 1_710_000_000.0,
        "ExecutionEndTime": 1_710_000_600.0, "Target": "tag:Env", "MaxConcurrency": "2"}),
    ];
    // Its children: the same document, started after it, one per target.
    for i in 1..=3 {
        automations.push(json!({"AutomationExecutionId": automation_id(9, i), "DocumentName": "Patch",
            "AutomationExecutionStatus": if i == 2 { "Failed" } else { "Success" }, "Mode": "Auto",
            "ExecutionStartTime": 1_710_000_000.0 + 10.0 * i as f64, "ExecutionEndTime": 1_710_000_300.0,
            "ParentAutomationExecutionId": parent}));
    }
    // A document only ever run by another automation: its newest child is its newest.
    let inner = automation_id(9, 10);
    automations.push(json!({"AutomationExecutionId": inner, "DocumentName": "Inner",
        "AutomationExecutionStatus": "Success", "Mode": "Auto", "ExecutionStartTime": 1_710_000_100.0,
        "ExecutionEndTime": 1_710_000_200.0, "ParentAutomationExecutionId": parent}));
    fake.serve(describe_automation_executions(automations));
    fake.serve(fake_ssm::describe_automation_step_executions(
        HashMap::from([
            (parent.clone(), fake_ssm::synthetic_steps(3)),
            (inner.clone(), fake_ssm::synthetic_steps(2)),
        ]),
    ));
    for args in [
        &["ssm", "Patch"][..],
        &["ssm", "Patch", "--run-status", "failed"],
    ] {
        let (steps, stderr) = ok(&fake, &[args, &["-o", "jsonl"]].concat());
        assert_eq!(steps.len(), 3, "{args:?}");
        assert!(
            stderr.starts_with(&format!("histx: automation {parent} of Patch (failed")),
            "{stderr}"
        );
    }
    let (steps, stderr) = ok(&fake, &["ssm", "Inner", "-o", "jsonl"]);
    assert_eq!(steps.len(), 2);
    assert!(
        stderr.starts_with(&format!("histx: automation {inner} of Inner (succeeded")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("started by automation {parent}")),
        "{stderr}"
    );
    // The listing lists them all.
    let (records, _) = ok(&fake, &["ssm", "ls", "Patch", "-o", "jsonl"]);
    assert_eq!(records.len(), 4);
}

#[test]
fn ssm_since_is_the_apis_start_time_after_and_checked_to_the_millisecond() {
    let (fake, _) = ssm_fake();
    // Restart's automation 250 started at 1_700_000_000 + 60 * 250 (and RestartAll's
    // at 30 s past each minute).
    let since = jiff::Timestamp::from_second(1_700_000_000 + 60 * 250)
        .unwrap()
        .to_string();
    let (records, _) = ok(
        &fake,
        &["ssm", "ls", "Restart", "--since", &since, "-o", "jsonl"],
    );
    let ids: Vec<String> = (250..260).rev().map(|i| automation_id(1, i)).collect();
    assert_eq!(field(&records, "execution"), ids.iter().collect::<Vec<_>>());
    let asked = fake.requests(DESCRIBE_AUTOMATIONS);
    let filters = asked[0]["Filters"].as_array().unwrap();
    let after = filters
        .iter()
        .find(|f| f["Key"] == "StartTimeAfter")
        .unwrap();
    assert_eq!(
        after["Values"],
        json!([jiff::Timestamp::from_second(1_700_000_000 + 60 * 250 - 1)
            .unwrap()
            .to_string()])
    );
}

// ---------------------------------------------------------------- CodePipeline

fn pipeline_fake() -> (FakeAws, Vec<Value>) {
    let fake = FakeAws::start();
    let summaries = synthetic_pipeline_executions(260);
    fake.serve(list_pipeline_execution_summaries(vec![(
        "deploy".into(),
        summaries.clone(),
    )]));
    fake.serve(list_pipelines(
        (0..3)
            .map(|i| json!({"name": format!("p-{i}"), "version": 1, "pipelineType": "V2", "created": 1_600_000_000.0 + i as f64, "updated": 1_700_000_000.0}))
            .collect(),
    ));
    (fake, summaries)
}

#[test]
fn a_pipeline_that_does_not_exist_is_one_line_exit_1_naming_the_region() {
    let (fake, _) = pipeline_fake();
    fake.serve(fake_codepipeline::list_action_executions(HashMap::new()));
    for args in [
        &["codepipeline", "ls", "nope"][..],
        &["codepipeline", "nope"],
        &["codepipeline", "nope", "--run-status", "failed"],
        &[
            "codepipeline",
            "nope",
            "--execution-id",
            "5a7c44a9-8776-448d-b753-00c82a322f6a",
        ],
        &["codepipeline", "ls", "nope", "--region", "eu-west-3"],
    ] {
        let output = histx()
            .args(args)
            .args(["--endpoint-url", &fake.endpoint()])
            .assert()
            .code(1)
            .get_output()
            .clone();
        let region = if args.contains(&"eu-west-3") {
            "eu-west-3"
        } else {
            "us-east-1"
        };
        assert_eq!(
            one_error_line(&output.stderr),
            format!("histx: PipelineNotFoundException: The account with id '123456789012' does not include a pipeline with the name 'nope' in {region} (`histx codepipeline ls` lists the pipelines there are)"),
            "{args:?}"
        );
    }
}

#[test]
fn codepipeline_ls_pages_executions_and_applies_run_status_itself() {
    let (fake, summaries) = pipeline_fake();
    let (records, _) = ok(
        &fake,
        &[
            "codepipeline",
            "ls",
            "deploy",
            "--limit",
            "150",
            "-o",
            "jsonl",
        ],
    );
    assert_eq!(records.len(), 150);
    assert_eq!(
        records[0]["execution"],
        format!("deploy/{}", pipeline_execution_id(259))
    );
    assert_eq!(records[0]["status"], "running");
    assert!(records[0].get("end").is_none(), "not final: no end");
    assert_eq!(
        records[0]["details"]["lastUpdateTime"],
        1_700_000_000.0 + 60.0 * 259.0 + 90.0
    );
    assert_eq!(
        field(&fake.requests(LIST_PIPELINE_EXECUTIONS), "maxResults"),
        vec![&json!(100), &json!(50)]
    );

    let (fake, _) = pipeline_fake();
    let (records, _) = ok(
        &fake,
        &[
            "codepipeline",
            "ls",
            "deploy",
            "--run-status",
            "aborted",
            "--limit",
            "12",
            "-o",
            "jsonl",
        ],
    );
    let stopped = summaries
        .iter()
        .filter(|s| s["status"] == "Stopped")
        .count();
    assert_eq!(records.len(), 12.min(stopped));
    assert!(records
        .iter()
        .all(|r| r["status"] == "cancelled" && r["details"]["status"] == "Stopped"));
    // No status filter in the API: full pages, until 12 were found (in the first 108).
    assert_eq!(
        field(&fake.requests(LIST_PIPELINE_EXECUTIONS), "maxResults"),
        vec![&json!(100), &json!(100)]
    );
}

#[test]
fn codepipeline_ls_lists_the_pipelines_and_show_takes_a_records_execution() {
    let (fake, _) = pipeline_fake();
    let (records, _) = ok(&fake, &["codepipeline", "ls", "-o", "jsonl"]);
    assert_eq!(
        field(&records, "execution"),
        vec![&json!("p-2"), &json!("p-1"), &json!("p-0")]
    );
    assert_eq!(records[0]["details"]["pipelineType"], "V2");
    // `histx codepipeline PIPELINE/EXECUTION_ID`: exactly that execution's actions.
    let id = pipeline_execution_id(5);
    let actions = common::fake_codepipeline::synthetic_actions(&id, 2, 1_700_000_300.0);
    fake.serve(common::fake_codepipeline::list_action_executions(
        HashMap::from([("deploy".to_string(), actions)]),
    ));
    let (events, _) = ok(
        &fake,
        &["codepipeline", &format!("deploy/{id}"), "-o", "jsonl"],
    );
    assert_eq!(events.len(), 2);
    assert!(events
        .iter()
        .all(|e| e["execution"] == format!("deploy/{id}")));
    let asked = fake.requests(common::fake_codepipeline::LIST_ACTIONS);
    assert_eq!(asked[0]["filter"]["pipelineExecutionId"], id.as_str());
    assert!(fake.requests(LIST_PIPELINE_EXECUTIONS).is_empty());
}

#[test]
fn codepipeline_run_status_picks_the_newest_failed_execution() {
    let (fake, _) = pipeline_fake();
    // Failed: every 4th from 1 (not a Stopped one): the newest is 257.
    let id = pipeline_execution_id(257);
    let actions = common::fake_codepipeline::synthetic_actions(&id, 2, 1_700_015_420.0);
    fake.serve(common::fake_codepipeline::list_action_executions(
        HashMap::from([("deploy".to_string(), actions)]),
    ));
    let (events, stderr) = ok(
        &fake,
        &[
            "codepipeline",
            "deploy",
            "--run-status",
            "failed",
            "-o",
            "jsonl",
        ],
    );
    assert_eq!(events.len(), 2);
    assert!(
        stderr.starts_with(&format!("histx: pipeline execution {id} (failed")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("`histx codepipeline deploy/{id}` names it")),
        "{stderr}"
    );
}

// ---------------------------------------------------------------- SWF

fn swf_fake() -> FakeAws {
    let fake = FakeAws::start();
    let mut runs: Vec<fake_swf::FakeRun> = (0..2500)
        .map(|i| {
            let run = fake_swf::FakeRun::new(
                "prod",
                &format!("order-{}", i % 100),
                &format!("run{i}"),
                1_700_000_000.0 + 60.0 * i as f64,
                fake_swf::synthetic_history(4),
            );
            match i % 10 {
                9 => run.open(),
                3 => run.closed("FAILED"),
                5 => run.closed("TERMINATED"),
                _ => run,
            }
        })
        .collect();
    runs.push(fake_swf::FakeRun::new(
        "other",
        "x",
        "r",
        1_800_000_000.0,
        vec![],
    ));
    fake_swf::serve(&fake, runs);
    fake
}

#[test]
fn swf_ls_merges_open_and_closed_runs_newest_first() {
    let fake = swf_fake();
    let (records, stderr) = ok(
        &fake,
        &[
            "swf", "ls", "--domain", "prod", "--limit", "1300", "-o", "jsonl",
        ],
    );
    assert_eq!(records.len(), 1300);
    assert_eq!(records[0]["execution"], "prod/order-99/run2499");
    assert_eq!(records[0]["status"], "running");
    assert_eq!(records[0]["parent"], "Synthetic/1");
    let starts: Vec<&str> = records
        .iter()
        .map(|r| r["start"].as_str().unwrap())
        .collect();
    assert!(starts.windows(2).all(|w| w[0] > w[1]));
    assert!(records
        .iter()
        .any(|r| r["status"] == "aborted" && r["details"]["closeStatus"] == "TERMINATED"));
    assert!(
        stderr.is_empty(),
        "the limit was reached: no window to say: {stderr}"
    );
    // 250 open runs in one page; the closed ones in two pages of 1000 at most.
    let open = fake.requests(fake_swf::LIST_OPEN);
    let closed = fake.requests(fake_swf::LIST_CLOSED);
    assert_eq!(open.len(), 1);
    assert_eq!(closed.len(), 2);
    assert!(closed
        .iter()
        .all(|r| r["startTimeFilter"]["oldestDate"] == 0.0));
}

#[test]
fn swf_run_status_uses_the_close_status_filter_and_says_the_window() {
    let fake = swf_fake();
    let (records, stderr) = ok(
        &fake,
        &[
            "swf",
            "ls",
            "--domain",
            "prod",
            "--run-status",
            "failed",
            "--limit",
            "1000",
            "-o",
            "jsonl",
        ],
    );
    assert_eq!(records.len(), 250);
    assert!(records.iter().all(|r| r["status"] == "failed"));
    assert!(
        fake.requests(fake_swf::LIST_OPEN).is_empty(),
        "no running run wanted"
    );
    let closed = fake.requests(fake_swf::LIST_CLOSED);
    assert_eq!(closed[0]["closeStatusFilter"]["status"], "FAILED");
    assert_eq!(
        stderr.trim(),
        "histx: listed the runs started at any time in domain prod; SWF keeps closed runs only for the domain's retention period"
    );
}

#[test]
fn swf_ls_of_one_workflow_filters_statuses_itself_and_show_takes_its_execution() {
    let fake = swf_fake();
    let (records, _) = ok(
        &fake,
        &[
            "swf",
            "ls",
            "--domain",
            "prod",
            "order-3",
            "--run-status",
            "failed",
            "--limit",
            "3",
            "-o",
            "jsonl",
        ],
    );
    assert_eq!(
        field(&records, "execution"),
        vec![
            &json!("prod/order-3/run2403"),
            &json!("prod/order-3/run2303"),
            &json!("prod/order-3/run2203")
        ]
    );
    let closed = fake.requests(fake_swf::LIST_CLOSED);
    assert!(closed
        .iter()
        .all(|r| r["executionFilter"]["workflowId"] == "order-3"
            && r.get("closeStatusFilter").is_none()));
    // What `execution` holds is what `histx swf` takes.
    let (events, stderr) = ok(&fake, &["swf", "prod/order-3/run2303", "-o", "jsonl"]);
    assert_eq!(events.len(), 4);
    assert!(events
        .iter()
        .all(|e| e["execution"] == "prod/order-3/run2303"));
    assert!(stderr.is_empty(), "{stderr}");
    // --run-status on show: the newest failed run of the workflow.
    let (_, stderr) = ok(
        &fake,
        &[
            "swf",
            "--domain",
            "prod",
            "order-3",
            "--run-status",
            "failed",
            "-o",
            "jsonl",
        ],
    );
    assert!(stderr.starts_with("histx: run run2403 (failed"), "{stderr}");
    assert!(
        stderr.contains("`histx swf prod/order-3/run2403` names it"),
        "{stderr}"
    );
}

#[test]
fn swf_ls_checks_the_workflow_id_as_show_does_before_any_request() {
    let fake = swf_fake();
    for (args, expected) in [
        (
            &["swf", "ls", "--domain", "prod", "a/b"][..],
            "histx: 'a/b': a workflowId holds no '/'; expected WORKFLOW_ID",
        ),
        (
            &["swf", "ls", "--domain", "prod", "prod/order-1/run1"],
            "histx: 'prod/order-1/run1' names one run, not a workflow whose runs to list: histx swf prod/order-1/run1 shows it",
        ),
        (
            &["swf", "ls", "--domain", "pr/od", "order-1"],
            "histx: --domain 'pr/od': a domain name holds no '/'",
        ),
    ] {
        let output = histx()
            .args(args)
            .args(["--endpoint-url", &fake.endpoint()])
            .assert()
            .code(2)
            .get_output()
            .clone();
        let line = one_error_line(&output.stderr);
        assert!(line.starts_with(expected), "{args:?}: {line}");
    }
    // As show refuses it.
    let output = histx()
        .args(["swf", "--domain", "prod", "a/b"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(one_error_line(&output.stderr).starts_with("histx: 'a/b': a workflowId holds no '/'"));
    assert!(fake.requests(fake_swf::LIST_OPEN).is_empty());
    assert!(fake.requests(fake_swf::LIST_CLOSED).is_empty());
}

#[test]
fn the_swf_table_names_each_run_as_histx_swf_takes_it() {
    let fake = swf_fake();
    let output = histx()
        .args(["swf", "ls", "--domain", "prod", "order-3", "--limit", "3"])
        .args(["--color", "never", "--endpoint-url", &fake.endpoint()])
        .env("COLUMNS", "120")
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[0].starts_with("EXECUTION "), "{text}");
    assert!(lines.iter().all(|l| l.chars().count() <= 120), "{text}");
    let firsts: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    // Three runs of one workflow, each told apart by what names it.
    assert_eq!(
        firsts,
        [
            "prod/order-3/run2403",
            "prod/order-3/run2303",
            "prod/order-3/run2203"
        ],
        "{text}"
    );
    for first in firsts {
        histx()
            .args([
                "swf",
                first,
                "-o",
                "jsonl",
                "--endpoint-url",
                &fake.endpoint(),
            ])
            .assert()
            .success();
    }
    // Too narrow for the whole execution: its end, which tells the runs apart, stays.
    let output = histx()
        .args(["swf", "ls", "--domain", "prod", "order-3", "--limit", "3"])
        .args([
            "--color",
            "never",
            "--ascii",
            "--endpoint-url",
            &fake.endpoint(),
        ])
        .env("COLUMNS", "80")
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.iter().all(|l| l.chars().count() <= 80), "{text}");
    for (line, run) in lines[1..].iter().zip(["run2403", "run2303", "run2203"]) {
        let first = line.split_whitespace().next().unwrap();
        assert!(first.starts_with("...") && first.ends_with(run), "{text}");
    }
}

#[test]
fn a_state_machine_or_document_with_from_is_refused_as_naming_no_run() {
    let sfn = common::repo_file("tests/fixtures/sfn/runtime-failure.json");
    let ssm = common::repo_file("tests/fixtures/ssm/every-field.json");
    for (args, expected) in [
        (
            vec!["sfn", "orders", "--from", sfn.to_str().unwrap()],
            "histx: a state machine names no one execution to label a saved history with: with --from, give the execution ARN, or none",
        ),
        (
            vec![
                "sfn",
                "arn:aws:states:us-east-1:123456789012:stateMachine:orders",
                "--from",
                sfn.to_str().unwrap(),
            ],
            "histx: a state machine names no one execution",
        ),
        (
            vec!["ssm", "Restart", "--from", ssm.to_str().unwrap()],
            "histx: a document names no one automation to label a saved history with: with --from, give the automation execution ID, or none",
        ),
    ] {
        let output = histx().args(&args).assert().code(2).get_output().clone();
        let line = one_error_line(&output.stderr);
        assert!(line.starts_with(expected), "{args:?}: {line}");
        assert!(output.stdout.is_empty());
    }
    // An execution ARN labels the events; none leaves them unlabelled, as before.
    let arn = "arn:aws:states:us-east-1:123456789012:execution:orders:r1";
    let output = histx()
        .args(["sfn", arn, "--from", sfn.to_str().unwrap(), "-o", "jsonl"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(json_lines(&output.stdout)
        .iter()
        .all(|e| e["execution"] == arn));
}

#[test]
fn merged_lists_are_asked_for_their_pages_at_once_in_the_same_order() {
    let fake = swf_fake();
    fake.slow_down(fake_swf::LIST_CLOSED, std::time::Duration::from_millis(150));
    let args = [
        "swf",
        "ls",
        "--domain",
        "prod",
        "--run-status",
        "failed",
        "--run-status",
        "aborted",
        "--limit",
        "400",
        "-o",
        "jsonl",
    ];
    let (records, _) = ok(&fake, &args);
    // Runs 3, 13, 23, ... failed and 5, 15, 25, ... were terminated: newest first.
    let expected: Vec<Value> = (0..2500)
        .rev()
        .filter(|i| i % 10 == 3 || i % 10 == 5)
        .take(400)
        .map(|i| json!(format!("prod/order-{}/run{i}", i % 100)))
        .collect();
    let expected: Vec<&Value> = expected.iter().collect();
    assert_eq!(field(&records, "execution"), expected);
    // One list per close status (aborted: terminated or canceled), all asked at once,
    // one page each.
    assert_eq!(fake.most_in_flight(fake_swf::LIST_CLOSED), 3);
    let closed = fake.requests(fake_swf::LIST_CLOSED);
    assert_eq!(closed.len(), 3, "{closed:?}");
    let mut statuses: Vec<&str> = closed
        .iter()
        .map(|r| r["closeStatusFilter"]["status"].as_str().unwrap())
        .collect();
    statuses.sort();
    assert_eq!(statuses, ["CANCELED", "FAILED", "TERMINATED"]);

    // Step Functions' statusFilter lists, the same way.
    let (fake, executions) = sfn_fake();
    fake.slow_down(LIST_EXECUTIONS, std::time::Duration::from_millis(150));
    let (records, _) = ok(
        &fake,
        &[
            "sfn",
            "ls",
            MACHINE,
            "--run-status",
            "failed",
            "--run-status",
            "timed_out",
            "--run-status",
            "succeeded",
            "--limit",
            "30",
            "-o",
            "jsonl",
        ],
    );
    let expected: Vec<&Value> = executions
        .iter()
        .rev()
        .filter(|e| e["stateMachineArn"] == MACHINE && e["status"] != "RUNNING")
        .take(30)
        .map(|e| &e["executionArn"])
        .collect();
    assert_eq!(field(&records, "execution"), expected);
    let most = fake.most_in_flight(LIST_EXECUTIONS);
    assert!(most > 1 && most <= 8, "{most} in flight at once");
    assert_eq!(fake.requests(LIST_EXECUTIONS).len(), 3);
}
