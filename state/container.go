package state

import (
	"encoding/json"

	"github.com/syscope/syscope/event"
)

// containerJSON is the metadata a container event carries.
type containerJSON struct {
	Container struct {
		ID          string            `json:"id"`
		FullID      string            `json:"full_id"`
		Type        int               `json:"type"`
		Name        string            `json:"name"`
		Image       string            `json:"image"`
		ImageID     string            `json:"imageid"`
		ImageRepo   string            `json:"imagerepo"`
		ImageTag    string            `json:"imagetag"`
		ImageDigest string            `json:"imagedigest"`
		Privileged  bool              `json:"privileged"`
		IP          string            `json:"ip"`
		Labels      map[string]string `json:"labels"`
		LookupState *int              `json:"lookup_state"`
	} `json:"container"`
}

// parseContainerJSON records a container from a container event, and
// gives the event the placeholder thread sysdig shows for it.
func (s *State) parseContainerJSON(e *event.Event) {
	b := event.CString(e.Param(0))
	if c := s.byJSON[string(b)]; c != nil {
		// A description seen before (a file's container events come
		// again in each of its sections): the container it made.
		if s.containers[c.ID] != c {
			s.containers[c.ID] = c
			s.gen++
		}
		s.ctx.Thread = containerThread(c.ID)
		return
	}
	s.gen++
	var cj containerJSON
	if err := json.Unmarshal(b, &cj); err != nil {
		return
	}
	c := cj.Container
	s.containers[c.ID] = &Container{
		ID: c.ID, Type: c.Type, Name: c.Name, Image: c.Image, ImageID: c.ImageID,
		ImageRepo: c.ImageRepo, ImageTag: c.ImageTag, ImageDigest: c.ImageDigest,
		Privileged: c.Privileged, IP: c.IP, Labels: c.Labels, JSON: append([]byte(nil), b...),
	}
	if s.byJSON == nil {
		s.byJSON = make(map[string]*Container)
	}
	s.byJSON[string(b)] = s.containers[c.ID]
	s.ctx.Thread = containerThread(c.ID)
}

func containerThread(id string) *Thread {
	return &Thread{TID: -1, PID: -1, PTID: -1, VTID: -2, VPID: -2, Comm: "container:" + id,
		ContainerID: id, FDs: NewFDTable()}
}

// parseContainerOld handles the oldest container event: id, type, name
// and image as separate parameters.
func (s *State) parseContainerOld(e *event.Event) {
	s.gen++
	id := string(event.CString(e.Param(0)))
	s.containers[id] = &Container{
		ID:    id,
		Type:  int(event.Int(e.Param(1))),
		Name:  string(event.CString(e.Param(2))),
		Image: string(event.CString(e.Param(3))),
	}
}
