//! Atlassian Connect JWTs: the query-string hash (qsh) of a request, HS256 signing, and
//! verification that says exactly why a token fails.
//!
//! The canonical request follows Atlassian's documented algorithm: upper-case method, the path
//! relative to the base URL (no trailing slash, `&` escaped), and the query without `jwt`, with
//! names sorted, repeated names' values sorted and joined by `,`, everything percent-encoded per
//! RFC 3986 (space as `%20`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::borrow::Cow;

type HmacSha256 = Hmac<Sha256>;

/// The claims trustflow signs and checks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer: the installation's `clientKey` (product → app) or the app key (app → product).
    pub iss: String,
    /// Issued at (seconds since 1970).
    pub iat: i64,
    /// Expires at (seconds since 1970).
    pub exp: i64,
    /// The query-string hash of the request the token is for.
    pub qsh: String,
    /// The acting user's account id, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
}

/// Why a token is rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    /// Not three base64url parts with JSON inside.
    #[error("malformed token: {0}")]
    Malformed(String),
    /// An algorithm other than HS256 (including `none`).
    #[error("algorithm `{0}` is not accepted; Connect tokens signed with the shared secret use HS256")]
    Algorithm(String),
    /// No installation has this `iss`.
    #[error("unknown issuer `{0}`: no installation with this clientKey")]
    UnknownIssuer(String),
    /// The signature does not match the installation's shared secret.
    #[error("bad signature: the token was not signed with the shared secret of `{0}`")]
    BadSignature(String),
    /// The token has expired.
    #[error("expired {seconds} s ago (exp {exp}, now {now})")]
    Expired {
        /// `exp`.
        exp: i64,
        /// The time checked against.
        now: i64,
        /// How long ago.
        seconds: i64,
    },
    /// The token was made for another request.
    #[error(
        "qsh mismatch: the token is for another request (token qsh {token}, request qsh {request}; canonical request `{canonical}`)"
    )]
    QshMismatch {
        /// The token's qsh.
        token: String,
        /// The request's qsh.
        request: String,
        /// The request's canonical form.
        canonical: String,
    },
    /// A context token used where a request-bound token is required.
    #[error("a context token (qsh `context-qsh`) is not accepted on this endpoint")]
    ContextQsh,
}

const UPPER_HEX: &[u8; 16] = b"0123456789ABCDEF";
const LOWER_HEX: &[u8; 16] = b"0123456789abcdef";

fn encode(text: &str, out: &mut String) {
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(UPPER_HEX[usize::from(byte >> 4)] as char);
            out.push(UPPER_HEX[usize::from(byte & 15)] as char);
        }
    }
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The canonical request of `method` and `url` (a path with query, or a full URL); `base_path`
/// is the context path to strip (e.g. `/jira`), if the product has one.
pub fn canonical_request(method: &str, url: &str, base_path: Option<&str>) -> String {
    let mut out = String::with_capacity(method.len() + url.len() + 8);
    out.extend(method.chars().map(|c| c.to_ascii_uppercase()));
    out.push('&');
    if base_path.is_none() && push_plain_request(url, &mut out) {
        return out;
    }
    let without_scheme = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest.find('/').map_or("", |i| &rest[i..]));
    let (path, query) = without_scheme.split_once('?').unwrap_or((without_scheme, ""));
    let path = path.split('#').next().unwrap_or("");
    let path = match base_path.map(|b| b.trim_end_matches('/')) {
        Some(base) if !base.is_empty() && path.starts_with(base) => &path[base.len()..],
        _ => path,
    };
    // A leading `/` added where missing, trailing ones removed (the root stays `/`), `&`
    // escaped: written straight into the result, as this runs once per simulated request.
    let trimmed = path.trim_end_matches('/');
    if !trimmed.starts_with('/') {
        out.push('/');
    }
    for (i, piece) in trimmed.split('&').enumerate() {
        if i > 0 {
            out.push_str("%26");
        }
        out.push_str(piece);
    }
    out.push('&');
    let query = query.split('#').next().unwrap_or("");
    fn decoded(text: &str) -> Cow<'_, str> {
        if text.contains(['%', '+']) {
            Cow::Owned(decode(text))
        } else {
            Cow::Borrowed(text)
        }
    }
    let mut params: Vec<(Cow<'_, str>, Cow<'_, str>)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decoded(name), decoded(value))
        })
        .filter(|(name, _)| name != "jwt")
        .collect();
    // Names in byte order; a repeated name's values sorted and joined with `,`.
    params.sort();
    let mut previous: Option<&str> = None;
    for (name, value) in &params {
        if previous == Some(name.as_ref()) {
            out.push(',');
        } else {
            if previous.is_some() {
                out.push('&');
            }
            encode(name, &mut out);
            out.push('=');
            previous = Some(name.as_ref());
        }
        encode(value, &mut out);
    }
    out
}

/// Appends the canonical path and query of `url` when it is a plain request that is already
/// canonical — a path (no scheme, `&`, `:`, `#`, trailing `/`) and a query as
/// [`query_is_canonical`] says — in one scan; `false` (and `out` unchanged) otherwise. The
/// simulation checks millions of such requests (measured: a tenth of its time).
fn push_plain_request(url: &str, out: &mut String) -> bool {
    let bytes = url.as_bytes();
    if bytes.first() != Some(&b'/') {
        return false;
    }
    let mark = bytes.iter().position(|&b| b == b'?').unwrap_or(bytes.len());
    let (path, query) = (&url[..mark], url.get(mark + 1..).unwrap_or(""));
    if path.len() < 2 || path.ends_with('/') || path.bytes().any(|b| matches!(b, b'&' | b':' | b'#')) {
        return false;
    }
    if !query.is_empty() && !query_is_canonical(query) {
        return false;
    }
    out.push_str(path);
    out.push('&');
    out.push_str(query);
    true
}

/// Whether `query` is already its own canonical form: each parameter `name=value` of
/// unreserved characters only, names in strictly increasing byte order (so none repeats),
/// none of them `jwt`. Most requests' queries are, and need no sorting or encoding.
fn query_is_canonical(query: &str) -> bool {
    let unreserved = |text: &str| {
        text.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
    };
    let mut previous: Option<&str> = None;
    for pair in query.split('&') {
        let Some((name, value)) = pair.split_once('=') else {
            return false;
        };
        if name.is_empty() || name == "jwt" || !unreserved(name) || !unreserved(value) {
            return false;
        }
        if previous.is_some_and(|p| p >= name) {
            return false;
        }
        previous = Some(name);
    }
    true
}

/// Whether `expected` (lower-case hex) is the qsh of the request, without building the hex.
fn qsh_matches(expected: &str, method: &str, url: &str) -> bool {
    let digest = Sha256::digest(canonical_request(method, url, None).as_bytes());
    let expected = expected.as_bytes();
    expected.len() == 64
        && digest.iter().zip(expected.chunks(2)).all(|(byte, hex)| {
            hex[0] == LOWER_HEX[usize::from(byte >> 4)] && hex[1] == LOWER_HEX[usize::from(byte & 15)]
        })
}

/// The query-string hash: lower-case hex SHA-256 of the canonical request.
pub fn qsh(method: &str, url: &str, base_path: Option<&str>) -> String {
    let digest = Sha256::digest(canonical_request(method, url, base_path).as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in &digest {
        hex.push(LOWER_HEX[usize::from(byte >> 4)] as char);
        hex.push(LOWER_HEX[usize::from(byte & 15)] as char);
    }
    hex
}

/// The JOSE header of every token trustflow signs.
#[cfg(test)]
const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;
/// The header `{"alg":"HS256","typ":"JWT"}`, base64url-encoded.
const ENCODED_HEADER: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

/// A shared secret with its HMAC key schedule computed once, for signing and verifying many
/// tokens of one installation.
#[derive(Clone)]
pub struct Key(HmacSha256);

impl Key {
    /// The key of `secret`.
    pub fn new(secret: &[u8]) -> Key {
        Key(HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length"))
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(…)")
    }
}

/// Signs `claims` with `secret` (HS256).
pub fn sign(claims: &Claims, secret: &[u8]) -> String {
    sign_with(claims, &Key::new(secret))
}

/// Signs `claims` with a prepared key (HS256).
pub fn sign_with(claims: &Claims, key: &Key) -> String {
    sign_parts(
        &claims.iss,
        claims.iat,
        claims.exp,
        &claims.qsh,
        claims.sub.as_deref(),
        key,
    )
}

/// Signs the claims given field by field, without building a [`Claims`].
pub fn sign_parts(iss: &str, iat: i64, exp: i64, qsh: &str, sub: Option<&str>, key: &Key) -> String {
    let payload = claims_json(iss, iat, exp, qsh, sub);
    let mut token = String::with_capacity(64 + payload.len() * 4 / 3 + 48);
    token.push_str(ENCODED_HEADER);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
    let mut mac = key.0.clone();
    mac.update(token.as_bytes());
    let signature = mac.finalize().into_bytes();
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut token);
    token
}

/// The claims as compact JSON, written directly (this is on the simulation's hot path); the same
/// bytes serde_json writes.
fn claims_json(iss: &str, iat: i64, exp: i64, qsh: &str, sub: Option<&str>) -> Vec<u8> {
    use std::io::Write as _;
    fn string(text: &str, out: &mut Vec<u8>) {
        out.push(b'"');
        // Issuers and hashes never need escaping: copy them whole.
        if !text.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
            out.extend_from_slice(text.as_bytes());
            out.push(b'"');
            return;
        }
        for c in text.chars() {
            match c {
                '"' => out.extend_from_slice(b"\\\""),
                '\\' => out.extend_from_slice(b"\\\\"),
                '\n' => out.extend_from_slice(b"\\n"),
                '\r' => out.extend_from_slice(b"\\r"),
                '\t' => out.extend_from_slice(b"\\t"),
                '\u{8}' => out.extend_from_slice(b"\\b"),
                '\u{c}' => out.extend_from_slice(b"\\f"),
                c if (c as u32) < 0x20 => {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                }
                c => {
                    let mut buffer = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
                }
            }
        }
        out.push(b'"');
    }
    let mut out = Vec::with_capacity(96 + iss.len() + qsh.len() + sub.map_or(0, str::len));
    let mut number = itoa::Buffer::new();
    out.extend_from_slice(b"{\"iss\":");
    string(iss, &mut out);
    out.extend_from_slice(b",\"iat\":");
    out.extend_from_slice(number.format(iat).as_bytes());
    out.extend_from_slice(b",\"exp\":");
    out.extend_from_slice(number.format(exp).as_bytes());
    out.extend_from_slice(b",\"qsh\":");
    string(qsh, &mut out);
    if let Some(sub) = sub {
        out.extend_from_slice(b",\"sub\":");
        string(sub, &mut out);
    }
    out.push(b'}');
    out
}

/// How strictly to check.
#[derive(Clone, Copy, Debug)]
pub struct Checks {
    /// Verify the signature against the issuer's secret.
    pub signature: bool,
    /// Check `exp`.
    pub expiry: bool,
    /// Recompute and compare `qsh`.
    pub qsh: bool,
    /// Accept `qsh: context-qsh` (only on endpoints meant for context tokens).
    pub allow_context_qsh: bool,
}

impl Checks {
    /// Everything Atlassian's guidance asks for.
    pub const ALL: Checks = Checks {
        signature: true,
        expiry: true,
        qsh: true,
        allow_context_qsh: false,
    };
}

/// Decodes the claims without verifying anything (the first step: find the issuer).
pub fn decode_claims(token: &str) -> Result<Claims, JwtError> {
    let (_, payload) = split_token(token)?;
    let mut buffer = Vec::new();
    let raw = decode_payload(payload, &mut buffer)?;
    Ok(raw.owned())
}

/// The claims as they are in the token, borrowed where they need no unescaping: the
/// simulation verifies millions of tokens and keeps none of them.
#[derive(Deserialize)]
struct RawClaims<'a> {
    #[serde(borrow)]
    iss: Cow<'a, str>,
    iat: i64,
    exp: i64,
    #[serde(borrow)]
    qsh: Cow<'a, str>,
    #[serde(default, borrow)]
    sub: Option<Cow<'a, str>>,
}

impl RawClaims<'_> {
    fn owned(&self) -> Claims {
        Claims {
            iss: self.iss.clone().into_owned(),
            iat: self.iat,
            exp: self.exp,
            qsh: self.qsh.clone().into_owned(),
            sub: self.sub.as_ref().map(|s| s.clone().into_owned()),
        }
    }
}

/// The header checked and the payload part of a token.
fn split_token(token: &str) -> Result<(&str, &str), JwtError> {
    // The header trustflow and Atlassian's libraries write, found without splitting.
    if let Some(rest) = token
        .strip_prefix(ENCODED_HEADER)
        .and_then(|rest| rest.strip_prefix('.'))
        && let Some((payload, signature)) = rest.split_once('.')
        && !signature.contains('.')
    {
        return Ok((ENCODED_HEADER, payload));
    }
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(_), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(JwtError::Malformed("expected three parts separated by `.`".to_owned()));
    };
    // The header trustflow and Atlassian's libraries write is always the same: skip parsing it.
    if header != ENCODED_HEADER {
        let header = URL_SAFE_NO_PAD
            .decode(header)
            .map_err(|e| JwtError::Malformed(format!("header: {e}")))?;
        let header: serde_json::Value =
            serde_json::from_slice(&header).map_err(|e| JwtError::Malformed(format!("header: {e}")))?;
        let alg = header.get("alg").and_then(serde_json::Value::as_str).unwrap_or("none");
        if alg != "HS256" {
            return Err(JwtError::Algorithm(alg.to_owned()));
        }
    }
    Ok((header, payload))
}

/// Decodes the payload into `buffer` and reads the claims from it.
fn decode_payload<'b>(payload: &str, buffer: &'b mut Vec<u8>) -> Result<RawClaims<'b>, JwtError> {
    buffer.clear();
    URL_SAFE_NO_PAD
        .decode_vec(payload, buffer)
        .map_err(|e| JwtError::Malformed(format!("payload: {e}")))?;
    if let Some(claims) = compact_claims(buffer) {
        return Ok(claims);
    }
    serde_json::from_slice(buffer).map_err(|e| JwtError::Malformed(format!("claims: {e}")))
}

/// The claims of a payload in exactly the compact form [`claims_json`] writes (keys in its
/// order, no spaces, strings without escapes), read without a JSON parser: the simulation
/// verifies millions of such tokens. Anything else — other keys, whitespace, escapes, a number
/// serde_json would refuse — is `None`, and the caller reads it with serde_json, so a token
/// is accepted or refused exactly as serde_json decides.
fn compact_claims(json: &[u8]) -> Option<RawClaims<'_>> {
    /// `"text"` at the start of `rest`: the text (valid UTF-8, no escapes or control
    /// characters) and what follows the closing quote.
    fn string(rest: &[u8]) -> Option<(&str, &[u8])> {
        let rest = rest.strip_prefix(b"\"")?;
        let end = rest.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        if rest[end] != b'"' {
            return None;
        }
        Some((std::str::from_utf8(&rest[..end]).ok()?, &rest[end + 1..]))
    }
    /// An integer at the start of `rest` as JSON writes it (no leading zeros, no `+`), within
    /// `i64`.
    fn integer(rest: &[u8]) -> Option<(i64, &[u8])> {
        let negative = rest.first() == Some(&b'-');
        let digits = &rest[usize::from(negative)..];
        let count = digits.iter().take_while(|b| b.is_ascii_digit()).count();
        if count == 0 || count > 19 || (count > 1 && digits[0] == b'0') {
            return None;
        }
        let magnitude = digits[..count]
            .iter()
            .fold(0i128, |n, &d| n * 10 + i128::from(d - b'0'));
        if negative && magnitude == 0 {
            // serde_json reads `-0` as a float, which an integer claim refuses: so does this.
            return None;
        }
        let value = i64::try_from(if negative { -magnitude } else { magnitude }).ok()?;
        Some((value, &digits[count..]))
    }
    let rest = json.strip_prefix(b"{\"iss\":")?;
    let (iss, rest) = string(rest)?;
    let (iat, rest) = integer(rest.strip_prefix(b",\"iat\":")?)?;
    let (exp, rest) = integer(rest.strip_prefix(b",\"exp\":")?)?;
    let (qsh, rest) = string(rest.strip_prefix(b",\"qsh\":")?)?;
    let (sub, rest) = match rest.strip_prefix(b",\"sub\":") {
        Some(rest) => {
            let (sub, rest) = string(rest)?;
            (Some(Cow::Borrowed(sub)), rest)
        }
        None => (None, rest),
    };
    (rest == b"}").then_some(RawClaims {
        iss: Cow::Borrowed(iss),
        iat,
        exp,
        qsh: Cow::Borrowed(qsh),
        sub,
    })
}

/// Verifies `token` for a request, in Atlassian's order: decode, find the issuer's secret,
/// check the signature, the expiry, then the qsh.
pub fn verify<'s>(
    token: &str,
    secret_of: impl Fn(&str) -> Option<&'s [u8]>,
    method: &str,
    url: &str,
    now: i64,
    checks: Checks,
) -> Result<Claims, JwtError> {
    let mut buffer = Vec::new();
    verify_inner(
        token,
        |iss| secret_of(iss).map(|s| Key::new(s).0),
        (method, url, now, checks),
        &mut buffer,
    )
    .map(|raw| raw.owned())
}

/// [`verify`] with prepared keys.
pub fn verify_with<'k>(
    token: &str,
    key_of: impl Fn(&str) -> Option<&'k Key>,
    method: &str,
    url: &str,
    now: i64,
    checks: Checks,
) -> Result<Claims, JwtError> {
    let mut buffer = Vec::new();
    verify_inner(
        token,
        |iss| key_of(iss).map(|k| k.0.clone()),
        (method, url, now, checks),
        &mut buffer,
    )
    .map(|raw| raw.owned())
}

/// [`verify_with`] that keeps nothing of the token: whether it passes, and why not. `buffer`
/// is reused between calls (the simulation's hot path).
pub fn check_with<'k>(
    token: &str,
    key_of: impl Fn(&str) -> Option<&'k Key>,
    (method, url, now, checks): (&str, &str, i64, Checks),
    buffer: &mut Vec<u8>,
) -> Result<(), JwtError> {
    verify_inner(
        token,
        |iss| key_of(iss).map(|k| k.0.clone()),
        (method, url, now, checks),
        buffer,
    )
    .map(|_| ())
}

fn verify_inner<'b>(
    token: &str,
    mac_of: impl Fn(&str) -> Option<HmacSha256>,
    (method, url, now, checks): (&str, &str, i64, Checks),
    buffer: &'b mut Vec<u8>,
) -> Result<RawClaims<'b>, JwtError> {
    let (_, payload) = split_token(token)?;
    let claims = decode_payload(payload, buffer)?;
    if checks.signature {
        let mut mac = mac_of(&claims.iss).ok_or_else(|| JwtError::UnknownIssuer(claims.iss.clone().into_owned()))?;
        let (signed, signature) = token.rsplit_once('.').unwrap_or((token, ""));
        // An HS256 signature is 32 bytes; a longer one cannot match.
        let mut signature_bytes = [0u8; 48];
        let length = URL_SAFE_NO_PAD
            .decode_slice(signature, &mut signature_bytes)
            .map_err(|e| JwtError::Malformed(format!("signature: {e}")))?;
        mac.update(signed.as_bytes());
        mac.verify_slice(&signature_bytes[..length])
            .map_err(|_| JwtError::BadSignature(claims.iss.clone().into_owned()))?;
    }
    if checks.expiry && now > claims.exp {
        return Err(JwtError::Expired {
            exp: claims.exp,
            now,
            seconds: now - claims.exp,
        });
    }
    if checks.qsh {
        if claims.qsh == "context-qsh" {
            if !checks.allow_context_qsh {
                return Err(JwtError::ContextQsh);
            }
        } else if !qsh_matches(&claims.qsh, method, url) {
            return Err(JwtError::QshMismatch {
                token: claims.qsh.clone().into_owned(),
                request: qsh(method, url, None),
                canonical: canonical_request(method, url, None),
            });
        }
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Canonical requests from Atlassian's query-string-hash documentation and the reference
    /// implementation's rules; hashes computed independently (Python's hashlib).
    #[test]
    fn canonical_requests_and_hashes() {
        let cases = [
            (
                "GET",
                "/?param=foo",
                "GET&/&param=foo",
                "557b49d80f3f963f6bec47b74d9832d8d601d6ed0979476bdb35bae4abafb0a4",
            ),
            (
                "post",
                "/user",
                "POST&/user&",
                "18f9496a296abb418647d87857700529a1f4b2d18b4c1cfa77bbebdeeda6f068",
            ),
            (
                "GET",
                "/rest/api/2/issue/ABC-1?expand=names",
                "GET&/rest/api/2/issue/ABC-1&expand=names",
                "1daa3acba5b1725410a11c754bb1ee2657a1c0659f161b14e5b8c57ec226a9ac",
            ),
            (
                "GET",
                "https://acme.atlassian.net/rest/api/2/search/?maxResults=50&jql=project+%3D+TEST&jwt=abc",
                "GET&/rest/api/2/search&jql=project%20%3D%20TEST&maxResults=50",
                "7ea4af45d9c44d687387d2825fb3c0c4649f7f3c9817871ec079f0c61f191237",
            ),
            (
                "GET",
                "/path?b=*%20&a=z&a=x,y",
                "GET&/path&a=x%2Cy,z&b=%2A%20",
                "4b3a51e04d383995c124a9f194dfd1a53b1f8740f5b557db2a4be6c97c05486f",
            ),
        ];
        for (method, url, canonical, hash) in cases {
            assert_eq!(canonical_request(method, url, None), canonical, "{url}");
            assert_eq!(qsh(method, url, None), hash, "{url}");
        }
        assert_eq!(
            canonical_request("GET", "/jira/rest/api/2/myself", Some("/jira")),
            "GET&/rest/api/2/myself&"
        );
        assert_eq!(canonical_request("GET", "/a&b/", None), "GET&/a%26b&");
        assert_eq!(canonical_request("GET", "", None), "GET&/&");
    }

    #[test]
    fn claims_are_written_as_serde_writes_them() {
        for (iss, sub) in [("tenant-7", None), ("we\"ird\\key\n\u{1}é", Some("user\t1".to_owned()))] {
            let claims = Claims {
                iss: iss.into(),
                iat: -5,
                exp: 1_760_000_180,
                qsh: "context-qsh".into(),
                sub,
            };
            let json = claims_json(&claims.iss, claims.iat, claims.exp, &claims.qsh, claims.sub.as_deref());
            assert_eq!(json, serde_json::to_vec(&claims).unwrap());
        }
    }

    #[test]
    fn the_encoded_header_constant_matches() {
        assert_eq!(URL_SAFE_NO_PAD.encode(HEADER), ENCODED_HEADER);
    }

    #[test]
    fn verification_names_each_failure() {
        let secret = b"shared-secret-of-tenant-a";
        let url = "/webhook?issue=ABC-1";
        let claims = Claims {
            iss: "tenant-a".into(),
            iat: 100,
            exp: 280,
            qsh: qsh("POST", url, None),
            sub: None,
        };
        let token = sign(&claims, secret);
        let lookup = |iss: &str| (iss == "tenant-a").then_some(&secret[..]);
        assert_eq!(verify(&token, lookup, "POST", url, 200, Checks::ALL).unwrap(), claims);
        assert!(matches!(
            verify(&token, lookup, "POST", url, 281, Checks::ALL),
            Err(JwtError::Expired { .. })
        ));
        assert!(matches!(
            verify(&token, lookup, "POST", "/webhook?issue=ABC-2", 200, Checks::ALL),
            Err(JwtError::QshMismatch { .. })
        ));
        let forged = sign(&claims, b"wrong");
        assert!(matches!(
            verify(&forged, lookup, "POST", url, 200, Checks::ALL),
            Err(JwtError::BadSignature(_))
        ));
        let other = sign(
            &Claims {
                iss: "tenant-b".into(),
                ..claims.clone()
            },
            secret,
        );
        assert!(matches!(
            verify(&other, lookup, "POST", url, 200, Checks::ALL),
            Err(JwtError::UnknownIssuer(_))
        ));
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
            token.split('.').nth(1).unwrap()
        );
        assert!(matches!(
            verify(&none, lookup, "POST", url, 200, Checks::ALL),
            Err(JwtError::Algorithm(_))
        ));
        let context = sign(
            &Claims {
                qsh: "context-qsh".into(),
                ..claims.clone()
            },
            secret,
        );
        assert_eq!(
            verify(&context, lookup, "POST", url, 200, Checks::ALL),
            Err(JwtError::ContextQsh)
        );
        // A component that skips checks accepts what it should not.
        let lax = Checks {
            signature: false,
            expiry: false,
            qsh: false,
            allow_context_qsh: true,
        };
        assert!(verify(&forged, lookup, "POST", "/elsewhere", 9_999, lax).is_ok());
        assert!(matches!(
            verify("abc", lookup, "GET", "/", 0, Checks::ALL),
            Err(JwtError::Malformed(_))
        ));
    }

    /// The canonical request as first written (owned strings at each step), kept as the
    /// reference the allocation-free version must agree with.
    fn reference_canonical(method: &str, url: &str, base_path: Option<&str>) -> String {
        let without_scheme = url
            .split_once("://")
            .map_or(url, |(_, rest)| rest.find('/').map_or("", |i| &rest[i..]));
        let (path, query) = without_scheme.split_once('?').unwrap_or((without_scheme, ""));
        let path = path.split('#').next().unwrap_or("");
        let mut path = match base_path.map(|b| b.trim_end_matches('/')) {
            Some(base) if !base.is_empty() && path.starts_with(base) => &path[base.len()..],
            _ => path,
        }
        .to_owned();
        if path.is_empty() || !path.starts_with('/') {
            path.insert(0, '/');
        }
        while path.len() > 1 && path.ends_with('/') {
            path.pop();
        }
        let path = path.replace('&', "%26");
        let query = query.split('#').next().unwrap_or("");
        let mut params: Vec<(String, String)> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (decode(name), decode(value))
            })
            .filter(|(name, _)| name != "jwt")
            .collect();
        params.sort();
        let mut canonical_query = String::new();
        let mut previous: Option<&str> = None;
        for (name, value) in &params {
            if previous == Some(name.as_str()) {
                canonical_query.push(',');
            } else {
                if previous.is_some() {
                    canonical_query.push('&');
                }
                encode(name, &mut canonical_query);
                canonical_query.push('=');
                previous = Some(name.as_str());
            }
            encode(value, &mut canonical_query);
        }
        format!("{}&{path}&{canonical_query}", method.to_ascii_uppercase())
    }

    proptest::proptest! {
        #[test]
        fn canonical_request_agrees_with_the_reference(
            method in "(get|POST|Put)",
            url in "(https://x\\.example(/jira)?)?[/a-z&%+#?=.]{0,24}",
            base in proptest::option::of("(/jira/?|/|)"),
        ) {
            proptest::prop_assert_eq!(
                canonical_request(&method, &url, base.as_deref()),
                reference_canonical(&method, &url, base.as_deref())
            );
        }

        /// Queries that are often already canonical (sorted, unreserved), and near misses:
        /// repeated or unsorted names, `jwt`, a name without a value.
        #[test]
        fn canonical_queries_agree_with_the_reference(
            pairs in proptest::collection::vec("[a-cj][a-cwt]{0,2}(=[a-c.~]{0,2})?", 0..4),
        ) {
            let url = format!("/p?{}", pairs.join("&"));
            proptest::prop_assert_eq!(
                canonical_request("GET", &url, None),
                reference_canonical("GET", &url, None)
            );
        }

        /// The claims reader for the compact form agrees with serde_json on anything near it.
        #[test]
        fn compact_claims_agree_with_serde_json(
            iss in "[a-z\"\\\\é\u{1}-]{0,6}",
            iat in proptest::num::i64::ANY,
            exp in "-?0?[0-9]{1,20}",
            sub in proptest::option::of("[a-z]{0,3}"),
            tail in "(|}|,| )",
        ) {
            let json = format!(
                "{{\"iss\":\"{iss}\",\"iat\":{iat},\"exp\":{exp},\"qsh\":\"q\"{}}}{tail}",
                sub.map(|s| format!(",\"sub\":\"{s}\"")).unwrap_or_default()
            );
            let serde: Option<RawClaims<'_>> = serde_json::from_slice(json.as_bytes()).ok();
            if let Some(fast) = compact_claims(json.as_bytes()) {
                let serde = serde.expect("serde_json refuses what the compact reader accepts");
                proptest::prop_assert_eq!(fast.owned(), serde.owned());
            }
        }
    }

    #[test]
    fn compact_claims_read_what_sign_writes() {
        let claims = Claims {
            iss: "tenant-1".to_owned(),
            iat: -5,
            exp: i64::MAX,
            qsh: "abc".to_owned(),
            sub: Some("557058:f00".to_owned()),
        };
        let json = claims_json(&claims.iss, claims.iat, claims.exp, &claims.qsh, claims.sub.as_deref());
        assert_eq!(json, serde_json::to_vec(&claims).unwrap());
        assert_eq!(compact_claims(&json).map(|c| c.owned()), Some(claims));
    }
}
