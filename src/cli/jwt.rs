//! `trustflow jwt qsh|verify`.

use super::ExitStatus;
use crate::pipeline::Failure;
use clap::Subcommand;

/// `jwt` subcommands.
#[derive(Debug, Subcommand)]
pub enum JwtCommand {
    /// Print the qsh (query-string hash) of a request, with its canonical form.
    #[command(
        after_help = "Example:\n  trustflow jwt qsh --method GET --url '/rest/api/2/issue/ABC-1?expand=names'\n\n\
Exit codes: 0 printed, 2 bad arguments."
    )]
    Qsh {
        /// HTTP method.
        #[arg(long, default_value = "GET")]
        method: String,
        /// The request URL (path and query, or a full URL).
        #[arg(long)]
        url: String,
        /// The product's context path to strip (e.g. /jira).
        #[arg(long)]
        base_path: Option<String>,
    },
    /// Verify a token for a request and explain why it fails.
    #[command(
        after_help = "Example:\n  trustflow jwt verify eyJ... --secret s3cret --method POST --url /installed\n\n\
Exit codes: 0 valid, 1 invalid (the reason is printed), 2 bad arguments."
    )]
    Verify {
        /// The token (the value after `JWT ` in the Authorization header, or the jwt= parameter).
        token: String,
        /// The installation's shared secret.
        #[arg(long)]
        secret: String,
        /// HTTP method.
        #[arg(long, default_value = "GET")]
        method: String,
        /// The request URL.
        #[arg(long)]
        url: String,
        /// The time to check `exp` against (seconds since 1970); default: now.
        #[arg(long)]
        now: Option<i64>,
    },
}

/// Runs a `jwt` subcommand.
pub fn run(command: JwtCommand) -> Result<ExitStatus, Failure> {
    match command {
        JwtCommand::Qsh { method, url, base_path } => {
            let text = format!(
                "{}\ncanonical request: {}\n",
                crate::jwt::qsh(&method, &url, base_path.as_deref()),
                crate::jwt::canonical_request(&method, &url, base_path.as_deref())
            );
            super::emit_text(&text)
        }
        JwtCommand::Verify {
            token,
            secret,
            method,
            url,
            now,
        } => {
            let now = now.unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
            });
            // The secret given is the issuer's, whoever the token names.
            let lookup = |_: &str| Some(secret.as_bytes());
            match crate::jwt::verify(&token, lookup, &method, &url, now, crate::jwt::Checks::ALL) {
                Ok(claims) => super::emit_text(&format!(
                    "valid: iss {} exp {} qsh {}\n",
                    claims.iss, claims.exp, claims.qsh
                )),
                Err(err) => {
                    super::emit_text(&format!("invalid: {err}\n"))?;
                    Ok(ExitStatus::Findings)
                }
            }
        }
    }
}
