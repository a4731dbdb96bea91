package filter

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/syscope/syscope/fields"
)

// TestGlobFnmatch checks globMatch against glibc's fnmatch(3):
// testdata/fnmatch.json holds [pattern, string, casefold, matches] as
// fnmatch(pattern, string, casefold ? FNM_CASEFOLD : 0) == 0 answered
// (called through Python's ctypes on Debian 12).
func TestGlobFnmatch(t *testing.T) {
	b, err := os.ReadFile("testdata/fnmatch.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases [][4]any
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		pat, s, fold, want := c[0].(string), c[1].(string), c[2].(bool), c[3].(bool)
		if got := globMatch([]byte(pat), []byte(s), fold); got != want {
			t.Errorf("glob(%q, %q, fold=%v) = %v, fnmatch says %v", pat, s, fold, got, want)
		}
	}
}

func TestPmatch(t *testing.T) {
	test := pmatchTest([]*Value{{Text: "/etc"}, {Text: "/usr/lib/"}, {Text: "var//run"}})
	for _, c := range []struct {
		path string
		want bool
	}{
		{"/etc", true},
		{"/etc/", true},
		{"/etc/passwd", true},
		{"//etc//passwd", true},
		{"etc/passwd", true},
		{"/etcetera", false},
		{"/usr", false},
		{"/usr/lib", true},
		{"/usr/lib64", false},
		{"/usr/lib/x86_64/libc.so", true},
		{"/var/run/docker.sock", true},
		{"/var/lib", false},
		{"/", false},
		{"", false},
	} {
		v := fields.Value{Kind: fields.KindString, Str: []byte(c.path)}
		if got := test(&v); got != c.want {
			t.Errorf("%q pmatch (/etc, /usr/lib/, var//run) = %v, want %v", c.path, got, c.want)
		}
	}
	// The root holds every path.
	root := pmatchTest([]*Value{{Text: "/"}})
	for _, p := range []string{"/", "", "/x/y", "relative"} {
		v := fields.Value{Kind: fields.KindString, Str: []byte(p)}
		if !root(&v) {
			t.Errorf("%q pmatch (/) = false", p)
		}
	}
}

func TestContainsFold(t *testing.T) {
	for _, c := range []struct {
		s, sub string
		want   bool
	}{
		{"/ETC/passwd", "/etc", true},
		{"/etc/PASSWD", "passwd", true},
		{"abc", "", true},
		{"", "a", false},
		{"ab", "abc", false},
		{"xAxAb", "aab", false},
		{"xAAb", "aab", true},
		{"É", "é", false}, // ASCII only, as in the C locale
	} {
		if got := containsFold([]byte(c.s), asciiLower([]byte(c.sub))); got != c.want {
			t.Errorf("containsFold(%q, %q) = %v", c.s, c.sub, got)
		}
	}
}
