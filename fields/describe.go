package fields

import (
	"bufio"
	"io"
	"strings"
)

// Describe writes the field list as sysdig -l prints it, or, with
// verbose, as sysdig -lv does (with each field's type). It lists every
// class sysdig 0.29.3 lists, including those whose fields syscope cannot
// fill (syslog is filled; k8s, mesos, span and evtin never have values).
func Describe(w io.Writer, verbose bool) error {
	bw := bufio.NewWriter(w)
	for _, c := range Classes() {
		if c.Hidden {
			continue
		}
		describeClass(bw, c, verbose)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// Widths of gen_event_filter_factory::filter_fieldclass_info::as_string.
const (
	rightBlock = 30
	lineWidth  = 120
)

func describeClass(w *bufio.Writer, c *Class, verbose bool) {
	w.WriteString("-------------------------------\n")
	pad(w, "Field Class:")
	w.WriteString(c.Name)
	if c.ShortDesc != "" {
		w.WriteString(" (" + c.ShortDesc + ")")
	}
	w.WriteByte('\n')
	if c.Desc != "" {
		pad(w, "Description:")
		wrap(w, c.Desc)
		w.WriteByte('\n')
	}
	w.WriteByte('\n')
	for _, f := range c.Fields {
		if f.Flags&(FlagPrintOnly|FlagTableOnly) != 0 {
			continue
		}
		if len(f.Name) > rightBlock {
			w.WriteString(f.Name)
			w.WriteByte('\n')
			pad(w, "")
		} else {
			pad(w, f.Name)
		}
		desc := f.Desc
		if f.Flags&FlagFilterOnly != 0 {
			desc = "(FILTER ONLY) " + desc
		}
		if verbose {
			desc = "(Type: " + f.Type + ") " + desc
		}
		wrap(w, desc)
		w.WriteByte('\n')
	}
}

// pad writes s left-aligned in the left block.
func pad(w *bufio.Writer, s string) {
	w.WriteString(s)
	for i := len(s); i < rightBlock; i++ {
		w.WriteByte(' ')
	}
}

// wrap is filter_fieldclass_info::wrapstring: the words of s, each
// followed by a space, in lines of at most 90 characters after the left
// block.
func wrap(w *bufio.Writer, s string) {
	n := 0
	for _, word := range strings.Fields(s) {
		l := len(word) + 1
		if n+l <= lineWidth-rightBlock {
			n += l
		} else {
			w.WriteByte('\n')
			pad(w, "")
			n = l
		}
		w.WriteString(word)
		w.WriteByte(' ')
	}
}

// DescribeMarkdown writes the field list as sysdig --list-markdown prints
// it (libsinsp's list_fields_markdown): for each class -l lists, its name
// and description, then a table of its fields' names, types and
// descriptions.
func DescribeMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, c := range Classes() {
		if c.Hidden {
			continue
		}
		bw.WriteString("\n## Field Class: " + c.Name + "\n\n")
		bw.WriteString(c.Desc + "\n\n")
		bw.WriteString("Name | Type | Description\n")
		bw.WriteString(":----|:-----|:-----------\n")
		for _, f := range c.Fields {
			if f.Flags&(FlagPrintOnly|FlagTableOnly) != 0 {
				continue
			}
			bw.WriteString("`" + f.Name + "` | " + f.Type + " | " + f.Desc + "\n")
		}
	}
	return bw.Flush()
}
