package runtimetest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	cri "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// A CRIPodSpec says what StartCRIPod makes: a pod and one container in
// it.
type CRIPodSpec struct {
	Name, Namespace, UID string            // the pod's metadata
	Labels               map[string]string // the pod's labels

	// SandboxImage is the pause image given to Containerd.
	SandboxImage string

	Container       string   // the container's name; its log is <name>.log
	Image           string   // its image, in containerd's namespace k8s.io
	Command         []string // its command
	ContainerLabels map[string]string
}

// A CRIPod is a pod sandbox and its container, running.
type CRIPod struct {
	// RT is the CRI runtime service, connected until the test ends.
	RT cri.RuntimeServiceClient
	// Config is the pod sandbox's configuration.
	Config *cri.PodSandboxConfig
	// ID is the pod sandbox's id and ContainerID its container's: 64 hex
	// digits each.
	ID, ContainerID string
}

// waitCRIImages waits until the CRI knows each of images. containerd's
// CRI learns of an image imported or tagged with ctr from an event, after
// ctr has returned; before that it would try to pull the image from a
// registry (http://localhost here) and fail.
func waitCRIImages(t testing.TB, ctx context.Context, is cri.ImageServiceClient, logf string, images ...string) {
	t.Helper()
	for _, img := range images {
		if img == "" {
			continue
		}
		for {
			st, err := is.ImageStatus(ctx, &cri.ImageStatusRequest{Image: &cri.ImageSpec{Image: img}})
			if err == nil && st.Image != nil {
				break
			}
			select {
			case <-ctx.Done():
				t.Fatalf("the CRI does not know image %s: %v\n%s", img, err, TailFile(logf))
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}

// StartCRIPod makes a pod of spec and starts its container through the
// CRI of the containerd that Containerd(t, dir, sock, ...) started, as the
// kubelet would, once the CRI knows its images: RunPodSandbox (host network: there is no CNI here; logs
// under dir/logs), CreateContainer, StartContainer, each with ctx. It
// adds the cgroups of the sandbox and of the container ("k8s.io/<id>") to
// *cgroups as soon as they exist, for KillLeftovers. When the test ends
// it stops and removes the pod, and only then closes the connection. A
// failure fails the test, with the end of containerd's log.
func StartCRIPod(t testing.TB, ctx context.Context, dir, sock string, spec CRIPodSpec, cgroups *[]string) *CRIPod {
	t.Helper()
	logf := filepath.Join(dir, "containerd.log")
	conn, err := grpc.NewClient("unix://"+sock, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("connecting to the CRI at %s: %v", sock, err)
	}
	t.Cleanup(func() { conn.Close() })
	rt := cri.NewRuntimeServiceClient(conn)
	v, err := rt.Version(ctx, &cri.VersionRequest{})
	if err != nil {
		t.Fatalf("CRI Version: %v\n%s", err, TailFile(logf))
	}
	t.Logf("CRI runtime %s %s, API %s", v.RuntimeName, v.RuntimeVersion, v.RuntimeApiVersion)
	waitCRIImages(t, ctx, cri.NewImageServiceClient(conn), logf, spec.SandboxImage, spec.Image)
	p := &CRIPod{RT: rt, Config: &cri.PodSandboxConfig{
		Metadata:     &cri.PodSandboxMetadata{Name: spec.Name, Namespace: spec.Namespace, Uid: spec.UID},
		LogDirectory: filepath.Join(dir, "logs"),
		Labels:       spec.Labels,
		Linux: &cri.LinuxPodSandboxConfig{SecurityContext: &cri.LinuxSandboxSecurityContext{
			NamespaceOptions: &cri.NamespaceOption{Network: cri.NamespaceMode_NODE},
		}},
	}}
	sb, err := rt.RunPodSandbox(ctx, &cri.RunPodSandboxRequest{Config: p.Config})
	if err != nil {
		t.Fatalf("RunPodSandbox: %v\n%s", err, TailFile(logf))
	}
	p.ID = sb.PodSandboxId
	*cgroups = append(*cgroups, "k8s.io/"+p.ID)
	t.Cleanup(func() {
		// Not the test's ctx: it may be over by now.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := rt.StopPodSandbox(ctx, &cri.StopPodSandboxRequest{PodSandboxId: p.ID}); err != nil {
			t.Errorf("StopPodSandbox: %v", err)
		}
		if _, err := rt.RemovePodSandbox(ctx, &cri.RemovePodSandboxRequest{PodSandboxId: p.ID}); err != nil {
			t.Errorf("RemovePodSandbox: %v", err)
		}
	})
	cc, err := rt.CreateContainer(ctx, &cri.CreateContainerRequest{
		PodSandboxId: p.ID, SandboxConfig: p.Config,
		Config: &cri.ContainerConfig{
			Metadata: &cri.ContainerMetadata{Name: spec.Container},
			Image:    &cri.ImageSpec{Image: spec.Image},
			Command:  spec.Command,
			Labels:   spec.ContainerLabels,
			LogPath:  spec.Container + ".log",
		},
	})
	if err != nil {
		t.Fatalf("CreateContainer: %v\n%s", err, TailFile(logf))
	}
	p.ContainerID = cc.ContainerId
	*cgroups = append(*cgroups, "k8s.io/"+p.ContainerID)
	if _, err := rt.StartContainer(ctx, &cri.StartContainerRequest{ContainerId: p.ContainerID}); err != nil {
		t.Fatalf("StartContainer: %v\n%s", err, TailFile(logf))
	}
	return p
}
