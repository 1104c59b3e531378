package logfilter

import (
	"errors"
	"testing"
)

func TestMatch(t *testing.T) {
	const apache = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534`
	cases := []struct {
		pattern string
		msg     string
		want    bool
	}{
		{"", "anything", true},
		{`" "`, "anything", true},
		{"ERROR", "[ERROR 400] BAD REQUEST", true},
		{"ERROR", "[error 400] bad request", false},
		{"ERROR ARGUMENTS", "[ERROR] bad ARGUMENTS", true},
		{"ERROR ARGUMENTS", "[ERROR] bad args", false},
		{"?ERROR ?WARN", "WARN disk low", true},
		{"?ERROR ?WARN", "INFO all fine", false},
		{"ERROR -Exiting", "ERROR retrying", true},
		{"ERROR -Exiting", "ERROR Exiting now", false},
		{`-"not found"`, "found it", true},
		{`-"not found"`, "file not found", false},
		{`"INTERNAL SERVER ERROR"`, "500 INTERNAL SERVER ERROR", true},
		{`"INTERNAL SERVER ERROR"`, "500 INTERNAL ERROR SERVER", false},
		{`"say \"hi\""`, `they say "hi"`, true},
		{`%AUTHORIZED%`, "[SUCCESS 200] AUTHORIZED REQUEST", true},
		{`%^\[ERROR%`, "[ERROR 1]", true},
		{`%^\[ERROR%`, "x [ERROR 1]", false},

		{`{ $.level = "error" }`, `{"level":"error","msg":"boom"}`, true},
		{`{ $.level = "error" }`, `{"level":"info"}`, false},
		{`{ $.level = "error" }`, `level=error`, false},
		{`{ $.level = error }`, `{"level":"error"}`, true},
		{`{ $.eventType = "*Trail" }`, `{"eventType":"UpdateTrail"}`, true},
		{`{ $.sourceIPAddress != 123.123.* }`, `{"sourceIPAddress":"10.0.0.1"}`, true},
		{`{ $.sourceIPAddress != 123.123.* }`, `{"sourceIPAddress":"123.123.0.1"}`, false},
		{`{ $.sourceIPAddress != 123.123.* }`, `{"other":1}`, false},
		{`{ $.latency > 500 }`, `{"latency":750}`, true},
		{`{ $.latency > 500 }`, `{"latency":250}`, false},
		{`{ $.latency >= 500 }`, `{"latency":500.0}`, true},
		{`{ $.latency < 1e3 }`, `{"latency":"5"}`, false},
		{`{ $.code = 200 }`, `{"code":200}`, true},
		{`{ $.code = 200 }`, `{"code":"200"}`, true},
		{`{ $.user.id = 1 }`, `{"user":{"id":1}}`, true},
		{`{ $.users[1].email = "b@x.com" }`, `{"users":[{"email":"a@x.com"},{"email":"b@x.com"}]}`, true},
		{`{ $.users[5].email = "b@x.com" }`, `{"users":[]}`, false},
		{`{ $.flag IS TRUE }`, `{"flag":true}`, true},
		{`{ $.flag IS FALSE }`, `{"flag":true}`, false},
		{`{ $.thing IS NULL }`, `{"thing":null}`, true},
		{`{ $.thing IS NULL }`, `{}`, false},
		{`{ $.thing NOT EXISTS }`, `{}`, true},
		{`{ $.thing NOT EXISTS }`, `{"thing":1}`, false},
		{`{ ($.a = 1) && ($.b = 2) }`, `{"a":1,"b":2}`, true},
		{`{ ($.a = 1) && ($.b = 2) }`, `{"a":1,"b":3}`, false},
		{`{ ($.a = 2 && $.b = "x") || $.c[2] = "GET" }`, `{"a":1,"c":["","","GET"]}`, true},
		{`{ $.a = 1 || $.b = 1 && $.c = 1 }`, `{"a":1}`, true},
		{`{ $.msg = %time?out% }`, `{"msg":"timeout"}`, true},

		{`[ip, user, username, timestamp, request, status_code, bytes]`, apache, true},
		{`[ip, user, username, timestamp, request, status_code = 404, bytes]`, apache, true},
		{`[ip, user, username, timestamp, request, status_code = 200, bytes]`, apache, false},
		{`[ip, user, username, timestamp, request = "*.gif*", status_code = 4*, bytes > 1000]`, apache, true},
		{`[ip, user, username, timestamp, request, status_code = 404 || status_code = 410, bytes]`, apache, true},
		{`[..., status_code = 404, bytes]`, apache, true},
		{`[ip, ..., bytes < 100]`, apache, false},
		{`[ip, user, username]`, apache, false},
		{`[timestamp = "10/Oct/2000:13:25:15 -0700", ...]`, `10/Oct/2000:13:25:15 x`, false},
		{`[ip, user, username, timestamp = "10/Oct/2000:13:25:15 -0700", ...]`, apache, true},
	}
	for _, c := range cases {
		p, err := Compile(c.pattern)
		if err != nil {
			t.Errorf("Compile(%q): %v", c.pattern, err)
			continue
		}
		if got := p.Match([]byte(c.msg)); got != c.want {
			t.Errorf("%q matching %q = %v, want %v", c.pattern, c.msg, got, c.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, pattern := range []string{
		`"unterminated`,
		`{ $.level = "error" `,
		`{ level = "error" }`,
		`{ $.latency > fast }`,
		`{ $.a = 1 && }`,
		`{ $.a IS MAYBE }`,
		`{ $.a = 1 } junk`,
		`[a, b`,
		`[a, a]`,
		`[a, b = 1 c]`,
		`[a, b, c = 1 || d = 2]`,
		`%(a)%`,
		`%unterminated`,
		`{ $.a = %x% || $.b = %y% || $.c = %z% }`,
		`ab"cd`,
		string(make([]byte, MaxLength+1)),
	} {
		_, err := Compile(pattern)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Compile(%q) = %v, want a SyntaxError", pattern, err)
		}
	}
}
