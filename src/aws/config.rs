//! Loading AWS configuration as the AWS CLI does (`--profile`, `--region`,
//! `--endpoint-url`, the `AWS_*` variables, the config and credentials files, SSO and
//! credential_process profiles), refusing first what would make the SDK panic, hang or
//! quietly do something else: retry settings it cannot parse, a profile that does not
//! exist, a config "file" that is a device or huge.
//!
//! Precedence follows the AWS CLI: `--profile` on the command line beats the
//! environment's keys; `AWS_PROFILE` does not (the environment's keys come first in the
//! chain). Retries: the standard mode with [`DEFAULT_MAX_ATTEMPTS`] attempts, since a
//! long history is many idempotent reads sharing one throttling bucket, unless
//! `AWS_MAX_ATTEMPTS`/`AWS_RETRY_MODE` or the profile's `max_attempts`/`retry_mode` say
//! otherwise; `legacy` (which the AWS CLI accepts) is read as standard, said once.

use crate::exit::UsageError;
use anyhow::{anyhow, Result};
use aws_config::profile::{Profile, ProfileSet};
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use aws_types::os_shim_internal::{Env, Fs};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Attempts per request when nothing configures them (the SDK's own default is 3).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 8;

/// The limits in force, once the configuration is loaded.
static LIMITS: std::sync::OnceLock<Limits> = std::sync::OnceLock::new();

/// The limits in force (the defaults before the configuration is loaded).
pub fn limits() -> Limits {
    LIMITS.get().copied().unwrap_or(Limits {
        max_attempts: DEFAULT_MAX_ATTEMPTS,
        connect_timeout: DEFAULT_TIMEOUT,
        read_timeout: DEFAULT_TIMEOUT,
    })
}

/// A config or credentials file larger than this is refused (they are a few KB).
const MAX_CONFIG_FILE_BYTES: u64 = 1024 * 1024;

/// Where to reach AWS, as the user asked on the command line.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// `--connect-timeout`, else [`DEFAULT_TIMEOUT`].
    pub connect_timeout: Option<Duration>,
    /// `--read-timeout`, else [`DEFAULT_TIMEOUT`].
    pub read_timeout: Option<Duration>,
    /// Reading the runs a run started (`--depth`): a child's own region (its ARN's)
    /// beats `--region`, which is the region of the run shown.
    pub children: bool,
    /// The configuration as loaded once (profile, credentials chain and its cache, HTTP
    /// client): every client after the first is made from it, in its own region.
    pub loaded: std::sync::Arc<tokio::sync::OnceCell<SdkConfig>>,
}

/// How long to wait for a connection, and for an answer, when not told: the AWS CLI's.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// What the SDK was configured with, for the error lines that tell what to change.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_attempts: u32,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
}

/// The shared configuration, loaded once per connection. `region_hint` (e.g. the region
/// inside an ARN) is used when `--region` is not given, since a resource can only be
/// found in its own region; for a child run ([`Connection::children`]) it wins.
pub async fn load_config(connection: &Connection, region_hint: Option<&str>) -> Result<SdkConfig> {
    let base = connection
        .loaded
        .get_or_try_init(|| load_once(connection))
        .await?;
    let region = if connection.children {
        region_hint.or(connection.region.as_deref())
    } else {
        connection.region.as_deref().or(region_hint)
    };
    let config = match region {
        Some(region) if base.region().map(|r| r.as_ref()) != Some(region) => base
            .to_builder()
            .region(Region::new(region.to_string()))
            .build(),
        _ => base.clone(),
    };
    let Some(region) = config.region() else {
        return Err(anyhow!(
            "no AWS region: pass --region, set AWS_REGION, or set a region in your profile"
        ));
    };
    // The first configuration's (the run's own, not a child's): for the console link.
    if !connection.children {
        let _ = REGION.set(region.to_string());
    }
    Ok(config)
}

/// The configuration as the command line, the environment and the profile give it (its
/// region may be none: the resource's own then decides).
async fn load_once(connection: &Connection) -> Result<SdkConfig> {
    for path in [config_file(), credentials_file()] {
        check_file(&path).map_err(UsageError::new)?;
    }
    let profiles =
        aws_config::profile::load(&Fs::real(), &Env::real(), &EnvConfigFiles::default(), None)
            .await
            .map_err(|error| {
                UsageError::new(format!("cannot read the AWS config files: {error}"))
            })?;
    let env_profile = std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty());
    let named = connection.profile.clone().or(env_profile);
    if let Some(name) = &named {
        check_profile(&profiles, name, connection.profile.is_some())?;
    }
    let profile = profiles.get_profile(named.as_deref().unwrap_or("default"));
    let retry = retry_config(&Settings::from_env(), profile)?;
    let limits = Limits {
        max_attempts: retry.max_attempts(),
        connect_timeout: connection.connect_timeout.unwrap_or(DEFAULT_TIMEOUT),
        read_timeout: connection.read_timeout.unwrap_or(DEFAULT_TIMEOUT),
    };
    // One configuration per process: remembered for the error lines.
    let _ = LIMITS.set(limits);
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry)
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(limits.connect_timeout)
                .read_timeout(limits.read_timeout)
                .build(),
        );
    if let Some(name) = &connection.profile {
        // On the command line, the profile beats the environment's keys: its own
        // credentials chain (static keys, SSO, credential_process, role chains).
        loader = loader.profile_name(name).credentials_provider(
            aws_config::profile::ProfileFileCredentialsProvider::builder()
                .profile_name(name)
                .build(),
        );
    }
    if let Some(region) = connection.region.as_deref() {
        loader = loader.region(Region::new(region.to_string()));
    }
    if let Some(url) = &connection.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    Ok(loader.load().await)
}

/// The region the run was read from: the first configuration loaded.
static REGION: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The region requests went to, once a configuration was loaded (the run's own, for
/// the console link of its summary).
pub fn region_used() -> Option<&'static str> {
    REGION.get().map(String::as_str)
}

/// A profile named by `--profile` or `AWS_PROFILE` must exist (`default` may be
/// implicit): otherwise the SDK would send the request with other credentials.
fn check_profile(profiles: &ProfileSet, name: &str, by_flag: bool) -> Result<(), UsageError> {
    if profiles.get_profile(name).is_some() || name == "default" {
        return Ok(());
    }
    let known: Vec<&str> = profiles.profiles().collect();
    let source = if by_flag { "--profile" } else { "AWS_PROFILE" };
    Err(UsageError::new(format!(
        "{source}: no profile '{}' in {} or {}{}",
        crate::escape::terminal_safe(name),
        config_file().display(),
        credentials_file().display(),
        if known.is_empty() {
            String::new()
        } else {
            let mut known = known;
            known.sort_unstable();
            format!(" (profiles: {})", known.join(", "))
        }
    )))
}

/// The retry settings from the environment, which win over the profile's.
#[derive(Debug, Default, Clone)]
struct Settings {
    max_attempts: Option<String>,
    retry_mode: Option<String>,
}

impl Settings {
    fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Settings {
            max_attempts: var("AWS_MAX_ATTEMPTS"),
            retry_mode: var("AWS_RETRY_MODE"),
        }
    }
}

/// The retry configuration, checked (the SDK would panic on a value it cannot parse).
fn retry_config(env: &Settings, profile: Option<&Profile>) -> Result<RetryConfig, UsageError> {
    let from_profile = |key: &str| profile.and_then(|p| p.get(key)).map(str::to_string);
    let attempts = match (&env.max_attempts, from_profile("max_attempts")) {
        (Some(value), _) => Some(("AWS_MAX_ATTEMPTS", value.clone())),
        (None, Some(value)) => Some(("the profile's max_attempts", value)),
        (None, None) => None,
    };
    let mode = match (&env.retry_mode, from_profile("retry_mode")) {
        (Some(value), _) => Some(("AWS_RETRY_MODE", value.clone())),
        (None, Some(value)) => Some(("the profile's retry_mode", value)),
        (None, None) => None,
    };
    let mut config = match mode {
        None => RetryConfig::standard(),
        Some((source, value)) => match value.trim().to_ascii_lowercase().as_str() {
            "standard" => RetryConfig::standard(),
            "adaptive" => RetryConfig::adaptive(),
            "legacy" => {
                // Diagnostics only: a closed stderr must not stop the history.
                use std::io::Write;
                crate::terminal::progress::before_stderr_line();
                let _ = writeln!(
                    std::io::stderr(),
                    "histx: {source} 'legacy' is read as 'standard' (the SDK has no legacy mode)"
                );
                RetryConfig::standard()
            }
            _ => {
                return Err(UsageError::new(format!(
                    "{source} '{}' is not a retry mode: standard, adaptive or legacy",
                    crate::escape::terminal_safe(&value)
                )))
            }
        },
    };
    let max_attempts = match attempts {
        None => DEFAULT_MAX_ATTEMPTS,
        Some((source, value)) => match value.trim().parse::<u32>() {
            Ok(n) if n >= 1 => n,
            _ => {
                return Err(UsageError::new(format!(
                    "{source} '{}' is not a number of attempts (1 or more)",
                    crate::escape::terminal_safe(&value)
                )))
            }
        },
    };
    config = config.with_max_attempts(max_attempts);
    Ok(config)
}

/// The config file, as the SDK finds it: `AWS_CONFIG_FILE`, else `~/.aws/config`.
fn config_file() -> PathBuf {
    aws_file("AWS_CONFIG_FILE", "config")
}

/// The credentials file: `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`.
fn credentials_file() -> PathBuf {
    aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials")
}

fn aws_file(variable: &str, default: &str) -> PathBuf {
    match std::env::var_os(variable).filter(|v| !v.is_empty()) {
        Some(path) => PathBuf::from(path),
        None => std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_default()
            .join(".aws")
            .join(default),
    }
}

/// A config file that exists must be a regular file of a sane size (a device such as
/// /dev/zero would be read forever).
fn check_file(path: &Path) -> Result<(), String> {
    let Ok(metadata) = std::fs::metadata(path) else {
        return Ok(()); // absent: nothing to read
    };
    let shown = crate::escape::terminal_safe(&path.display().to_string()).into_owned();
    if !metadata.is_file() {
        return Err(format!(
            "{shown} is not a regular file; an AWS config file must be one"
        ));
    }
    if metadata.len() > MAX_CONFIG_FILE_BYTES {
        return Err(format!(
            "{shown} is {} bytes; an AWS config file of over {MAX_CONFIG_FILE_BYTES} bytes is refused",
            metadata.len()
        ));
    }
    Ok(())
}

/// The profile names in the user's AWS config and credentials files (as the SDK finds
/// them: `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/`), sorted.
/// For completing `--profile`; unreadable files give no names.
pub fn profile_names() -> Vec<String> {
    let mut names = Vec::new();
    for (path, in_config) in [(config_file(), true), (credentials_file(), false)] {
        if check_file(&path).is_err() {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        names.extend(profile_sections(&text, in_config));
    }
    names.sort();
    names.dedup();
    names
}

/// The profile names of one file: `[profile NAME]` (or `[default]`) in the config file,
/// `[NAME]` in the credentials file.
fn profile_sections(text: &str, in_config: bool) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.trim().strip_prefix('[')?.strip_suffix(']'))
        .filter_map(|section| {
            let section = section.trim();
            if !in_config || section == "default" {
                return Some(section.to_string());
            }
            section
                .strip_prefix("profile")
                .filter(|rest| rest.starts_with(char::is_whitespace))
                .map(|rest| rest.trim().to_string())
        })
        .filter(|name| !name.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(max_attempts: Option<&str>, retry_mode: Option<&str>) -> Settings {
        Settings {
            max_attempts: max_attempts.map(str::to_string),
            retry_mode: retry_mode.map(str::to_string),
        }
    }

    #[test]
    fn profile_names_come_from_both_files() {
        let config =
            "[default]\nregion = us-east-1\n[profile dev]\n[ profile  prod ]\n[sso-session corp]\n";
        assert_eq!(
            profile_sections(config, true),
            vec!["default", "dev", "prod"]
        );
        assert_eq!(
            profile_sections("[default]\n[ci]\n", false),
            vec!["default", "ci"]
        );
    }

    #[test]
    fn retry_settings_are_checked_not_panicked_on() {
        let config = retry_config(&settings(None, None), None).unwrap();
        assert_eq!(config.max_attempts(), DEFAULT_MAX_ATTEMPTS);
        let config = retry_config(&settings(Some("2"), Some("legacy")), None).unwrap();
        assert_eq!(config.max_attempts(), 2);
        assert!(retry_config(&settings(None, Some("adaptive")), None).is_ok());
        for bad in ["0", "-1", "abc", "99999999999"] {
            let error = retry_config(&settings(Some(bad), None), None).unwrap_err();
            assert!(error.to_string().starts_with("AWS_MAX_ATTEMPTS"), "{error}");
        }
        let error = retry_config(&settings(None, Some("bogus")), None).unwrap_err();
        assert!(
            error.to_string().contains("standard, adaptive or legacy"),
            "{error}"
        );
    }
}
