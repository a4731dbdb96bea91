package testvm

import "fmt"

// StartSyscope is the part of a guest script that starts cmd, a syscope
// command line with its redirections, in the background as $pid, and
// waits until its probe is attached, so that the events are kept from then
// on. It looks once a second, at the BPF links syscope holds
// (anon_inode:bpf_link in /proc/$pid/fd): the guest's one emulated CPU is
// busy verifying the probe until then. With links > 0 the probe is
// attached once syscope holds that many (probe.Tracepoints of its
// options); with links = 0, once the count is above 0 and the same three
// looks in a row. If syscope exits first, or is not attached after 300
// looks, the script prints log (where syscope's messages go) and exits 1.
// After it, $links is the count of links.
func StartSyscope(cmd, log string, links int) string {
	attached := fmt.Sprintf(`[ "$links" -ge %d ]`, links)
	if links <= 0 {
		attached = `if [ "$links" -gt 0 ] && [ "$links" = "$last" ]; then same=$((same+1)); else same=0; fi
	last=$links
	[ $same -ge 3 ]`
	}
	return fmt.Sprintf(`
%[1]s &
pid=$!
attached() {
	links=$(ls -l /proc/$pid/fd 2>/dev/null | grep -c bpf_link)
	%[3]s
}
n=0; last=-1; same=0
while ! attached; do
	if ! kill -0 $pid 2>/dev/null; then
		wait $pid; echo "syscope exited with status $? before the probe was attached:"; cat %[2]s; exit 1
	fi
	n=$((n+1))
	if [ $n -gt 300 ]; then echo "the probe was not attached after 300 s"; cat %[2]s; exit 1; fi
	sleep 1
done
echo "probe attached ($links links) after $n polls"
`, cmd, log, attached)
}

// StopSyscope is the part of a guest script that ends the syscope
// StartSyscope started: it leaves it 2 s to read the events, stops it with
// SIGINT as a user's Ctrl-C would, prints log and "syscope exit=<status>",
// and leaves the status in $rc.
func StopSyscope(log string) string {
	return fmt.Sprintf(`sleep 2
kill -INT $pid
wait $pid
rc=$?
cat %s
echo "syscope exit=$rc"
`, log)
}
