package template

import (
	"math/big"
	"net/netip"
	"strconv"
)

const msgCidr = "every Fn::Cidr object requires three parameters, (1) an address block in CIDR notation, (2) the number of CIDRs to generate, between 1 and 256, and (3) the number of subnet bits for each CIDR"

// cidr is Fn::Cidr [ipBlock, count, cidrBits]: count consecutive subnets of
// the block, each with cidrBits host bits (a /24 for 8 bits in IPv4).
func (c *evalCtx) cidr(arg any, depth int) (any, error) {
	l, ok := arg.([]any)
	if !ok || len(l) != 3 {
		return nil, templateErr(msgCidr)
	}
	vals := make([]string, 3)
	for i := range vals {
		v, err := c.evalString(l[i], depth, fnCidr)
		if err != nil || isUnknown(v) {
			return v, err
		}
		vals[i] = v.(string)
	}
	prefix, err := netip.ParsePrefix(vals[0])
	count, err2 := strconv.Atoi(vals[1])
	bits, err3 := strconv.Atoi(vals[2])
	if err != nil || err2 != nil || err3 != nil || count < 1 || count > 256 {
		return nil, templateErr(msgCidr)
	}
	subnets, err := cidrSubnets(prefix.Masked(), count, bits)
	if err != nil {
		return nil, err
	}
	return subnets, nil
}

func cidrSubnets(block netip.Prefix, count, hostBits int) ([]any, error) {
	total := block.Addr().BitLen()
	newLen := total - hostBits
	if hostBits < 0 || newLen < block.Bits() || newLen > total {
		return nil, templateErr("Fn::Cidr: %d subnet bits do not fit in %s", hostBits, block)
	}
	if avail := newLen - block.Bits(); avail < 9 && count > 1<<avail {
		return nil, templateErr("Fn::Cidr: %s holds only %d subnets of /%d, not %d", block, 1<<avail, newLen, count)
	}
	start := new(big.Int).SetBytes(block.Addr().AsSlice())
	step := new(big.Int).Lsh(big.NewInt(1), uint(hostBits))
	out := make([]any, 0, count)
	for i := 0; i < count; i++ {
		n := new(big.Int).Add(start, new(big.Int).Mul(step, big.NewInt(int64(i))))
		buf := make([]byte, total/8)
		n.FillBytes(buf)
		addr, _ := netip.AddrFromSlice(buf)
		out = append(out, netip.PrefixFrom(addr, newLen).String())
	}
	return out, nil
}
