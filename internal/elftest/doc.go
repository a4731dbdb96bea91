// Package elftest builds small static x86-64 executables for tests, with
// no compiler: one PT_LOAD segment, the code as given, and optionally a
// .text section and a .symtab naming functions in it.
package elftest
