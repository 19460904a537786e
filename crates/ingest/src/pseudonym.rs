//! Keyed pseudonyms for client (and, on request, therapist) identifiers (SPEC §4.4).
//!
//! A pseudonym is the first 16 hex characters of HMAC-SHA256 over a domain prefix and the
//! normalised identifier. With the installation's key the same client always gets the same
//! pseudonym, so visits can be counted across files and months; without the key the pseudonym
//! cannot be linked back, not even by trying every plausible client number.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::Arc;

type HmacSha256 = Hmac<Sha256>;

/// Turns identifiers into keyed pseudonyms. Cheap to share across threads.
#[derive(Clone)]
pub struct Pseudonymizer {
    keyed: HmacSha256,
}

impl std::fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the key.
        f.write_str("Pseudonymizer { .. }")
    }
}

impl Pseudonymizer {
    /// Builds a pseudonymizer from the installation's secret key (any length).
    pub fn new(key: &[u8]) -> Self {
        // HMAC accepts keys of any length, so this cannot fail.
        let keyed = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
        Pseudonymizer { keyed }
    }

    /// The pseudonym of a client identifier: 16 lower-case hex characters.
    ///
    /// The identifier is normalised first, so `" 40009 "`, `"40009"` and `"40009.0"` (a number
    /// cell written out by another program) are the same client.
    pub fn client(&self, raw: &str) -> Arc<str> {
        self.mac(b"relief-client\0", raw)
    }

    /// The pseudonym of a therapist's name, in a different domain from clients so a therapist
    /// and a client with the same text never share a pseudonym.
    pub fn therapist(&self, raw: &str) -> Arc<str> {
        self.mac(b"relief-therapist\0", raw)
    }

    /// Appends the pseudonym of a session key (which holds the session's date) to `out`: keyed,
    /// so the clean table's session column cannot be matched against guessed dates without the
    /// key. Appended rather than returned because a period names millions of sessions, and a
    /// string apiece was most of the cost.
    pub fn session_into(&self, raw: &str, out: &mut String) {
        let hex = self.digest_hex(b"relief-session\0", raw);
        out.push_str(std::str::from_utf8(&hex).expect("hex digits are ASCII"));
    }

    fn mac(&self, domain: &[u8], raw: &str) -> Arc<str> {
        let hex = self.digest_hex(domain, raw);
        Arc::from(std::str::from_utf8(&hex).expect("hex digits are ASCII"))
    }

    /// The first 8 bytes of the HMAC of `domain` and the normalised `raw`, as 16 lower-case hex
    /// digits.
    fn digest_hex(&self, domain: &[u8], raw: &str) -> [u8; 16] {
        let mut mac = self.keyed.clone();
        mac.update(domain);
        mac.update(normalize_id(raw).as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut hex = [0u8; 16];
        hex::encode_to_slice(&digest[..8], &mut hex).expect("8 bytes are 16 hex digits");
        hex
    }
}

/// Normalises an identifier: trimmed, and a whole number written with a zero fraction
/// (`40009.0`, `40009.00`) written as the whole number.
pub fn normalize_id(raw: &str) -> &str {
    let t = raw.trim();
    if let Some((whole, frac)) = t.split_once('.')
        && !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && !frac.is_empty()
        && frac.bytes().all(|b| b == b'0')
    {
        return whole;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_client_however_written() {
        let p = Pseudonymizer::new(b"k");
        let a = p.client("40009");
        assert_eq!(a.len(), 16);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(p.client(" 40009 "), a);
        assert_eq!(p.client("40009.0"), a);
        assert_ne!(p.client("40009.5"), a);
        assert_ne!(p.client("4000"), a);
    }

    #[test]
    fn key_and_domain_matter() {
        let p = Pseudonymizer::new(b"k");
        let q = Pseudonymizer::new(b"other key");
        assert_ne!(p.client("Ann"), q.client("Ann"));
        assert_ne!(p.client("Ann"), p.therapist("Ann"));
    }

    #[test]
    fn matches_an_independent_hmac() {
        // Computed with the hmac crate directly, over the documented message layout.
        let mut mac = HmacSha256::new_from_slice(b"secret").unwrap();
        mac.update(b"relief-client\0C-17");
        let want = hex::encode(&mac.finalize().into_bytes()[..8]);
        assert_eq!(&*Pseudonymizer::new(b"secret").client("C-17"), want);
    }

    #[test]
    fn session_pseudonyms_are_appended_in_their_own_domain() {
        let p = Pseudonymizer::new(b"secret");
        let mut mac = HmacSha256::new_from_slice(b"secret").unwrap();
        mac.update(b"relief-session\0c1|2026-10-05|Ann");
        let want = hex::encode(&mac.finalize().into_bytes()[..8]);
        let mut out = String::from("before,");
        p.session_into("c1|2026-10-05|Ann", &mut out);
        assert_eq!(out, format!("before,{want}"));
        assert_ne!(&out["before,".len()..], &*p.client("c1|2026-10-05|Ann"));
    }

    #[test]
    fn debug_hides_the_key() {
        assert_eq!(
            format!("{:?}", Pseudonymizer::new(b"secret")),
            "Pseudonymizer { .. }"
        );
    }
}
