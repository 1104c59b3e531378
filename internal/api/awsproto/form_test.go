package awsproto

import (
	"net/url"
	"slices"
	"testing"
)

func TestFormReadsFlattenedQuery(t *testing.T) {
	v, err := url.ParseQuery("Name=web&Names.member.2=b&Names.member.1=a&Names.member.x=bad" +
		"&Targets.member.1.Id=i-1&Targets.member.1.Port=80&Targets.member.10.Id=i-10&Matcher.HttpCode=200&Empty=")
	if err != nil {
		t.Fatal(err)
	}
	f := NewForm(v)
	if f.Str("Name") != "web" || f.Str("Missing") != "" {
		t.Fatalf("Str: %q %q", f.Str("Name"), f.Str("Missing"))
	}
	if p := f.StrPtr("Empty"); p == nil || *p != "" {
		t.Fatalf("StrPtr(Empty) = %v, want empty string", p)
	}
	if f.StrPtr("Missing") != nil {
		t.Fatal("StrPtr(Missing) != nil")
	}
	if !f.Has("Names") || !f.Has("Matcher") || !f.Has("Empty") || f.Has("Nam") {
		t.Fatal("Has answers wrong")
	}
	if got := f.StrList("Names"); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("StrList = %v", got)
	}
	targets := f.List("Targets")
	if len(targets) != 2 || targets[0].Str("Id") != "i-1" || targets[0].Str("Port") != "80" || targets[1].Str("Id") != "i-10" {
		t.Fatalf("List = %+v", targets)
	}
	if m := f.Sub("Matcher"); m.Str("HttpCode") != "200" || m.Key("HttpCode") != "Matcher.HttpCode" {
		t.Fatalf("Sub: %q %q", m.Str("HttpCode"), m.Key("HttpCode"))
	}
}
