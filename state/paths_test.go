package state

import "testing"

func TestConcatPaths(t *testing.T) {
	cases := []struct{ dir, path, want string }{
		{"/home/u/", "file", "/home/u/file"},
		{"/home/u/", "/etc/passwd", "/etc/passwd"},
		{"/home/u/", "../x", "/home/x"},
		{"/home/u/", "./a/./b", "/home/u/a/b"},
		{"/home/u/", "a//b/", "/home/u/a/b"},
		{"/", "..", "/"},
		{"/a/b/", "..", "/a"},
		{"/home/u/", "a\x01b", "/home/u/a.b"},
		{"/", "", ""},
	}
	for _, c := range cases {
		if got := ConcatPaths(c.dir, c.path); got != c.want {
			t.Errorf("ConcatPaths(%q, %q) = %q, want %q", c.dir, c.path, got, c.want)
		}
	}
}
