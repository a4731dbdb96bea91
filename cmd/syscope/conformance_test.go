package main

import (
	"strings"
	"testing"
)

// The modes of the conformance test: a name (a subtest and golden file
// name, unique even on a case-insensitive file system) and the flags.
var modes = []struct {
	name string
	args []string
}{
	{"default", nil},
	{"pc", []string{"-pc"}},
	{"json", []string{"-j"}},
	{"ascii", []string{"-A"}},
	{"hexascii", []string{"-X"}},
	{"hex", []string{"-x"}},
	{"base64", []string{"-b"}},
	{"verbose", []string{"-v"}},
	{"time_abs", []string{"-t", "a"}},
	{"time_rel", []string{"-t", "r"}},
	{"time_delta", []string{"-t", "d"}},
	{"time_prev", []string{"-t", "D"}},
	{"n10", []string{"-n", "10"}},
	{"summary", []string{"-S"}},
}

// TestConformance compares syscope -r FILE FLAGS with sysdig -r FILE
// FLAGS, for every trace file and mode: stdout byte for byte, stderr
// without its timings, and the exit code. Run one file with
// go test ./cmd/syscope -run Conformance/curl_google.
func TestConformance(t *testing.T) {
	for _, name := range traceNames(t) {
		t.Run(name, func(t *testing.T) {
			for _, m := range modes {
				t.Run(m.name, func(t *testing.T) {
					t.Parallel()
					args := append([]string{"-r", tracePath(t, name)}, m.args...)
					got := runSyscope(args...)
					check(t, name+"."+m.name, args, got)
				})
			}
		})
	}
}

// TestListEvents compares -L.
func TestListEvents(t *testing.T) {
	check(t, "list-events", []string{"-L"}, runSyscope("-L"))
}

// TestCommandLine compares how both programs take command lines: option
// syntax, errors and the options that print and exit. The file is mostly
// cat_write, whose output is short.
func TestCommandLine(t *testing.T) {
	file := tracePath(t, "cat_write")
	long := tracePath(t, "psp_run_as_user_0_container") // spans seconds
	cases := []struct {
		name string
		args []string
	}{
		{"attached_r", []string{"-r" + file, "-n", "140"}},
		{"long_read_abbrev", []string{"--read=" + file, "-n", "133"}},
		{"long_readfile_word", []string{"--readfile", file, "--numevents=135"}},
		{"clustered", []string{"-qS", "-r", file}},
		{"clustered_pc", []string{"-vpc", "-r", file, "-n", "150"}},
		{"attached_n", []string{"-n150", "-r", file}},
		{"quiet", []string{"-q", "-r", file}},
		{"quiet_verbose", []string{"-q", "-v", "-r", file}},
		{"summary_n", []string{"-S", "-n", "200", "-r", file}},
		{"json_ascii", []string{"-j", "-A", "-r", file, "-n", "140"}},
		{"json_hex", []string{"-j", "-x", "-r", file, "-n", "140"}},
		{"json_base64_verbose", []string{"-jbv", "-r", file, "-n", "140"}},
		{"json_pc", []string{"-j", "-pc", "-r", file, "-n", "140"}},
		{"long_json_summary", []string{"--json", "--summary", "-r", file, "-n", "140"}},
		{"duration_M1", []string{"-M", "1", "-S", "-r", long}},
		{"duration_M2_quiet_verbose", []string{"-M2", "-qv", "-r", long}},
		{"n_negative", []string{"-n", "-1", "-r", file, "-q"}},
		{"n_huge", []string{"-n", "99999999999999999999999", "-r", file, "-q"}},
		{"n_space", []string{"-n", " 5", "-r", file}},
		{"n_zero", []string{"-n", "0", "-r", file}},
		{"n_junk", []string{"-n", "10x", "-r", file}},
		{"n_junk_summary", []string{"-S", "-n", "x", "-r", file}},
		{"t_bad", []string{"-t", "z", "-r", file}},
		{"two_buffer_formats_Ab", []string{"-A", "-b", "-r", file}},
		{"two_buffer_formats_xX", []string{"-x", "-X", "-r", file}},
		{"invalid_option", []string{"-y"}},
		{"missing_argument", []string{"-r"}},
		{"missing_long_argument", []string{"--print"}},
		{"unrecognized_long", []string{"--foo=bar"}},
		{"ambiguous_long", []string{"--re=x"}},
		{"ambiguous_v", []string{"--v"}},
		{"long_no_argument", []string{"--json=3"}},
		{"pp", []string{"-pp"}},
		{"missing_file", []string{"-r", "/nonexistent/x.scap"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := runSyscope(c.args...)
			golden := "cmdline." + c.name
			if c.name == "missing_file" {
				// The messages differ by design; the outputs and codes not.
				sd := sysdigPath(t)
				if sd == "" {
					t.Skip("needs sysdig")
				}
				want := runSysdig(t, sd, c.args...)
				if string(want.stdout) != string(got.stdout) || want.code != got.code {
					t.Errorf("sysdig: %q code %d; syscope: %q code %d", want.stdout, want.code, got.stdout, got.code)
				}
				if !strings.HasPrefix(got.stderr, "syscope: /nonexistent/x.scap: ") || strings.Count(got.stderr, "\n") != 1 {
					t.Errorf("stderr %q is not one line naming the file", got.stderr)
				}
				return
			}
			check(t, golden, c.args, got)
		})
	}
}
