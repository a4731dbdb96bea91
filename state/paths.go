package state

// ConcatPaths joins a directory and a path the way sysdig does: a relative
// path is appended to dir (which should end in '/'), then "./", "../" and
// repeated separators are resolved, unprintable bytes become '.', and a
// trailing '/' is dropped. An absolute or empty path ignores dir.
func ConcatPaths(dir, path string) string {
	buf := make([]byte, 0, len(dir)+len(path))
	base := 0
	if len(path) != 0 && path[0] != '/' {
		buf = append(buf, dir...)
	}
	return string(AppendPath(buf, base, path))
}

func invalidPathChar(c byte) bool { return c < 0x20 || c >= 0x7f }

// AppendPath appends path to t as sysdig's copy_and_sanitize_path does,
// resolving "./", "../" and repeated separators, replacing unprintable
// bytes with '.' and dropping a trailing '/'. base is the index in t that
// "../" may not rewind past.
func AppendPath[S ~string | ~[]byte](t []byte, base int, path S) []byte {
	p := 0
	at := func(i int) byte {
		if i < len(path) {
			return path[i]
		}
		return 0
	}
	rewind := func(delta int) {
		if len(t) <= base+1 {
			p += delta
			return
		}
		t = t[:len(t)-1]
		for len(t) >= base+1 && t[len(t)-1] != '/' {
			t = t[:len(t)-1]
		}
		p += delta
	}
	for {
		c := at(p)
		if c == 0 {
			if len(t) > base+1 && t[len(t)-1] == '/' {
				t = t[:len(t)-1]
			}
			return t
		}
		switch {
		case invalidPathChar(c):
			t = append(t, '.')
			p++
		case c == '.' && at(p+1) == '.' && at(p+2) == '/':
			rewind(3)
		case c == '.' && at(p+1) == '.':
			if at(p+2) == 0 {
				rewind(2)
			} else {
				t = append(t, '.', '.')
				p += 2
			}
		case c == '.' && at(p+1) == '/':
			p += 2
		case c == '.':
			if at(p+1) == 0 {
				p++
			} else {
				t = append(t, '.')
				p++
			}
		case c == '/':
			if len(t) > base && t[len(t)-1] == '/' {
				p++
			} else {
				t = append(t, '/')
				p++
			}
		default:
			t = append(t, c)
			p++
		}
	}
}
