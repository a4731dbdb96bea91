// Package container tells which container a process is in, and what that
// container is: its name, image and Kubernetes pod, live and in trace
// files.
//
// # Identity, from cgroups
//
// FromCgroups (and Parse, ParsePath) find a thread's container in its
// cgroup paths, for cgroup v1 and v2 alike, in the shapes each runtime
// makes: Docker (/docker/<id>, docker-<id>.scope), podman (libpod-<id>,
// under /libpod_parent or machine.slice), containerd (/<namespace>/<id>,
// cri-containerd-<id>.scope, nerdctl-<id>.scope), CRI-O (crio-<id>),
// Kubernetes pods (kubepods.../pod<uid>/<id>, both kubelet cgroup drivers,
// every QoS class), systemd-nspawn (machine-<name>.scope), LXC and LXD
// (/lxc/<name>, lxc.payload.<name>), libvirt LXC, Mesos and BPM. Runtime
// monitors (conmon, lxc.monitor, the nspawn supervisor) are not in their
// containers. The id is sysdig's container.id: the first 12 hex digits of
// a 64-digit id, the name for runtimes that name containers; processes
// outside containers are the "host". ParsePath's documentation lists the
// shapes.
//
// # Metadata, from the runtimes
//
// A Resolver asks the runtimes about containers in the background and
// keeps the answers: Lookup never waits, it returns what is known or
// starts a lookup whose result goes to Options.OnUpdate. It speaks the
// Docker Engine API over its unix socket (Docker, and podman's
// Docker-compatible service) and the Kubernetes CRI over gRPC (containerd,
// CRI-O), with the pod of each CRI container from its sandbox. Every call
// has a timeout; a runtime that cannot be reached leaves its containers
// known by their ids, and is warned about once.
//
// # Container events
//
// Info.JSON writes the container event that sysdig 0.29.3 writes (libsinsp
// e5c53d64's container_to_json through jsoncpp), byte for byte, so that
// `sysdig -r` of a syscope capture shows container.name and
// container.image, and the state engine reads it back like sysdig's.
// Info.AppendEvent wraps it in the PPME_CONTAINER_JSON_2_E event, which
// syscope's live capture puts into the event stream when a container's
// metadata arrives.
//
// Package runtimetest starts real podman and containerd for end-to-end
// tests.
package container
