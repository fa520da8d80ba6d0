package httpfetch

import (
	"net"
	"net/netip"
	"syscall"
)

// blockedPrefixes are the networks a fetch must never reach when private
// addresses are not allowed. net.IP.IsPrivate misses several of them
// (link-local, CGNAT, NAT64, IPv4-mapped), so the list is explicit.
var blockedPrefixes = mustPrefixes(
	// IPv4
	"0.0.0.0/8",       // "this network"; 0.0.0.0 reaches the local host on Linux
	"10.0.0.0/8",      // private
	"100.64.0.0/10",   // CGNAT: carrier or cloud internal networks
	"127.0.0.0/8",     // loopback
	"169.254.0.0/16",  // link-local: cloud metadata endpoints live here
	"172.16.0.0/12",   // private
	"192.0.0.0/24",    // IETF protocol assignments
	"192.0.2.0/24",    // documentation
	"192.168.0.0/16",  // private
	"198.18.0.0/15",   // benchmarking, sometimes used for internal networks
	"198.51.100.0/24", // documentation
	"203.0.113.0/24",  // documentation
	"224.0.0.0/4",     // multicast
	"240.0.0.0/4",     // reserved, includes 255.255.255.255 broadcast
	// IPv6
	"::/128",         // unspecified
	"::1/128",        // loopback
	"::ffff:0:0/96",  // IPv4-mapped: would hide any IPv4 address from the checks above
	"64:ff9b::/96",   // NAT64 well-known prefix: embeds an IPv4 address
	"64:ff9b:1::/48", // NAT64 local-use prefix
	"100::/64",       // discard-only
	"2001:db8::/32",  // documentation
	"fc00::/7",       // unique local (private)
	"fe80::/10",      // link-local
	"fec0::/10",      // site-local (deprecated, still routed by some stacks)
	"ff00::/8",       // multicast
)

func mustPrefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, 0, len(ss))
	for _, s := range ss {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}

// IsBlockedAddr reports whether addr is an address a fetch must not connect
// to unless Options.AllowPrivate is set: loopback, private, link-local,
// CGNAT, multicast, unspecified, reserved, IPv4-mapped IPv6 and NAT64.
// An invalid address is blocked: what cannot be classified is not trusted.
func IsBlockedAddr(addr netip.Addr) bool {
	if !addr.IsValid() {
		return true
	}
	addr = addr.WithZone("")
	for _, p := range blockedPrefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// controlBlockPrivate is a net.Dialer.Control hook. It runs on the address
// actually being dialled, after DNS resolution, so it covers every redirect
// hop and DNS rebinding (a name that resolves to a public address when
// checked and to a private one when dialled), which a check on the URL's
// host name cannot.
func controlBlockPrivate(_, address string, _ syscall.RawConn) error {
	// The dialler wraps this error in a *net.OpError that names the
	// network and address already.
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return ErrBlockedAddress
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || IsBlockedAddr(addr) {
		return ErrBlockedAddress
	}
	return nil
}
