package container

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// errNotFound is a runtime's answer that it has no such container.
var errNotFound = errors.New("no such container")

// unreachableError is a runtime that did not answer: its socket is
// missing, refuses, or does not answer in time.
type unreachableError struct{ err error }

func (e *unreachableError) Error() string { return e.err.Error() }
func (e *unreachableError) Unwrap() error { return e.err }

// dockerClient talks to the Docker Engine API, or podman's
// Docker-compatible one, over a unix socket.
type dockerClient struct {
	kind   string // "docker" or "podman", for messages
	socket string
	typ    Type
	http   *http.Client
	// queryImage asks the image for its digest and tag when the
	// container does not tell them, as libsinsp does by default.
	queryImage bool
}

// maxResponse bounds what is read from a runtime.
const maxResponse = 16 << 20

func newDockerClient(kind, socket string, typ Type) *dockerClient {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
		MaxIdleConns:    4,
		IdleConnTimeout: 30 * time.Second,
	}
	return &dockerClient{kind: kind, socket: socket, typ: typ, http: &http.Client{Transport: tr}, queryImage: true}
}

func (c *dockerClient) close() { c.http.CloseIdleConnections() }

// get fetches path into v. A 404 is errNotFound; a socket that cannot be
// reached or does not answer in time is an *unreachableError.
func (c *dockerClient) get(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://localhost"+path, nil)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no answer in time")
		}
		return &unreachableError{err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no answer in time")
		}
		return &unreachableError{err}
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return errNotFound
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("GET %s: %s: %s", path, resp.Status, strings.TrimSpace(string(body)))
	}
	return json.Unmarshal(body, v)
}

// dockerInspect is the part of GET /containers/<id>/json that sysdig
// reads.
type dockerInspect struct {
	ID      string `json:"Id"`
	Name    string
	Created string
	Image   string
	Config  struct {
		Image       string
		Labels      map[string]string
		Env         []string
		Healthcheck *struct{ Test []string }
	}
	HostConfig struct {
		Privileged  bool
		NetworkMode string
		Memory      int64
		MemorySwap  int64
		CpuShares   int64
		CpuQuota    int64
		CpuPeriod   int64
		NanoCpus    int64
		CpusetCpus  string
	}
	NetworkSettings struct {
		IPAddress string
		Ports     map[string][]struct{ HostIp, HostPort string }
		Networks  map[string]struct{ IPAddress string }
	}
	Mounts []struct {
		Source      string
		Destination string
		Mode        string
		RW          bool
		Propagation string
	}
}

// dockerImage is the part of GET /images/<id>/json and /images/json that
// sysdig reads.
type dockerImage struct {
	ID          string `json:"Id"`
	Digest      *string
	RepoDigests []string
	RepoTags    []string
	Names       []string // podman's image list
}

// lookup fetches the metadata of a container as libsinsp's
// docker_async_source::parse_docker does.
func (c *dockerClient) lookup(ctx context.Context, id string) (*Info, error) {
	var root dockerInspect
	if err := c.get(ctx, "/containers/"+url.PathEscape(id)+"/json", &root); err != nil {
		return nil, err
	}
	info := NewInfo(id, root.ID, c.typ)
	c.imageInfo(ctx, info, &root)

	info.FullID = root.ID
	info.Name = strings.TrimPrefix(root.Name, "/")
	if strings.HasPrefix(info.Name, "k8s_POD") {
		info.IsPodSandbox = true
	}
	if t, err := time.Parse(time.RFC3339Nano, root.Created); err == nil {
		info.CreatedTime = t.Unix()
	}

	ns := &root.NetworkSettings
	info.IP = ns.IPAddress
	if info.IP == "" {
		if other, ok := strings.CutPrefix(root.HostConfig.NetworkMode, "container:"); ok {
			// The network of another container: its address.
			var o dockerInspect
			if err := c.get(ctx, "/containers/"+url.PathEscape(other)+"/json", &o); err == nil {
				info.IP = o.NetworkSettings.IPAddress
			}
		} else {
			// User-defined networks leave the top-level address empty.
			names := make([]string, 0, len(ns.Networks))
			for n := range ns.Networks {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				if a := ns.Networks[n].IPAddress; ipv4String(a) != "0.0.0.0" {
					info.IP = a
					break
				}
			}
		}
	}

	ports := make([]string, 0, len(ns.Ports))
	for p := range ns.Ports {
		ports = append(ports, p)
	}
	sort.Strings(ports)
	for _, p := range ports {
		if !strings.Contains(p, "/tcp") {
			continue
		}
		cport := atoi(p)
		for _, b := range ns.Ports[p] {
			info.PortMappings = append(info.PortMappings, PortMapping{
				HostIP: ipv4Host(b.HostIp), HostPort: uint16(atoi(b.HostPort)), ContainerPort: uint16(cport),
			})
		}
	}

	for k, v := range root.Config.Labels {
		if len(v) <= maxLabelLength {
			if info.Labels == nil {
				info.Labels = make(map[string]string)
			}
			info.Labels[k] = v
		}
	}
	if c.typ == TypePodman {
		delete(info.Labels, "podman_owner_uid") // a root container
	}
	info.Env = root.Config.Env

	hc := &root.HostConfig
	info.MemoryLimit = hc.Memory
	info.SwapLimit = hc.MemorySwap
	if hc.CpuShares > 0 {
		info.CPUShares = hc.CpuShares
	}
	info.CPUQuota = max(hc.CpuQuota, hc.NanoCpus/10000)
	if hc.CpuPeriod > 0 {
		info.CPUPeriod = hc.CpuPeriod
	}
	if hc.CpusetCpus != "" {
		info.CPUSetCPUCount = countCPUList(hc.CpusetCpus)
	}
	info.Privileged = hc.Privileged

	for _, m := range root.Mounts {
		info.Mounts = append(info.Mounts, Mount{Source: m.Source, Destination: m.Destination, Mode: m.Mode, RW: m.RW, Propagation: m.Propagation})
	}
	if h := root.Config.Healthcheck; h != nil {
		if p, ok := healthcheck(h.Test); ok {
			info.HealthProbes = append(info.HealthProbes, p)
		}
	}
	return info, nil
}

// maxLabelLength is sysdig's default limit on a label's value: longer
// values are left out.
const maxLabelLength = 100

// imageInfo fills the image fields as libsinsp's get_image_info does.
func (c *dockerClient) imageInfo(ctx context.Context, info *Info, root *dockerInspect) {
	info.Image = root.Config.Image
	img := root.Image
	if !strings.Contains(img, "/") {
		// The image id, "sha256:<hex>".
		if _, after, ok := strings.Cut(img, ":"); ok {
			info.ImageID = after
		} else if isHexID(img) {
			info.ImageID = img
		}
		// A container created from the image id has no name to split.
		noName := strings.HasPrefix(info.ImageID, info.Image) || strings.HasPrefix(img, info.Image)
		if !noName || !c.queryImage {
			info.ImageRepo, info.ImageTag, info.ImageDigest = splitImage(info.Image)
		}
		if c.queryImage && info.ImageID != "" && (noName || info.ImageDigest == "" || info.ImageTag == "") {
			var im dockerImage
			if err := c.get(ctx, "/images/"+url.PathEscape(info.ImageID)+"/json?digests=1", &im); err == nil {
				parseImage(info, &im)
			}
		}
		if info.ImageTag == "" {
			info.ImageTag = "latest"
		}
		return
	}
	// Old podman: the image name where the id should be.
	info.ImageRepo, info.ImageTag, info.ImageDigest = splitImage(img)
	if info.ImageTag == "" {
		info.ImageTag = "latest"
	}
	if !c.queryImage {
		return
	}
	var list []dockerImage
	if err := c.get(ctx, "/images/json?digests=1", &list); err != nil {
		return
	}
	want := info.ImageRepo + ":" + info.ImageTag
	for _, im := range list {
		for _, n := range im.Names {
			if n == want {
				id := im.ID
				if _, after, ok := strings.Cut(id, ":"); ok {
					id = after
				}
				info.ImageID = id
				parseImage(info, &im)
				return
			}
		}
	}
}

// parseImage takes the digest and tag from an image, as libsinsp's
// parse_image_info does.
func parseImage(info *Info, im *dockerImage) {
	if im.Digest != nil {
		info.ImageDigest = *im.Digest
	} else {
		digests := map[string]bool{}
		for _, rd := range im.RepoDigests {
			repo, digest, _ := strings.Cut(rd, "@")
			if !strings.Contains(rd, "@") {
				digest = rd
			}
			digests[digest] = true
			if info.ImageRepo == "" {
				info.ImageRepo = repo
			}
			if strings.Contains(rd, info.ImageRepo) {
				info.ImageDigest = digest
				break
			}
		}
		if info.ImageDigest == "" && len(digests) == 1 {
			for d := range digests {
				info.ImageDigest = d
			}
		}
	}
	for _, rt := range im.RepoTags {
		j := strings.LastIndexByte(rt, ':')
		if info.ImageRepo == "" {
			if j >= 0 {
				info.ImageRepo = rt[:j]
			} else {
				info.ImageRepo = rt
			}
		}
		if strings.Contains(rt, info.ImageRepo) {
			info.ImageTag = rt[j+1:]
			break
		}
	}
}

// healthcheck reads a HEALTHCHECK's Test as libsinsp does: ["CMD", exe,
// args...] or ["CMD-SHELL", command].
func healthcheck(test []string) (HealthProbe, bool) {
	if len(test) < 2 {
		return HealthProbe{}, false
	}
	switch test[0] {
	case "CMD":
		p := HealthProbe{Type: ProbeHealthcheck, Exe: unquote(test[1])}
		for _, a := range test[2:] {
			p.Args = append(p.Args, unquote(a))
		}
		return p, true
	case "CMD-SHELL":
		return HealthProbe{Type: ProbeHealthcheck, Exe: "/bin/sh", Args: []string{"-c", test[1]}}, true
	}
	return HealthProbe{}, false
}

// unquote removes pairs of matching quotes around an argument.
func unquote(s string) string {
	for len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		s = s[1 : len(s)-1]
	}
	return s
}

// atoi reads the leading decimal digits of s, as C's atoi.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
		if n > 1<<20 {
			break
		}
	}
	return n
}

// ipv4Host is an IPv4 address in host byte order, 0 when s is not one.
func ipv4Host(s string) uint32 {
	ip := net.ParseIP(s).To4()
	if ip == nil || strings.Contains(s, ":") {
		return 0
	}
	return uint32(ip[0])<<24 | uint32(ip[1])<<16 | uint32(ip[2])<<8 | uint32(ip[3])
}

// countCPUList counts the CPUs of a cpuset list: "0-3,6" is 5.
func countCPUList(s string) int32 {
	var n int32
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(lo)
		if !isRange {
			if err1 == nil {
				n++
			}
			continue
		}
		b, err2 := strconv.Atoi(hi)
		if err1 == nil && err2 == nil && b >= a {
			n += int32(b - a + 1)
		}
	}
	return n
}
