package lb

import (
	"bufio"
	"bytes"
	"net"
	"strconv"
	"testing"
	"time"
)

// startRawBackend is a minimal keep-alive HTTP/1.1 server so that benchmarks measure
// the proxy rather than net/http.
func startRawBackend(tb testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				resp := []byte("HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!")
				buf := make([]byte, 8192)
				n := 0
				for {
					m, err := c.Read(buf[n:])
					if m == 0 || err != nil {
						return
					}
					n += m
					for {
						i := bytes.Index(buf[:n], []byte("\r\n\r\n"))
						if i < 0 {
							break
						}
						n = copy(buf, buf[i+4:n])
						c.Write(resp)
					}
				}
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

// BenchmarkProxyHotPath measures one keep-alive GET through the listener, in
// process: with ELB's default attributes, and with the load balancer's and
// listener's attributes that change requests and responses turned on.
func BenchmarkProxyHotPath(b *testing.B) {
	b.Run("defaults", func(b *testing.B) { benchProxy(b, LoadBalancer{}, nil) })
	b.Run("attributes", func(b *testing.B) {
		benchProxy(b, LoadBalancer{XFFClientPort: true, DropInvalidHeaderFields: true, ClientKeepAlive: time.Hour},
			[]HeaderField{{"Strict-Transport-Security", "max-age=31536000"}, {"X-Content-Type-Options", "nosniff"}})
	})
}

func benchProxy(b *testing.B, set LoadBalancer, headers []HeaderField) {
	bport := startRawBackend(b)
	d := newDP(b, Options{})
	port := freePort(b)
	tg := TargetGroup{ARN: "tg", Protocol: "HTTP", Targets: []Target{{ID: "127.0.0.1", Host: "127.0.0.1", Port: bport}}}
	set.ARN = "alb"
	l := httpListener(port, forward("tg"))
	l.LoadBalancerARN, l.ResponseHeaders = set.ARN, headers
	apply(b, d, Config{Version: 1, Listeners: []Listener{l}, TargetGroups: []TargetGroup{tg}, LoadBalancers: []LoadBalancer{set}})
	req := []byte("GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n")
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close()
		br := bufio.NewReader(c)
		for pb.Next() {
			c.Write(req)
			if err := readOne(br); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// readOne reads one Content-Length response.
func readOne(br *bufio.Reader) error {
	cl := 0
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) <= 2 {
			break
		}
		if len(line) > 15 && bytes.EqualFold(line[:15], []byte("content-length:")) {
			cl, _ = strconv.Atoi(string(bytes.TrimSpace(line[15:])))
		}
	}
	_, err := br.Discard(cl)
	return err
}

// BenchmarkParseRequest measures the HTTP/1.1 request head parser alone.
func BenchmarkParseRequest(b *testing.B) {
	raw := []byte("GET /api/v1/items?id=42 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\nAccept-Encoding: gzip\r\nCookie: a=b; AWSALB=xyz\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n")
	var rq request
	rq.headers = make([]header, 0, 32)
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if err := parseRequest(raw, &rq); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRuleMatch measures routing through 50 rules where the last one matches.
func BenchmarkRuleMatch(b *testing.B) {
	var rules []Rule
	for i := 0; i < 50; i++ {
		rules = append(rules, Rule{ARN: "r" + strconv.Itoa(i), Priority: i + 1, Actions: []Action{{Type: "fixed-response", FixedResponse: &FixedResponse{StatusCode: "200"}}},
			Conditions: []Condition{
				{Field: "host-header", Values: []string{"*.svc" + strconv.Itoa(i) + ".example.com"}},
				{Field: "path-pattern", Values: []string{"/api/v" + strconv.Itoa(i) + "/*"}},
			}})
	}
	rules[49].Conditions = []Condition{{Field: "host-header", Values: []string{"*.example.com"}}, {Field: "path-pattern", Values: []string{"/api/*/items"}},
		{Field: "http-request-method", Values: []string{"GET"}}, {Field: "query-string", Query: []KeyValue{{Key: "id", Value: "4?"}}}}
	rt := compileRoutes(1, &Listener{Port: 80, Rules: rules, DefaultActions: []Action{{Type: "fixed-response", FixedResponse: &FixedResponse{StatusCode: "404"}}}}, &compiler{})
	raw := []byte("GET /api/v1/items?id=42 HTTP/1.1\r\nHost: www.example.com\r\n\r\n")
	var rq request
	rq.headers = make([]header, 0, 32)
	if err := parseRequest(raw, &rq); err != nil {
		b.Fatal(err)
	}
	v := &matchView{rq: &rq}
	if rt.route(v) != rt.rules[49].act {
		b.Fatal("wrong rule")
	}
	b.ReportAllocs()
	for b.Loop() {
		rt.route(v)
	}
}
