package collect

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Target is one thing Run collects: a node or the SQL Server side.
type Target struct {
	// Name is the node name, or "SQL" for the SQL Server side.
	Name string
	// Kind is "node" or "sql".
	Kind string
	// Via says how it is reached: "winrm sqln1.contoso.com:5986",
	// "local", "bundle ../bundles/healthy-ag", "sql aglsn.contoso.com,1433".
	Via string
	// Timeout bounds its collection.
	Timeout time.Duration
}

// Label is the target as progress lines show it.
func (t Target) Label() string {
	if t.Via == "" {
		return t.Name
	}
	return t.Name + " (" + t.Via + ")"
}

// Progress receives the state changes of the targets of one Run. Calls come
// from several goroutines; implementations synchronise themselves.
type Progress interface {
	// Plan announces every target before collection starts (all waiting).
	Plan(targets []Target)
	// Start: the target is being collected.
	Start(t Target)
	// Done: the target was collected; note says what did not come (e.g. "2
	// artifacts not collected"), "" when everything did.
	Done(t Target, note string)
	// Fail: the target could not be collected.
	Fail(t Target, err error)
	// Finish: collection is over (the live display draws its last frame).
	Finish()
}

// Quiet is a Progress that shows nothing.
type Quiet struct{}

func (Quiet) Plan([]Target)       {}
func (Quiet) Start(Target)        {}
func (Quiet) Done(Target, string) {}
func (Quiet) Fail(Target, error)  {}
func (Quiet) Finish()             {}

// NewProgress returns the live display (one line per target, redrawn in place
// with ANSI cursor moves) when tty is true, else plain log lines. The CLI
// passes tty = "stderr is a terminal", columns = its width (0: 80), and uses
// Quiet for --quiet.
func NewProgress(w io.Writer, tty bool, columns int) Progress {
	if tty {
		l := NewLive(w, 200*time.Millisecond)
		if columns > 0 {
			l.Columns = columns
		}
		return l
	}
	return NewLog(w)
}

// Log writes one plain line per state change:
//
//	collect: SQLN1 (winrm sqln1.contoso.com:5986): collecting
//	collect: SQLN1: done in 2.1s
//	collect: WRK2: failed after 0.8s: WinRM: connection refused
type Log struct {
	w     io.Writer
	now   func() time.Time
	mu    sync.Mutex
	start map[string]time.Time
}

// NewLog returns plain-line progress on w.
func NewLog(w io.Writer) *Log {
	return &Log{w: w, now: time.Now, start: map[string]time.Time{}}
}

func (l *Log) Plan(ts []Target) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "collect: %d targets\n", len(ts))
}

func (l *Log) Start(t Target) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.start[t.Name] = l.now()
	fmt.Fprintf(l.w, "collect: %s: collecting\n", t.Label())
}

func (l *Log) Done(t Target, note string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if note != "" {
		note = " (" + note + ")"
	}
	fmt.Fprintf(l.w, "collect: %s: done in %s%s\n", t.Name, elapsed(l.now().Sub(l.start[t.Name])), note)
}

func (l *Log) Fail(t Target, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "collect: %s: failed after %s: %s\n", t.Name, elapsed(l.now().Sub(l.start[t.Name])), oneLine(err))
}

func (l *Log) Finish() {}

// Live is the terminal display: one line per target (waiting, collecting,
// done, failed, with the elapsed time), redrawn in place every interval and
// on every state change.
type Live struct {
	// Columns is the terminal width: every line is cut to fit, so that none
	// wraps and the cursor moves stay exact (default 80).
	Columns int

	w        io.Writer
	now      func() time.Time
	interval time.Duration

	mu      sync.Mutex
	rows    []*liveRow
	byName  map[string]*liveRow
	drawn   int // lines drawn by the last frame
	width   int // label column width
	stop    chan struct{}
	stopped chan struct{}
	running bool
}

type liveRow struct {
	t          Target
	state      string // waiting | collecting | done | failed
	note       string
	start, end time.Time
}

// NewLive returns the live display on w (a terminal), redrawn every
// interval while targets are being collected.
func NewLive(w io.Writer, interval time.Duration) *Live {
	if interval <= 0 {
		interval = 200 * time.Millisecond
	}
	return &Live{Columns: 80, w: w, now: time.Now, interval: interval, byName: map[string]*liveRow{}}
}

func (l *Live) Plan(ts []Target) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, t := range ts {
		if _, dup := l.byName[t.Name]; dup {
			continue
		}
		r := &liveRow{t: t, state: "waiting"}
		l.rows = append(l.rows, r)
		l.byName[t.Name] = r
		if n := len(t.Label()); n > l.width {
			l.width = n
		}
	}
	if l.width > 50 {
		l.width = 50
	}
	l.drawLocked()
	if !l.running {
		l.running = true
		l.stop = make(chan struct{})
		l.stopped = make(chan struct{})
		go l.tick()
	}
}

func (l *Live) tick() {
	defer close(l.stopped)
	tk := time.NewTicker(l.interval)
	defer tk.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-tk.C:
			l.mu.Lock()
			l.drawLocked()
			l.mu.Unlock()
		}
	}
}

func (l *Live) row(t Target) *liveRow {
	r := l.byName[t.Name]
	if r == nil { // not planned: add it
		r = &liveRow{t: t, state: "waiting"}
		l.rows = append(l.rows, r)
		l.byName[t.Name] = r
	}
	return r
}

func (l *Live) Start(t Target) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.row(t)
	r.state, r.start = "collecting", l.now()
	l.drawLocked()
}

func (l *Live) Done(t Target, note string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.row(t)
	r.state, r.note, r.end = "done", note, l.now()
	l.drawLocked()
}

func (l *Live) Fail(t Target, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.row(t)
	r.state, r.note, r.end = "failed", oneLine(err), l.now()
	l.drawLocked()
}

// Finish stops the redraw and leaves the last frame on the terminal.
func (l *Live) Finish() {
	l.mu.Lock()
	running := l.running
	l.running = false
	l.mu.Unlock()
	if running {
		close(l.stop)
		<-l.stopped
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.drawLocked()
}

// drawLocked moves the cursor up over the previous frame and rewrites every
// line (erasing each first), so the frame stays in place.
func (l *Live) drawLocked() {
	var b strings.Builder
	if l.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", l.drawn)
	}
	now := l.now()
	for _, r := range l.rows {
		b.WriteString("\r\x1b[2K")
		b.WriteString(l.line(r, now))
		b.WriteByte('\n')
	}
	l.drawn = len(l.rows)
	io.WriteString(l.w, b.String())
}

func (l *Live) line(r *liveRow, now time.Time) string {
	s := fmt.Sprintf("  %-*s  %-10s", l.width, cut(r.t.Label(), l.width), r.state)
	switch r.state {
	case "collecting":
		s += " " + elapsed(now.Sub(r.start))
	case "done", "failed":
		s += " " + elapsed(r.end.Sub(r.start))
		if r.note != "" {
			s += "  " + r.note
		}
	}
	cols := l.Columns
	if cols <= 0 {
		cols = 80
	}
	return cut(s, cols-1)
}

// cut shortens s to n characters, ending it with "…" when it was longer.
func cut(s string, n int) string {
	r := []rune(s)
	if n < 1 || len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func elapsed(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}

func oneLine(err error) string {
	if err == nil {
		return ""
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}
