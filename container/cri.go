package container

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	cri "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// criClient talks to a Kubernetes runtime (containerd, CRI-O) through
// the CRI gRPC API, v1, over a unix socket.
type criClient struct {
	socket string
	conn   *grpc.ClientConn
	rt     cri.RuntimeServiceClient
	img    cri.ImageServiceClient

	mu      sync.Mutex
	name    string // the runtime's name, once it told it: "containerd", "cri-o"
	version string
}

func newCRIClient(socket string) (*criClient, error) {
	conn, err := grpc.NewClient("unix://"+socket,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxResponse)),
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: 100 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 3 * time.Second},
			MinConnectTimeout: time.Second,
		}))
	if err != nil {
		return nil, err
	}
	return &criClient{socket: socket, conn: conn, rt: cri.NewRuntimeServiceClient(conn), img: cri.NewImageServiceClient(conn)}, nil
}

func (c *criClient) close() { c.conn.Close() }

// criError sorts a gRPC error: NotFound is errNotFound; no connection or
// no answer in time is an *unreachableError.
func criError(err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		if errors.Is(err, context.DeadlineExceeded) {
			return &unreachableError{fmt.Errorf("no answer in time")}
		}
		return err
	}
	switch st.Code() {
	case codes.NotFound:
		return errNotFound
	case codes.Unavailable:
		return &unreachableError{errors.New(st.Message())}
	case codes.DeadlineExceeded:
		return &unreachableError{fmt.Errorf("no answer in time")}
	case codes.Unimplemented:
		return &unreachableError{fmt.Errorf("does not serve the CRI v1 API: %s", st.Message())}
	}
	return err
}

// runtime asks the runtime its name once, which gives the type of its
// containers.
func (c *criClient) runtime(ctx context.Context) (Type, error) {
	c.mu.Lock()
	name := c.name
	c.mu.Unlock()
	if name == "" {
		v, err := c.rt.Version(ctx, &cri.VersionRequest{})
		if err != nil {
			return TypeCRI, criError(err)
		}
		c.mu.Lock()
		c.name, c.version = v.RuntimeName, v.RuntimeVersion
		name = c.name
		c.mu.Unlock()
	}
	return criType(name), nil
}

func criType(runtimeName string) Type {
	switch runtimeName {
	case "containerd":
		return TypeContainerd
	case "cri-o":
		return TypeCRIO
	}
	return TypeCRI
}

// knownType is the runtime's type if it has told its name, and whether it
// has.
func (c *criClient) knownType() (Type, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return criType(c.name), c.name != ""
}

// lookup fetches the metadata of a container, or of a pod sandbox, as
// libsinsp's cri engine does, and the pod it belongs to.
func (c *criClient) lookup(ctx context.Context, id string) (*Info, error) {
	typ, err := c.runtime(ctx)
	if err != nil {
		return nil, err
	}
	resp, err := c.rt.ContainerStatus(ctx, &cri.ContainerStatusRequest{ContainerId: id, Verbose: true})
	if err = criError(err); err == errNotFound {
		return c.lookupSandbox(ctx, id, typ)
	}
	if err != nil {
		return nil, err
	}
	st := resp.GetStatus()
	if st == nil {
		return nil, fmt.Errorf("ContainerStatus of %s gave no status", id)
	}
	info := NewInfo(id, st.Id, typ)
	info.Name = st.GetMetadata().GetName()
	info.CreatedTime = st.CreatedAt / int64(time.Second)
	for k, v := range st.Labels {
		if len(v) <= maxLabelLength {
			if info.Labels == nil {
				info.Labels = make(map[string]string)
			}
			info.Labels[k] = v
		}
	}
	criImage(info, st)
	for _, m := range st.Mounts {
		info.Mounts = append(info.Mounts, Mount{
			Source: m.HostPath, Destination: m.ContainerPath, RW: !m.Readonly, Propagation: propagation(m.Propagation),
		})
	}

	sandboxID := parseVerbose(info, resp.Info["info"])
	if sandboxID == "" {
		// Not containerd's verbose info: the container list has it.
		if l, err := c.rt.ListContainers(ctx, &cri.ListContainersRequest{Filter: &cri.ContainerFilter{Id: st.Id}}); err == nil {
			for _, ct := range l.Containers {
				if ct.Id == st.Id {
					sandboxID = ct.PodSandboxId
				}
			}
		}
	}
	if sandboxID != "" {
		if ps, err := c.rt.PodSandboxStatus(ctx, &cri.PodSandboxStatusRequest{PodSandboxId: sandboxID}); err == nil && ps.Status != nil {
			setPod(info, ps.Status)
		}
	}
	if info.ImageID == "" && st.ImageRef != "" {
		if is, err := c.img.ImageStatus(ctx, &cri.ImageStatusRequest{Image: &cri.ImageSpec{Image: st.ImageRef}}); err == nil && is.Image != nil {
			info.ImageID = strings.TrimPrefix(is.Image.Id, "sha256:")
		}
	}
	return info, nil
}

// lookupSandbox makes the Info of a pod sandbox (the pause container).
func (c *criClient) lookupSandbox(ctx context.Context, id string, typ Type) (*Info, error) {
	ps, err := c.rt.PodSandboxStatus(ctx, &cri.PodSandboxStatusRequest{PodSandboxId: id, Verbose: true})
	if err != nil {
		return nil, criError(err)
	}
	st := ps.Status
	if st == nil {
		return nil, errNotFound
	}
	info := NewInfo(id, st.Id, typ)
	info.IsPodSandbox = true
	info.Name = st.GetMetadata().GetName()
	info.CreatedTime = st.CreatedAt / int64(time.Second)
	for k, v := range st.Labels {
		if len(v) <= maxLabelLength {
			if info.Labels == nil {
				info.Labels = make(map[string]string)
			}
			info.Labels[k] = v
		}
	}
	if v := ps.Info["info"]; v != "" {
		var root struct {
			Image string `json:"image"`
		}
		if json.Unmarshal([]byte(v), &root) == nil && root.Image != "" {
			info.Image = root.Image
			info.ImageRepo, info.ImageTag, info.ImageDigest = splitImage(root.Image)
		}
	}
	setPod(info, st)
	return info, nil
}

// setPod records the pod of a container and copies it into the labels
// under the kubelet's names, which sysdig's k8s.pod.* fields read, when
// the runtime's labels lack them (containers made without the kubelet).
func setPod(info *Info, ps *cri.PodSandboxStatus) {
	md := ps.GetMetadata()
	info.PodName, info.PodNamespace, info.PodUID = md.GetName(), md.GetNamespace(), md.GetUid()
	info.PodSandboxID = ps.Id
	info.PodLabels = cloneMap(ps.Labels)
	if ip := ps.GetNetwork().GetIp(); ip != "" && ipv4String(info.IP) == "0.0.0.0" {
		info.IP = ip
	}
	add := func(k, v string) {
		if v == "" || len(v) > maxLabelLength {
			return
		}
		if info.Labels == nil {
			info.Labels = make(map[string]string)
		}
		if _, ok := info.Labels[k]; !ok {
			info.Labels[k] = v
		}
	}
	add("io.kubernetes.pod.name", info.PodName)
	add("io.kubernetes.pod.namespace", info.PodNamespace)
	add("io.kubernetes.pod.uid", info.PodUID)
	if !info.IsPodSandbox {
		add("io.kubernetes.sandbox.id", info.PodSandboxID)
	}
}

// criImage fills the image fields as libsinsp's parse_cri_image does.
func criImage(info *Info, st *cri.ContainerStatus) {
	image := st.GetImage().GetImage()
	info.Image = image
	var digest string
	info.ImageRepo, info.ImageTag, digest = splitImage(image)
	// image_ref is "sha256:<hex>" or "<repo>@sha256:<hex>".
	ref := st.ImageRef
	if i := strings.Index(ref, "sha256:"); i == 0 || i > 0 && ref[i-1] == '@' {
		info.ImageDigest = ref[i:]
	} else {
		info.ImageDigest = digest
	}
}

func propagation(p cri.MountPropagation) string {
	switch p {
	case cri.MountPropagation_PROPAGATION_PRIVATE:
		return "private"
	case cri.MountPropagation_PROPAGATION_HOST_TO_CONTAINER:
		return "rslave"
	case cri.MountPropagation_PROPAGATION_BIDIRECTIONAL:
		return "rshared"
	}
	return "unknown"
}

// criVerbose is the part of the verbose info of a container (its "info"
// key, a JSON document) that libsinsp reads. containerd and CRI-O both
// write it.
type criVerbose struct {
	SandboxID string `json:"sandboxID"`
	Config    struct {
		Envs []struct {
			Key   string `json:"key"`
			Value string `json:"value"`
		} `json:"envs"`
		Image struct {
			Image string `json:"image"`
		} `json:"image"`
		Linux struct {
			SecurityContext struct {
				Privileged *bool `json:"privileged"`
			} `json:"security_context"`
		} `json:"linux"`
	} `json:"config"`
	Privileged  *bool `json:"privileged"` // CRI-O
	RuntimeSpec struct {
		Linux *struct {
			Resources struct {
				Memory *struct {
					Limit *int64 `json:"limit"`
				} `json:"memory"`
				CPU *struct {
					Shares *int64 `json:"shares"`
					Quota  *int64 `json:"quota"`
					Period *int64 `json:"period"`
				} `json:"cpu"`
			} `json:"resources"`
			SecurityContext struct {
				Privileged *bool `json:"privileged"`
			} `json:"security_context"`
		} `json:"linux"`
	} `json:"runtimeSpec"`
}

// parseVerbose reads the verbose info of a container into info, and
// gives its sandbox's id.
func parseVerbose(info *Info, doc string) (sandboxID string) {
	if doc == "" {
		return ""
	}
	var v criVerbose
	if json.Unmarshal([]byte(doc), &v) != nil {
		return ""
	}
	for _, e := range v.Config.Envs {
		info.Env = append(info.Env, e.Key+"="+e.Value)
	}
	if img := v.Config.Image.Image; img != "" {
		if _, after, ok := strings.Cut(img, ":"); ok {
			img = after
		}
		// The image id: the kubelet creates containers from it. A name
		// given instead is no id.
		if isHexID(img) {
			info.ImageID = img
		}
	}
	if l := v.RuntimeSpec.Linux; l != nil {
		if m := l.Resources.Memory; m != nil && m.Limit != nil {
			info.MemoryLimit = *m.Limit
			info.SwapLimit = *m.Limit
		}
		if c := l.Resources.CPU; c != nil {
			if c.Shares != nil {
				info.CPUShares = *c.Shares
			}
			if c.Quota != nil {
				info.CPUQuota = *c.Quota
			}
			if c.Period != nil {
				info.CPUPeriod = *c.Period
			}
		}
		if p := l.SecurityContext.Privileged; p != nil {
			info.Privileged = *p
		} else if p := v.Config.Linux.SecurityContext.Privileged; p != nil {
			info.Privileged = *p
		} else if v.Privileged != nil {
			info.Privileged = *v.Privileged
		}
	} else if p := v.Config.Linux.SecurityContext.Privileged; p != nil {
		info.Privileged = *p
	} else if v.Privileged != nil {
		info.Privileged = *v.Privileged
	}
	return v.SandboxID
}
