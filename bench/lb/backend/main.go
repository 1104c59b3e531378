// Command backend is a deliberately minimal HTTP/1.1 keep-alive server for load-balancer
// benchmarks: it answers every request with a fixed 13-byte body, so the proxy in front
// of it, not the backend, is what a benchmark measures.
package main

import (
	"bytes"
	"flag"
	"log"
	"net"
	"strconv"
)

const response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!"

func main() {
	addr := flag.String("addr", "127.0.0.1:18080", "listen address")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go serve(c)
	}
}

// serve answers each complete request head (and skips a Content-Length body);
// pipelined requests get their responses in one write.
func serve(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 16<<10)
	out := make([]byte, 0, 4096)
	n := 0
	for {
		m, err := c.Read(buf[n:])
		if m == 0 || err != nil {
			return
		}
		n += m
		p := 0
		out = out[:0]
		for {
			end := bytes.Index(buf[p:n], []byte("\r\n\r\n"))
			if end < 0 {
				break
			}
			head := buf[p : p+end]
			p += end + 4
			p += bodyLen(head)
			out = append(out, response...)
		}
		if len(out) > 0 {
			if _, err := c.Write(out); err != nil {
				return
			}
		}
		if p > n {
			return // body larger than the buffer: not a benchmark request
		}
		n = copy(buf, buf[p:n])
		if n == len(buf) {
			return
		}
	}
}

// bodyLen returns the request's Content-Length. GET and HEAD are assumed bodyless so
// the common case costs nothing per header byte (proxies add different headers, and
// the backend must not charge one more than another for that).
func bodyLen(head []byte) int {
	if bytes.HasPrefix(head, []byte("GET ")) || bytes.HasPrefix(head, []byte("HEAD ")) {
		return 0
	}
	for _, line := range bytes.Split(head, []byte("\r\n")) {
		if len(line) > 15 && bytes.EqualFold(line[:15], []byte("content-length:")) {
			n, _ := strconv.Atoi(string(bytes.TrimSpace(line[15:])))
			return n
		}
	}
	return 0
}
