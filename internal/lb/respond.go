package lb

import (
	"bytes"
	"strconv"
	"strings"
	"time"
)

// statusText is the reason phrase for the statuses the load balancer generates.
func statusText(code int) string {
	switch code {
	case 200:
		return "OK"
	case 301:
		return "Moved Permanently"
	case 302:
		return "Found"
	case 400:
		return "Bad Request"
	case 401, 561: // 561: ALB's answer when the IdP refused a login
		return "Unauthorized"
	case 403:
		return "Forbidden"
	case 404:
		return "Not Found"
	case 500:
		return "Internal Server Error"
	case 502:
		return "Bad Gateway"
	case 503:
		return "Service Temporarily Unavailable"
	case 504:
		return "Gateway Time-out"
	}
	return "Status " + strconv.Itoa(code)
}

// errorPage is the HTML body ELB sends with the errors it generates.
func errorPage(code int) string {
	t := strconv.Itoa(code) + " " + statusText(code)
	return "<html>\r\n<head><title>" + t + "</title></head>\r\n<body>\r\n<center><h1>" + t +
		"</h1></center>\r\n</body>\r\n</html>\r\n"
}

// writeSimple writes a complete load-balancer-generated response.
func (c *clientConn) writeSimple(code int, contentType, body string, extra string, keep bool) {
	wr := &c.ex.wr
	wr.writeString("HTTP/1.1 ")
	wr.writeInt(int64(code))
	wr.writeString(" ")
	wr.writeString(statusText(code))
	set := c.settings()
	if set == nil || !set.noServer {
		wr.writeString("\r\nServer: awselb/2.0") // ALB's, unless routing.http.response.server.enabled is false
	}
	wr.writeString("\r\nDate: ")
	wr.write(time.Now().UTC().AppendFormat(wr.avail(64)[:0], "Mon, 02 Jan 2006 15:04:05 GMT"))
	wr.writeString("\r\nContent-Type: ")
	wr.writeString(contentType)
	wr.writeString("\r\nContent-Length: ")
	wr.writeInt(int64(len(body)))
	wr.writeString("\r\n")
	wr.writeString(extra)
	if set != nil {
		set.writeResponseHeaders(wr)
	}
	if !keep {
		wr.writeString("Connection: close\r\n")
		c.linger = true
	} else if c.ex.rq.minor == 0 {
		wr.writeString("Connection: keep-alive\r\n")
	}
	wr.writeString("\r\n")
	if string(c.ex.rq.method) != "HEAD" {
		wr.writeString(body)
	}
	wr.flush()
}

// settings are the attributes of the current request's listener; before a
// request was routed (a malformed head) those of the listener's routes now.
func (c *clientConn) settings() *listenerSettings {
	if c.rt != nil {
		return &c.rt.set
	}
	if rt := c.l.routes.Load(); rt != nil {
		return &rt.set
	}
	return nil
}

// badRequest answers 400 to a malformed request; the connection then closes.
func (c *clientConn) badRequest() {
	c.d.badReqs.Add(1)
	c.ex.rq.minor = 1
	c.ex.rq.method = nil
	c.writeSimple(400, "text/html", errorPage(400), "", false)
}

// elbError sends a load-balancer-generated 502/503/504 with ELB's HTML body.
func (c *clientConn) elbError(code int, keep bool) {
	c.writeSimple(code, "text/html", errorPage(code), "", keep && c.canKeep())
}

// canKeep reports whether the connection may carry another request after a response
// generated without reading the request body.
func (c *clientConn) canKeep() bool {
	rq := &c.ex.rq
	return rq.keepAlive() && !c.h2 && !rq.hasBody()
}

// skipBody consumes a request body that is already completely buffered, so the
// connection can be reused after a locally generated response.
func (c *clientConn) skipBody() bool {
	rq := &c.ex.rq
	rd := &c.ex.rd
	if rq.chunked {
		return false
	}
	n := int64(rq.headLen)
	if rq.contentLength > 0 {
		n += rq.contentLength
	}
	if int64(rd.buffered()) < n {
		return false
	}
	rd.discard(int(n))
	return true
}

// fixedResponse answers with the action's content; the body of the request is skipped
// when it is already buffered, otherwise the connection closes after the response.
func (c *clientConn) fixedResponse(a *action) bool {
	keep := c.ex.rq.keepAlive() && !c.h2 && c.skipBody()
	c.writeSimple(a.fixed.status, a.fixed.contentType, a.fixed.body, "", keep)
	return keep && c.ex.wr.err == nil
}

// redirect builds the Location from the action's fields and placeholders.
// The request's host, path and query are untrusted bytes and the Location
// is a header: a Host that is not a URI host is answered 400, and path and
// query bytes outside visible ASCII are percent-encoded, so the header only
// ever holds visible ASCII (the action's own fields were checked when it
// was configured). Placeholders expand in one pass: a request path that
// spells "#{host}" stays as it is.
func (c *clientConn) redirect(a *action, rt *routes) bool {
	rq := &c.ex.rq
	proto := "http"
	if c.https {
		proto = "https"
	}
	host := stripPort(rq.host)
	if !validURIHost(host) {
		c.badRequest()
		return false
	}
	vals := strings.NewReplacer("#{protocol}", proto, "#{host}", string(host), "#{port}", strconv.Itoa(rt.port),
		"#{path}", escapeNonVisible(bytes.TrimPrefix(rq.path, []byte("/"))), "#{query}", escapeNonVisible(rq.query))
	expand := func(tmpl, def string) string {
		if tmpl == "" {
			tmpl = def
		}
		return vals.Replace(tmpl)
	}
	r := a.redirect
	scheme := strings.ToLower(expand(r.Protocol, "#{protocol}"))
	port := expand(r.Port, "#{port}")
	loc := scheme + "://" + expand(r.Host, "#{host}")
	if !(scheme == "http" && port == "80" || scheme == "https" && port == "443") {
		loc += ":" + port
	}
	p := expand(r.Path, "/#{path}")
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	loc += p
	if q := expand(r.Query, "#{query}"); q != "" {
		loc += "?" + q
	}
	keep := rq.keepAlive() && !c.h2 && c.skipBody()
	c.writeSimple(a.code, "text/html", errorPage(a.code), "Location: "+loc+"\r\n", keep)
	return keep && c.ex.wr.err == nil
}

// validURIHost reports whether h (without its port) is a URI host: a
// reg-name of unreserved, sub-delim and percent characters, or an IP
// literal in brackets. Empty is allowed (HTTP/1.0 requests need no Host).
func validURIHost(h []byte) bool {
	for _, b := range h {
		switch {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		case strings.IndexByte("-._~%!$&'()*+,;=[]:", b) >= 0:
		default:
			return false
		}
	}
	return true
}

// escapeNonVisible percent-encodes every byte of b outside visible ASCII.
func escapeNonVisible(b []byte) string {
	const hex = "0123456789ABCDEF"
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c < 0x21 || c > 0x7e {
			out = append(out, '%', hex[c>>4], hex[c&0xf])
			continue
		}
		out = append(out, c)
	}
	return string(out)
}

// cookieValue finds a cookie in the request's first Cookie header without allocating.
func cookieValue(rq *request, name string) []byte {
	if rq.cookie == hdrNone {
		return nil
	}
	return cookieIn(rq.headers[rq.cookie].value, name)
}

// writeInt writes a decimal integer without allocating.
func (wr *writer) writeInt(n int64) {
	wr.write(strconv.AppendInt(wr.avail(24)[:0], n, 10))
}
