//! The client's address (SPEC H6): the socket peer, unless the peer is one of
//! `QUIRE_TRUSTED_PROXIES`; then the right-most address of `X-Forwarded-For` that is not a
//! trusted proxy. Everything that counts or records addresses (throttling, sessions, the
//! audit log) asks here, so a proxy in front of Quire never makes every client one address,
//! and a client can never choose its own address by sending the header itself.

use std::net::IpAddr;

use actix_web::HttpRequest;
use ipnet::IpNet;

/// The client address of `req` under `trusted`.
pub fn of_request(req: &HttpRequest, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = req.peer_addr().map(|a| a.ip());
    if trusted.is_empty() {
        return peer;
    }
    // Several headers are one list, in order (RFC 9110 §5.3).
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect();
    resolve(peer, &forwarded.join(","), trusted)
}

/// The rule, without HTTP: walk from the peer leftwards through `forwarded` while the hop
/// is trusted. An entry that is not an address was written by someone untrusted; the
/// trusted hop that passed it on is then the best known client.
pub fn resolve(peer: Option<IpAddr>, forwarded: &str, trusted: &[IpNet]) -> Option<IpAddr> {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer?;
    if !is_trusted(&client) {
        return Some(client);
    }
    for hop in forwarded
        .rsplit(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
    {
        let Ok(ip) = hop.parse::<IpAddr>() else {
            return Some(client);
        };
        client = ip;
        if !is_trusted(&client) {
            return Some(client);
        }
    }
    Some(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    fn nets(s: &str) -> Vec<IpNet> {
        crate::config::parse_cidrs(s).unwrap()
    }

    #[test]
    fn untrusted_peers_are_the_client_whatever_they_send() {
        assert_eq!(
            resolve(ip("203.0.113.9"), "1.2.3.4", &[]),
            ip("203.0.113.9")
        );
        let trusted = nets("10.0.0.0/8");
        assert_eq!(
            resolve(ip("203.0.113.9"), "1.2.3.4", &trusted),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() {
        let trusted = nets("10.0.0.0/8");
        let rows = [
            ("198.51.100.7", "198.51.100.7"),
            ("6.6.6.6, 198.51.100.7", "198.51.100.7"),
            ("6.6.6.6, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
            ("10.0.0.3, 10.0.0.2", "10.0.0.3"),
            ("", "10.0.0.1"),
            ("6.6.6.6, not-an-address, 10.0.0.2", "10.0.0.2"),
            ("2001:db8::1", "2001:db8::1"),
        ];
        for (forwarded, want) in rows {
            assert_eq!(
                resolve(ip("10.0.0.1"), forwarded, &trusted),
                ip(want),
                "{forwarded}"
            );
        }
    }

    #[test]
    fn no_peer_no_address() {
        assert_eq!(resolve(None, "1.2.3.4", &nets("0.0.0.0/0")), None);
    }
}
