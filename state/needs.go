package state

import "github.com/syscope/syscope/event"

// Needs reports whether the state engine reads the parameters of events
// of code c, or of the other event of its enter/exit pair (an exit may
// read its enter's): the events it parses, and every event that sysdig
// 0.29.3's table (or, for newer codes, the current one) says changes
// state. A reader may skip locating the parameters of the other events
// when nobody else asks for them (scap.Reader.Skim).
func Needs(c event.Code) bool {
	return needs(c) || needs(c^1)
}

func needs(c event.Code) bool {
	if event.Lookup(c) == nil {
		return true
	}
	if event.ParseFlags(c)&(event.FlagModifiesState|event.FlagSkipParseReset) != 0 || isClone(c) {
		return true
	}
	switch c {
	case evOpenX, evCreatX, evOpenatX, evOpenat2X, evOpenat2NewX,
		evSocketX, evBindX, evConnectE, evConnectX,
		evAcceptX, evAccept4X, evAccept5X, evAccept45X,
		evSendtoE, evBrkX, evMmapX, evMmap2X, evMunmapX,
		evSendtoX, evRecvfromX, evSendmsgX, evRecvmsgX,
		evCloseX, evPipeX, evSocketpairX, evEventfdX, evSignalfdX, evTimerfdX,
		evInotifyX, evDupX, evFcntlX, evChdirX, evFchdirX, evGetcwdX,
		evProcExitE, evProcExit1E, evSetuidX, evSetresuidX, evSetgidX, evSetresgidX,
		evChrootX, evSetsidX, evContainerE, evContainerJSONE, evContainerJS2E,
		evSchedSwitch6E, evProcInfoE,
		evExecve8X, evExecve13X, evExecve14X, evExecve15X, evExecve16X, evExecve17X,
		evExecve18X, evExecve19X, evExecveatX:
		return true
	}
	return false
}
