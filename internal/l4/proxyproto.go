package l4

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
)

// ErrProxyHeader means bytes are not a valid PROXY protocol v2 header.
var ErrProxyHeader = errors.New("l4: invalid PROXY v2 header")

// proxySig is the PROXY protocol v2 signature (haproxy's proxy-protocol.txt, 2.2).
var proxySig = [12]byte{0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A}

// PROXY v2 commands, address families and transports.
const (
	proxyV2Local = 0x20
	proxyV2Proxy = 0x21

	proxyUnspec   = 0x00
	proxyTCP4     = 0x11
	proxyTCP6     = 0x21
	proxyHeadSize = 16
)

// ProxyHeader is a decoded PROXY protocol v2 header.
type ProxyHeader struct {
	// Local is the LOCAL command: the connection is the proxy's own (a health
	// check) and carries no client addresses.
	Local               bool
	Source, Destination netip.AddrPort // zero for LOCAL or an unspecified family
	TLVs                []ProxyTLV
}

// ProxyTLV is one type-length-value extension of a PROXY v2 header.
type ProxyTLV struct {
	Type  byte
	Value []byte
}

// AppendProxyV2 appends the PROXY v2 header of a TCP connection from src to dst
// (the listener's address), as an NLB target with proxy_protocol_v2.enabled
// receives it: IPv4 when both are IPv4, else IPv6 (IPv4 mapped), and LOCAL
// when either address is invalid.
func AppendProxyV2(b []byte, src, dst netip.AddrPort) []byte {
	b = append(b, proxySig[:]...)
	switch {
	case !src.IsValid() || !dst.IsValid():
		return append(b, proxyV2Local, proxyUnspec, 0, 0)
	case src.Addr().Is4() && dst.Addr().Is4():
		b = append(b, proxyV2Proxy, proxyTCP4, 0, 12)
		s, d := src.Addr().As4(), dst.Addr().As4()
		b = append(b, s[:]...)
		b = append(b, d[:]...)
	default:
		b = append(b, proxyV2Proxy, proxyTCP6, 0, 36)
		s, d := src.Addr().As16(), dst.Addr().As16()
		b = append(b, s[:]...)
		b = append(b, d[:]...)
	}
	b = binary.BigEndian.AppendUint16(b, src.Port())
	return binary.BigEndian.AppendUint16(b, dst.Port())
}

// ReadProxyV2 reads one PROXY v2 header from r (at most 16 + 65535 bytes, as the
// header's length field allows) and decodes it.
func ReadProxyV2(r io.Reader) (ProxyHeader, error) {
	var head [proxyHeadSize]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return ProxyHeader{}, fmt.Errorf("%w: %w", ErrProxyHeader, err)
	}
	if [12]byte(head[:12]) != proxySig {
		return ProxyHeader{}, fmt.Errorf("%w: no signature", ErrProxyHeader)
	}
	buf := make([]byte, proxyHeadSize+int(binary.BigEndian.Uint16(head[14:])))
	copy(buf, head[:])
	if _, err := io.ReadFull(r, buf[proxyHeadSize:]); err != nil {
		return ProxyHeader{}, fmt.Errorf("%w: %w", ErrProxyHeader, err)
	}
	h, _, err := ParseProxyV2(buf)
	return h, err
}

// ParseProxyV2 decodes the PROXY v2 header at the start of b and returns it with
// its length in bytes.
func ParseProxyV2(b []byte) (ProxyHeader, int, error) {
	if len(b) < proxyHeadSize {
		return ProxyHeader{}, 0, fmt.Errorf("%w: %d bytes, need %d", ErrProxyHeader, len(b), proxyHeadSize)
	}
	if [12]byte(b[:12]) != proxySig {
		return ProxyHeader{}, 0, fmt.Errorf("%w: no signature", ErrProxyHeader)
	}
	n := proxyHeadSize + int(binary.BigEndian.Uint16(b[14:]))
	if len(b) < n {
		return ProxyHeader{}, 0, fmt.Errorf("%w: %d bytes, header says %d", ErrProxyHeader, len(b), n)
	}
	var h ProxyHeader
	body := b[proxyHeadSize:n]
	switch b[12] {
	case proxyV2Local:
		h.Local = true
	case proxyV2Proxy:
	default:
		return ProxyHeader{}, 0, fmt.Errorf("%w: version/command 0x%02x", ErrProxyHeader, b[12])
	}
	var addrLen int
	switch family := b[13] >> 4; family {
	case 0: // AF_UNSPEC: no addresses
	case 1: // AF_INET
		addrLen = 12
	case 2: // AF_INET6
		addrLen = 36
	case 3: // AF_UNIX: two 108-byte paths, not used by NLB; skipped
		addrLen = 216
	default:
		return ProxyHeader{}, 0, fmt.Errorf("%w: address family %d", ErrProxyHeader, family)
	}
	if t := b[13] & 0x0f; t > 2 {
		return ProxyHeader{}, 0, fmt.Errorf("%w: transport %d", ErrProxyHeader, t)
	}
	if len(body) < addrLen {
		return ProxyHeader{}, 0, fmt.Errorf("%w: addresses need %d bytes, have %d", ErrProxyHeader, addrLen, len(body))
	}
	if !h.Local {
		switch addrLen {
		case 12:
			h.Source = netip.AddrPortFrom(netip.AddrFrom4([4]byte(body[0:4])), binary.BigEndian.Uint16(body[8:]))
			h.Destination = netip.AddrPortFrom(netip.AddrFrom4([4]byte(body[4:8])), binary.BigEndian.Uint16(body[10:]))
		case 36:
			h.Source = netip.AddrPortFrom(netip.AddrFrom16([16]byte(body[0:16])).Unmap(), binary.BigEndian.Uint16(body[32:]))
			h.Destination = netip.AddrPortFrom(netip.AddrFrom16([16]byte(body[16:32])).Unmap(), binary.BigEndian.Uint16(body[34:]))
		}
	}
	for rest := body[addrLen:]; len(rest) > 0; {
		if len(rest) < 3 {
			return ProxyHeader{}, 0, fmt.Errorf("%w: truncated TLV", ErrProxyHeader)
		}
		l := 3 + int(binary.BigEndian.Uint16(rest[1:3]))
		if len(rest) < l {
			return ProxyHeader{}, 0, fmt.Errorf("%w: TLV of %d bytes, %d left", ErrProxyHeader, l, len(rest))
		}
		h.TLVs = append(h.TLVs, ProxyTLV{Type: rest[0], Value: rest[3:l:l]})
		rest = rest[l:]
	}
	return h, n, nil
}
