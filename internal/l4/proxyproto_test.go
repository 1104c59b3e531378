package l4

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
)

func TestProxyV2EncodingIsHAProxysFormat(t *testing.T) {
	src, dst := netip.MustParseAddrPort("10.0.0.1:40000"), netip.MustParseAddrPort("10.0.0.2:443")
	got := AppendProxyV2(nil, src, dst)
	want := append(append([]byte{}, proxySig[:]...), 0x21, 0x11, 0, 12, 10, 0, 0, 1, 10, 0, 0, 2, 0x9c, 0x40, 0x01, 0xbb)
	if !bytes.Equal(got, want) {
		t.Fatalf("header\n%x\nwant\n%x", got, want)
	}
	h, err := ReadProxyV2(bytes.NewReader(append(got, "payload"...)))
	if err != nil || h.Source != src || h.Destination != dst || h.Local {
		t.Fatalf("decoded %+v, %v", h, err)
	}
	v6 := AppendProxyV2(nil, netip.MustParseAddrPort("[2001:db8::1]:1"), dst)
	if h, _, err := ParseProxyV2(v6); err != nil || v6[13] != proxyTCP6 || h.Destination != dst || h.Source.Addr().String() != "2001:db8::1" {
		t.Fatalf("IPv6 header %+v, %v", h, err)
	}
	if h, _, err := ParseProxyV2(AppendProxyV2(nil, netip.AddrPort{}, dst)); err != nil || !h.Local {
		t.Fatalf("LOCAL header %+v, %v", h, err)
	}
}

func TestProxyV2DecoderRefusesMalformedHeaders(t *testing.T) {
	good := AppendProxyV2(nil, netip.MustParseAddrPort("1.2.3.4:5"), netip.MustParseAddrPort("6.7.8.9:10"))
	bad := map[string][]byte{
		"short":     good[:10],
		"signature": append([]byte("GET / HTTP/1.1\r\n"), good[16:]...),
		"version":   append(append(append([]byte{}, good[:12]...), 0x11), good[13:]...),
		"truncated": good[:len(good)-1],
		"family":    append(append(append([]byte{}, good[:13]...), 0x51), good[14:]...),
		"tlv":       append(append(append([]byte{}, good[:14]...), 0, 14), append(good[16:], 1, 0)...),
	}
	for name, b := range bad {
		if _, _, err := ParseProxyV2(b); !errors.Is(err, ErrProxyHeader) {
			t.Errorf("%s: %v, want ErrProxyHeader", name, err)
		}
	}
}

func FuzzProxyV2(f *testing.F) {
	f.Add([]byte{10, 0, 0, 1}, uint16(1), []byte{10, 0, 0, 2}, uint16(2), []byte{})
	f.Add(make([]byte, 16), uint16(443), []byte{127, 0, 0, 1}, uint16(80), []byte{0x21, 0x11, 0, 12})
	f.Fuzz(func(t *testing.T, sa []byte, sp uint16, da []byte, dp uint16, raw []byte) {
		src, _ := netip.AddrFromSlice(sa)
		dst, _ := netip.AddrFromSlice(da)
		s, d := netip.AddrPortFrom(src.Unmap(), sp), netip.AddrPortFrom(dst.Unmap(), dp)
		enc := AppendProxyV2(nil, s, d)
		h, n, err := ParseProxyV2(enc)
		if err != nil || n != len(enc) {
			t.Fatalf("our own header %x: %v (n %d)", enc, err, n)
		}
		if s.IsValid() && d.IsValid() && (h.Source != s || h.Destination != d) {
			t.Fatalf("round trip %s %s became %s %s", s, d, h.Source, h.Destination)
		}
		// Arbitrary bytes after the signature: never a panic, and a header that
		// parses says a length within the input.
		in := append(append([]byte{}, proxySig[:]...), raw...)
		if _, n, err := ParseProxyV2(in); err == nil && (n < proxyHeadSize || n > len(in)) {
			t.Fatalf("parsed length %d of %d bytes", n, len(in))
		}
		if _, err := ReadProxyV2(bytes.NewReader(in)); err != nil && !errors.Is(err, ErrProxyHeader) {
			t.Fatalf("ReadProxyV2 error %v is not ErrProxyHeader", err)
		}
	})
}
