package state

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"

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

// Containers returns the containers known, in the order of their ids.
func (s *State) Containers() []*Container {
	list := make([]*Container, 0, len(s.containers))
	for _, c := range s.containers {
		list = append(list, c)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	return list
}

// Event returns the container event (PPME_CONTAINER_JSON_2_E) that
// describes c, as sinsp writes one for each container it knows at the
// start of every capture file it opens: time ts, thread -1, CPU 0, the
// JSON it was described with (or made from its fields, for a container
// from the oldest container event).
func (c *Container) Event(ts uint64) (*event.Event, error) {
	js := c.JSON
	if len(js) == 0 {
		var cj containerJSON
		x := &cj.Container
		x.ID, x.Type, x.Name, x.Image, x.ImageID = c.ID, c.Type, c.Name, c.Image, c.ImageID
		x.ImageRepo, x.ImageTag, x.ImageDigest = c.ImageRepo, c.ImageTag, c.ImageDigest
		x.Privileged, x.IP, x.Labels = c.Privileged, c.IP, c.Labels
		b, err := json.Marshal(&cj)
		if err != nil {
			return nil, fmt.Errorf("describe container %s: %w", c.ID, err)
		}
		js = b
	}
	raw := make([]byte, 0, event.HeaderLen+4+len(js)+1)
	raw = binary.LittleEndian.AppendUint64(raw, ts)
	raw = binary.LittleEndian.AppendUint64(raw, ^uint64(0)) // tid -1
	raw = binary.LittleEndian.AppendUint32(raw, uint32(event.HeaderLen+4+len(js)+1))
	raw = binary.LittleEndian.AppendUint16(raw, evContainerJS2E)
	raw = binary.LittleEndian.AppendUint32(raw, 1)
	raw = binary.LittleEndian.AppendUint32(raw, uint32(len(js)+1))
	raw = append(raw, js...)
	raw = append(raw, 0)
	e := &event.Event{}
	if err := e.Decode(raw); err != nil {
		return nil, fmt.Errorf("describe container %s: %w", c.ID, err)
	}
	return e, nil
}
