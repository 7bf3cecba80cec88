package collect

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/nodebundle"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/windows"
)

func TestLogProgress(t *testing.T) {
	var b bytes.Buffer
	l := NewLog(&b)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l.now = func() time.Time { return now }
	n1 := Target{Name: "SQLN1", Via: "winrm sqln1:5986"}
	n2 := Target{Name: "WRK2", Via: "winrm wrk2:5986"}
	l.Plan([]Target{n1, n2})
	l.Start(n1)
	l.Start(n2)
	now = now.Add(2100 * time.Millisecond)
	l.Done(n1, "1 artifact not collected")
	l.Fail(n2, errors.New("WinRM: connection\nrefused"))
	l.Finish()
	want := `collect: 2 targets
collect: SQLN1 (winrm sqln1:5986): collecting
collect: WRK2 (winrm wrk2:5986): collecting
collect: SQLN1: done in 2.1s (1 artifact not collected)
collect: WRK2: failed after 2.1s: WinRM: connection refused
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestLiveProgress(t *testing.T) {
	var b bytes.Buffer
	l := NewLive(&b, time.Hour) // redraws on state changes only
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l.now = func() time.Time { return now }
	n1 := Target{Name: "SQLN1", Via: "winrm sqln1:5986"}
	n2 := Target{Name: "WRK2", Via: "bundle part"}
	n3 := Target{Name: "SQL", Via: "sql aglsn,1433"}
	l.Plan([]Target{n1, n2, n3})
	l.Start(n1)
	now = now.Add(1500 * time.Millisecond)
	l.Start(n2)
	now = now.Add(500 * time.Millisecond)
	l.Done(n1, "")
	l.Fail(n2, errors.New("no such node"))
	l.Finish()
	out := b.String()
	frames := strings.Split(out, "\x1b[3A")
	if len(frames) != 6 { // the first frame, then 5 redraws moving up 3 lines
		t.Fatalf("%d frames:\n%q", len(frames), out)
	}
	last := frames[len(frames)-1]
	lines := strings.Split(strings.TrimSuffix(last, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("last frame %q", last)
	}
	for i, want := range []string{"SQLN1 (winrm sqln1:5986)  done       2.0s", "WRK2 (bundle part)        failed     0.5s  no such node", "SQL (sql aglsn,1433)      waiting"} {
		if !strings.HasPrefix(lines[i], "\r\x1b[2K") || !strings.Contains(lines[i], want) {
			t.Errorf("line %d %q, want %q", i, lines[i], want)
		}
	}
	if !strings.Contains(frames[2], "collecting 1.5s") {
		t.Errorf("frame 2 %q", frames[2])
	}

	// lines never wrap: cut to the terminal width
	var nb bytes.Buffer
	n := NewLive(&nb, time.Hour)
	n.Columns = 40
	n.Plan([]Target{n1})
	n.Start(n1)
	n.Fail(n1, errors.New(strings.Repeat("é", 100)))
	n.Finish()
	for _, line := range strings.Split(nb.String(), "\n") {
		line = strings.TrimPrefix(line, "\x1b[1A")
		line = strings.TrimPrefix(line, "\r\x1b[2K")
		if c := len([]rune(line)); c > 39 {
			t.Errorf("line of %d characters: %q", c, line)
		}
	}
}

func TestNewProgress(t *testing.T) {
	if _, ok := NewProgress(&bytes.Buffer{}, false, 0).(*Log); !ok {
		t.Error("not a TTY: want plain lines")
	}
	p := NewProgress(&bytes.Buffer{}, true, 120)
	if _, ok := p.(*Live); !ok {
		t.Error("a TTY: want the live display")
	}
	p.Finish()
}

func TestLocalPart(t *testing.T) {
	out := filepath.Join(t.TempDir(), "part")
	fake := func(ctx context.Context, o windows.Options) *nodebundle.NodeArtifacts {
		if _, ok := ctx.Deadline(); !ok {
			t.Error("no deadline")
		}
		svcs := []nodebundle.Service{}
		a := &nodebundle.NodeArtifacts{Name: "wrk1", Services: svcs}
		a.Fail("certs/LocalMachine/My", errors.New("access is denied"))
		return a
	}
	roles, err := ParseRoles("worker, worker")
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := local(context.Background(), out, LocalOptions{Roles: roles, Deployment: "prod-etl", ToolVersion: "test"}, fake)
	if err != nil {
		t.Fatal(err)
	}
	got := manifestOf(t, out)
	if got.Deployment.Variant != "ag" || got.Deployment.Name != "prod-etl" || len(got.Nodes) != 1 || got.Nodes[0].Name != "WRK1" ||
		strings.Join(got.Nodes[0].Roles, ",") != "worker" || !got.Nodes[0].Collected || m.CreatedUTC == "" {
		t.Errorf("part manifest %+v", got)
	}
	if _, err := ParseRoles("master,boss"); err == nil {
		t.Error("bad role accepted")
	}
	if _, _, err := Local(context.Background(), t.TempDir(), LocalOptions{}); !windows.Supported() && !errors.Is(err, ErrLocalNotWindows) {
		t.Errorf("Local elsewhere: %v", err)
	}
}
