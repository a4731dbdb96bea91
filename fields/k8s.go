package fields

import (
	"sort"
	"strings"

	"github.com/syscope/syscope/state"
)

// The k8s fields that need no Kubernetes API server: sysdig 0.29.3
// (libs e5c53d64, sinsp_filter_check_k8s::extract) takes them from the
// labels of the thread's container, which the CRI runtimes give their
// containers (syscope's container.Resolver adds them when the runtime
// does not): k8s.pod.name, k8s.pod.id and k8s.ns.name from
// io.kubernetes.pod.name, .uid and .namespace; k8s.pod.label.X and
// k8s.pod.labels from the labels of the pod's sandbox, the container
// that io.kubernetes.sandbox.id names. The other k8s fields need the API
// server (sysdig's -k), which syscope does not talk to: they have no
// value.

const (
	labelPodName   = "io.kubernetes.pod.name"
	labelPodNS     = "io.kubernetes.pod.namespace"
	labelPodUID    = "io.kubernetes.pod.uid"
	labelSandboxID = "io.kubernetes.sandbox.id"
)

func init() {
	g := getters
	g["k8s.pod.name"] = k8sLabel(labelPodName)
	g["k8s.pod.id"] = k8sLabel(labelPodUID)
	g["k8s.ns.name"] = k8sLabel(labelPodNS)
	g["k8s.pod.label"] = func(x *extractor, c *Ctx, v *Value) bool {
		sb := k8sSandbox(c)
		if sb == nil {
			return false
		}
		val, ok := sb.Labels[x.arg.str]
		if !ok {
			return false
		}
		str(v, val)
		return true
	}
	g["k8s.pod.labels"] = func(x *extractor, c *Ctx, v *Value) bool {
		sb := k8sSandbox(c)
		if sb == nil {
			return false
		}
		v.Str = appendPodLabels(x.buf[:0], sb.Labels)
		x.buf = v.Str
		return true
	}
}

// k8sContainer is the thread's container when it has labels, as sysdig
// requires before it reads any of them.
func k8sContainer(c *Ctx) *state.Container {
	if c.Th == nil || c.Th.ContainerID == "" || c.St == nil {
		return nil
	}
	ci := c.St.Container(c.Th.ContainerID)
	if ci == nil || len(ci.Labels) == 0 {
		return nil
	}
	return ci
}

func k8sLabel(key string) getter {
	return func(x *extractor, c *Ctx, v *Value) bool {
		ci := k8sContainer(c)
		if ci == nil {
			return false
		}
		val, ok := ci.Labels[key]
		if !ok {
			return false
		}
		str(v, val)
		return true
	}
}

// k8sSandbox is the pod sandbox of the thread's container, known by the
// first 12 characters of its id, when it has labels.
func k8sSandbox(c *Ctx) *state.Container {
	ci := k8sContainer(c)
	if ci == nil {
		return nil
	}
	id, ok := ci.Labels[labelSandboxID]
	if !ok {
		return nil
	}
	if len(id) > 12 {
		id = id[:12]
	}
	sb := c.St.Container(id)
	if sb == nil || len(sb.Labels) == 0 {
		return nil
	}
	return sb
}

// appendPodLabels is sysdig's concatenate_container_labels: "key:value"
// (or "key" for an empty value) in key order, ", " between them, without
// the annotations and the io.kubernetes.* labels.
func appendPodLabels(dst []byte, labels map[string]string) []byte {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		if strings.HasPrefix(k, "annotation.") || strings.HasPrefix(k, "io.kubernetes.") {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = append(dst, k...)
		if val := labels[k]; val != "" {
			dst = append(dst, ':')
			dst = append(dst, val...)
		}
	}
	return dst
}
