package fields

import (
	"bytes"
	"os"
	"testing"
)

// TestDescribe compares Describe with sysdig -l and -lv, kept in
// testdata (see TestGolden for how they are checked against sysdig).
func TestDescribe(t *testing.T) {
	for _, c := range []struct {
		file    string
		verbose bool
	}{{"testdata/sysdig-l.txt", false}, {"testdata/sysdig-lv.txt", true}} {
		want, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := Describe(&got, c.verbose); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s: %s", c.file, diff(result{Out: string(want)}, result{Out: got.String()}))
		}
	}
}

// TestDescribeMarkdown compares DescribeMarkdown with sysdig
// --list-markdown, kept in testdata like -l.
func TestDescribeMarkdown(t *testing.T) {
	want, err := os.ReadFile("testdata/sysdig-list-markdown.txt")
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := DescribeMarkdown(&got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("--list-markdown: %s", diff(result{Out: string(want)}, result{Out: got.String()}))
	}
}
