//! `-o table` fitted to a terminal (`COLUMNS` set): every line within the width, headers
//! on one line, the name and status never cut, the ID cut no shorter than tells the
//! rows apart, and with `--failed` the summary in full, running on past the width as
//! when piped.

use crate::common;

use common::{histx, json_lines, repo_file, table_lines};

const SSM: &str = "examples/ssm/patch-web-fleet-failed.json";
const SFN: &str = "examples/sfn/order-fulfilment-failed.json";
const CODEPIPELINE: &str = "examples/codepipeline/web-storefront-two-releases.json";

/// Standard output of `histx SERVICE --from FILE ARGS` in a UTF-8 locale, `columns` wide.
fn output(service: &str, file: &str, columns: &str, args: &[&str]) -> String {
    let mut command = histx();
    command
        .env("LANG", "C.UTF-8")
        .args([service, "--color", "never", "--from"])
        .arg(repo_file(file))
        .args(args);
    if !columns.is_empty() {
        command.env("COLUMNS", columns);
    }
    let out = command.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

fn ids(service: &str, file: &str, args: &[&str]) -> Vec<String> {
    field(service, file, args, "id")
}

/// Each event's `name` (or `id`) as the JSON lines give it.
fn field(service: &str, file: &str, args: &[&str], name: &str) -> Vec<String> {
    let text = output(service, file, "", &[&["-o", "jsonl"], args].concat());
    json_lines(text.as_bytes())
        .iter()
        .map(|e| match &e[name] {
            serde_json::Value::String(id) => id.clone(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        })
        .collect()
}

#[test]
fn at_80_columns_headers_stay_on_one_line_names_whole_and_ids_told_apart() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("ssm", SSM, &[]),
        ("sfn", SFN, &[]),
        ("codepipeline", CODEPIPELINE, &[]),
        ("codepipeline", CODEPIPELINE, &["--all"]),
    ];
    for (service, file, args) in cases {
        let text = output(service, file, "80", args);
        let table = table_lines(&text);
        let ids = ids(service, file, args);
        assert_eq!(
            table.len(),
            ids.len() + 1,
            "one line a row, one header line:\n{text}"
        );
        for line in &table {
            assert!(line.chars().count() <= 80, "{service} {args:?}: {line}");
        }
        let names = field(service, file, args, "name");
        let mut shown = std::collections::HashSet::new();
        for ((row, id), name) in table[1..].iter().zip(&ids).zip(&names) {
            // The ID whole, or cut after as much as tells the rows apart; left out
            // when even that leaves no room for the name and the status (ELAPSED
            // and the name tell the rows apart).
            let with_ids = table[0].trim_start().starts_with("ID ");
            let cell = if with_ids {
                row.split_whitespace().next().unwrap()
            } else {
                id.as_str()
            };
            assert!(
                cell == id || id.starts_with(cell.trim_end_matches('…')),
                "{row}"
            );
            shown.insert((cell.to_string(), id.clone()));
            // The name and the status, never cut.
            assert!(row.contains(&format!(" {name} ")), "{name}: {row}");
        }
        let cells: std::collections::HashSet<_> = shown.iter().map(|(cell, _)| cell).collect();
        let distinct: std::collections::HashSet<_> = shown.iter().map(|(_, id)| id).collect();
        assert_eq!(cells.len(), distinct.len(), "{text}");
        assert!(
            !text.contains("succe…") && !text.contains("fail…"),
            "{text}"
        );
    }
    // Where they fit, headers are whole; the time gives way before the type and the
    // summary are cut to their least.
    let text = output("sfn", SFN, "80", &[]);
    let header: Vec<&str> = table_lines(&text)[0].split_whitespace().collect();
    assert_eq!(
        header,
        ["ID", "ELAPSED", "TYPE", "NAME", "STATUS", "SUMMARY"]
    );
    let text = output("sfn", SFN, "120", &[]);
    let header: Vec<&str> = table_lines(&text)[0].split_whitespace().collect();
    assert_eq!(
        header,
        ["ID", "TIME", "ELAPSED", "TYPE", "NAME", "STATUS", "SUMMARY"]
    );
    let text = output("codepipeline", CODEPIPELINE, "120", &["--all"]);
    let header: Vec<&str> = table_lines(&text)[0].split_whitespace().collect();
    assert_eq!(
        header,
        [
            "ID",
            "EXECUTION",
            // The time gives way first, for the type and the summary.
            "ELAPSED",
            "TYPE",
            "NAME",
            "STATUS",
            "DURATION",
            "SUMMARY"
        ]
    );
}

#[test]
fn failed_shows_errors_in_full_in_a_fitted_table() {
    let text = output("sfn", SFN, "80", &["--failed"]);
    let table = table_lines(&text);
    let failed = table
        .iter()
        .find(|row| row.trim_start().starts_with("55 "))
        .unwrap();
    // The Lambda error object as its message, its frames beneath the first row that
    // failed so, never a literal `\n`.
    assert!(
        failed.ends_with("PaymentDeclined: card declined"),
        "{failed}"
    );
    let first = table
        .iter()
        .position(|row| row.trim_start().starts_with("40 "))
        .unwrap();
    assert!(
        table[first + 1].trim() == r#"File "/var/task/app.py", line 64, in handler"#,
        "{text}"
    );
    assert!(!text.contains("\\n"), "{text}");
    assert!(!failed.contains('…'), "{failed}");
    // The columns before the summary are still fitted: the header is within the width.
    assert!(table[0].chars().count() <= 80, "{}", table[0]);
    let summary_at = table[0].find("SUMMARY").unwrap();
    assert!(
        failed[..summary_at].trim_end().ends_with("failed"),
        "{failed}"
    );
    // The same cell as when piped (not fitted).
    let piped = output("sfn", SFN, "", &["--failed"]);
    let piped_row = table_lines(&piped)
        .into_iter()
        .find(|row| row.trim_start().starts_with("55 "))
        .unwrap();
    let tail = |row: &str| row[row.find("PaymentDeclined:").unwrap()..].to_string();
    assert_eq!(tail(failed), tail(piped_row));
}

#[test]
fn a_fitted_cell_is_cut_at_the_column_width_once() {
    // Without --failed, a long summary is cut to its column, marked once.
    let text = output("sfn", SFN, "80", &[]);
    let table = table_lines(&text);
    let failed = table
        .iter()
        .find(|row| row.trim_start().starts_with("55 "))
        .unwrap();
    assert!(failed.ends_with('…'), "{failed}");
    let summary = &failed[failed.find(" failed ").unwrap()..];
    assert_eq!(summary.matches('…').count(), 1, "{failed}");
    let ascii = output("sfn", SFN, "80", &["--ascii"]);
    assert!(table_lines(&ascii).iter().all(|l| l.is_ascii()), "{ascii}");
}
