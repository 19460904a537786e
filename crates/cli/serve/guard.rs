//! Who may use the page. Every request passes here before any handler runs.
//!
//! A server on 127.0.0.1 is reachable from every web page the therapist has open, through her
//! own browser. Three checks keep other sites out:
//! - **Host**: the request must name this server (`127.0.0.1:PORT`, `localhost:PORT`,
//!   `[::1]:PORT`); a page on a foreign domain that re-points its name at 127.0.0.1 (DNS
//!   rebinding) sends its own name and is refused. With a token, the address the server listens
//!   on is accepted too (any IP address when it listens on all of them: a rebinding attack needs
//!   a name, never an address).
//! - **Origin** and **Sec-Fetch-Site**: a request a browser sends on behalf of another site
//!   (a cross-site form post, a script's `fetch`) is refused; only opening the page itself by a
//!   link is allowed, because that reads nothing and changes nothing.
//! - **Token**, when listening beyond localhost: a random secret printed at start, as notebook
//!   servers do. The printed link carries it once (`/?token=…`); the server answers with a
//!   cookie for this port and sends the browser on to `/`, so the token leaves the address bar.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The access rules of one server.
#[derive(Debug, Clone)]
pub struct Access {
    port: u16,
    listen: IpAddr,
    token: Option<String>,
}

/// How a request proved it may come in.
#[derive(Debug, PartialEq, Eq)]
pub enum Pass {
    /// No token needed, or a valid one in a cookie or header.
    Allowed,
    /// A valid token in the address (`/?token=…`): set the cookie and go on to `/`.
    FromLink,
    /// A token is needed and none (or a wrong one) came.
    NoToken,
}

impl Access {
    pub fn new(listen: SocketAddr, token: Option<String>) -> Access {
        Access {
            port: listen.port(),
            listen: listen.ip(),
            token,
        }
    }

    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The cookie that carries the token; per port, as browsers share cookies across ports.
    pub fn cookie_name(&self) -> String {
        format!("relief-token-{}", self.port)
    }

    /// Whether the Host header names this server.
    pub fn host_allowed(&self, host: &str) -> bool {
        let Some((name, port)) = split_host(host) else {
            return false;
        };
        if port.unwrap_or(80) != self.port {
            return false;
        }
        let ip = name.parse::<IpAddr>().ok();
        if name.eq_ignore_ascii_case("localhost") || ip.is_some_and(|ip| ip.is_loopback()) {
            return true;
        }
        match (ip, &self.token) {
            (Some(ip), Some(_)) => self.listen.is_unspecified() || ip == self.listen,
            _ => false,
        }
    }

    /// Whether a request with `Origin: origin` comes from this server's own page at `host`.
    pub fn origin_allowed(&self, origin: &str, host: &str) -> bool {
        origin.eq_ignore_ascii_case(&format!("http://{host}")) && self.host_allowed(host)
    }

    /// Checks the token, from the cookie, an `Authorization: Token …` header, or `/?token=…`.
    pub fn pass(
        &self,
        method: &Method,
        path: &str,
        query: Option<&str>,
        headers: &HeaderMap,
    ) -> Pass {
        let Some(token) = &self.token else {
            return Pass::Allowed;
        };
        let cookie = self.cookie_name();
        let from_cookie = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|kv| kv.trim().split_once('='))
            .any(|(k, v)| k == cookie && same(v, token));
        let from_header = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Token ")
                    .or_else(|| v.strip_prefix("Bearer "))
            })
            .is_some_and(|v| same(v.trim(), token));
        if from_cookie || from_header {
            return Pass::Allowed;
        }
        let from_link = method == Method::GET
            && path == "/"
            && query
                .into_iter()
                .flat_map(|q| q.split('&'))
                .filter_map(|kv| kv.split_once('='))
                .any(|(k, v)| k == "token" && same(v, token));
        if from_link {
            Pass::FromLink
        } else {
            Pass::NoToken
        }
    }
}

/// `name:port`, `[v6]:port`, or a bare name; `None` when malformed.
fn split_host(host: &str) -> Option<(&str, Option<u16>)> {
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        let (name, after) = rest.split_once(']')?;
        match after {
            "" => (name, None),
            p => (name, Some(p.strip_prefix(':')?)),
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if !name.contains(':') => (name, Some(port)),
            Some(_) => return None,
            None => (host, None),
        }
    };
    if name.is_empty() {
        return None;
    }
    let port = match port {
        Some(p) => Some(p.parse().ok()?),
        None => None,
    };
    Some((name, port))
}

/// Compares secrets in time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A new token: 24 random bytes, hex.
pub fn new_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness for a token: {e}"))?;
    Ok(hex::encode(bytes))
}

/// The middleware: checks Host, Origin, Sec-Fetch-Site and the token, then adds the headers
/// that keep the page and its data out of caches, frames and other sites' reach.
pub async fn check(
    State(app): State<Arc<super::handlers::App>>,
    req: Request,
    next: Next,
) -> Response {
    let access = &app.access;
    let api = req.uri().path().starts_with("/api/");
    let headers = req.headers();
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let host = text(header::HOST).unwrap_or_default().to_string();
    if !access.host_allowed(&host) {
        let why = format!(
            "This server answers only to its own address; the request was for '{host}'. Open \
             the link relief printed when it started."
        );
        return with_headers(refuse(StatusCode::FORBIDDEN, api, &why));
    }
    let navigation = req.method() == Method::GET
        && req.uri().path() == "/"
        && text(header::HeaderName::from_static("sec-fetch-mode")) == Some("navigate");
    let foreign_origin = text(header::ORIGIN).filter(|o| !access.origin_allowed(o, &host));
    let site = text(header::HeaderName::from_static("sec-fetch-site"));
    let cross_site = !matches!(site, None | Some("same-origin" | "none")) && !navigation;
    if let Some(origin) = foreign_origin.or(cross_site.then_some("another site")) {
        let why = format!(
            "Refused a request sent by {origin}: only relief's own page may send files here \
             or read the results."
        );
        return with_headers(refuse(StatusCode::FORBIDDEN, api, &why));
    }
    match access.pass(req.method(), req.uri().path(), req.uri().query(), headers) {
        Pass::Allowed => with_headers(next.run(req).await),
        Pass::FromLink => {
            let cookie = format!(
                "{}={}; Path=/; HttpOnly; SameSite=Lax",
                access.cookie_name(),
                access.token().unwrap_or_default()
            );
            let mut resp = (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                resp.headers_mut().insert(header::SET_COOKIE, v);
            }
            with_headers(resp)
        }
        Pass::NoToken => with_headers(refuse(
            StatusCode::FORBIDDEN,
            api,
            "This page needs its access token: open the link with ?token=… that relief printed \
             where it was started.",
        )),
    }
}

/// A refusal: JSON `{"error": …}` for the page's requests, a small page for a person.
pub fn refuse(status: StatusCode, api: bool, message: &str) -> Response {
    if api {
        let body = serde_json::json!({ "error": message }).to_string();
        (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
    } else {
        let body = format!(
            "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>relief</title>\
             <p style=\"font:1.2rem system-ui,sans-serif;max-width:40rem;margin:3rem auto\">{}</p></html>",
            escape_html(message)
        );
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response()
    }
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Health data stays out of caches; the page only loads from itself and is never framed.
fn with_headers(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    let set = |h: &mut HeaderMap, name: &'static str, value: &'static str| {
        h.insert(
            header::HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    };
    set(
        h,
        "content-security-policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; \
         connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
    set(h, "x-content-type-options", "nosniff");
    set(h, "x-frame-options", "DENY");
    set(h, "referrer-policy", "no-referrer");
    set(h, "cache-control", "no-store");
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local() -> Access {
        Access::new("127.0.0.1:8470".parse().unwrap(), None)
    }

    fn network(addr: &str) -> Access {
        Access::new(addr.parse().unwrap(), Some("abc123".into()))
    }

    #[test]
    fn hosts_split_with_and_without_ports() {
        assert_eq!(split_host("127.0.0.1:80"), Some(("127.0.0.1", Some(80))));
        assert_eq!(split_host("[::1]:8470"), Some(("::1", Some(8470))));
        assert_eq!(split_host("localhost"), Some(("localhost", None)));
        assert_eq!(split_host("::1"), None);
        assert_eq!(split_host("a:b"), None);
        assert_eq!(split_host(":80"), None);
    }

    #[test]
    fn localhost_answers_only_to_its_own_names_and_port() {
        let a = local();
        for ok in [
            "127.0.0.1:8470",
            "localhost:8470",
            "LOCALHOST:8470",
            "[::1]:8470",
        ] {
            assert!(a.host_allowed(ok), "{ok}");
        }
        for bad in [
            "evil.example:8470",
            "127.0.0.1:8471",
            "127.0.0.1",
            "192.168.1.5:8470",
            "",
        ] {
            assert!(!a.host_allowed(bad), "{bad}");
        }
    }

    #[test]
    fn with_a_token_the_listening_address_is_accepted() {
        let a = network("192.168.1.5:8470");
        assert!(a.host_allowed("192.168.1.5:8470"));
        assert!(!a.host_allowed("192.168.1.6:8470"));
        assert!(!a.host_allowed("clinic.example:8470"));
        let any = network("0.0.0.0:8470");
        assert!(any.host_allowed("10.0.0.7:8470"));
        assert!(!any.host_allowed("rebind.example:8470"));
    }

    #[test]
    fn origins_must_be_the_page_itself() {
        let a = local();
        assert!(a.origin_allowed("http://127.0.0.1:8470", "127.0.0.1:8470"));
        assert!(!a.origin_allowed("http://evil.example", "127.0.0.1:8470"));
        assert!(!a.origin_allowed("http://localhost:8470", "127.0.0.1:8470"));
        assert!(!a.origin_allowed("null", "127.0.0.1:8470"));
    }

    #[test]
    fn tokens_come_by_cookie_header_or_link() {
        let a = network("0.0.0.0:8470");
        let get = Method::GET;
        let mut h = HeaderMap::new();
        assert_eq!(a.pass(&get, "/", None, &h), Pass::NoToken);
        assert_eq!(a.pass(&get, "/", Some("token=abc123"), &h), Pass::FromLink);
        assert_eq!(a.pass(&get, "/", Some("token=abc124"), &h), Pass::NoToken);
        assert_eq!(
            a.pass(&Method::POST, "/api/jobs", Some("token=abc123"), &h),
            Pass::NoToken
        );
        h.insert(
            header::COOKIE,
            "x=1; relief-token-8470=abc123".parse().unwrap(),
        );
        assert_eq!(a.pass(&get, "/api/info", None, &h), Pass::Allowed);
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "relief-token-8471=abc123".parse().unwrap());
        assert_eq!(a.pass(&get, "/api/info", None, &h), Pass::NoToken);
        h.insert(header::AUTHORIZATION, "Token abc123".parse().unwrap());
        assert_eq!(a.pass(&get, "/api/info", None, &h), Pass::Allowed);
        assert_eq!(
            local().pass(&get, "/", None, &HeaderMap::new()),
            Pass::Allowed
        );
    }

    #[test]
    fn tokens_are_long_and_fresh() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_eq!(a.len(), 48);
        assert_ne!(a, b);
    }
}
