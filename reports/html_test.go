package reports

import (
	"crypto/sha256"
	"encoding/base64"
	"html"
	"regexp"
	"strings"
	"testing"
)

func TestHTMLGolden(t *testing.T) {
	golden(t, "report.html", render(t, &HTMLFormatter{}, sampleReport()))
}

func TestHTMLSelfContained(t *testing.T) {
	out := render(t, &HTMLFormatter{}, sampleReport())
	// Every URL in an attribute is the href of an <a>: no asset is fetched.
	attr := regexp.MustCompile(`(?is)<([a-z]+)\b[^>]*?\s(src|href|action|data|poster|srcset|xlink:href|formaction|background)\s*=\s*"([^"]*)"`)
	for _, m := range attr.FindAllStringSubmatch(out, -1) {
		if strings.EqualFold(m[1], "a") && strings.EqualFold(m[2], "href") && strings.HasPrefix(m[3], "https://learn.microsoft.com/") {
			continue
		}
		t.Errorf("asset or link reference <%s %s=%q>", m[1], m[2], m[3])
	}
	if regexp.MustCompile(`(?i)url\(`).MatchString(out) {
		t.Error("a CSS url() reference")
	}
	for _, bad := range []string{"<script src", "<link", "@import", "url(http", "<iframe", "<img src=\"http"} {
		if strings.Contains(strings.ToLower(out), bad) {
			t.Errorf("external asset reference %q", bad)
		}
	}
	if strings.Count(out, "<script") != 1 {
		t.Errorf("%d <script> tags, want exactly the page's own one", strings.Count(out, "<script"))
	}
	// The CSP allows only the page's script, by hash.
	sum := sha256.Sum256([]byte(htmlScript))
	plain := html.UnescapeString(out)
	if !strings.Contains(plain, "script-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") || !strings.Contains(plain, "default-src 'none'") {
		t.Error("CSP missing or without the script hash")
	}
	if !strings.Contains(out, "<script>"+htmlScript+"</script>") {
		t.Error("the inline script differs from the hashed one")
	}
}

func TestHTMLEscapesFacts(t *testing.T) {
	r := sampleReport()
	r.Results[4].Evidence[0].Artifact = `x" onmouseover="alert(1)`
	r.Rules["MASTER-CERT-SAME-ALL-NODES"] = RuleMeta{ID: "MASTER-CERT-SAME-ALL-NODES", Title: "t", DocURL: "javascript:alert(1)"}
	out := render(t, &HTMLFormatter{}, r)
	if strings.Contains(out, evilNode) || strings.Contains(out, "<script>alert") || strings.Contains(out, "<b>but</b>") {
		t.Fatal("a crafted node name or message was written as markup")
	}
	if !strings.Contains(out, "WRK&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
		t.Error("the crafted node name is not shown escaped")
	}
	if strings.Contains(out, `" onmouseover="`) {
		t.Error("an attribute was injected")
	}
	if strings.Contains(out, `href="javascript:`) {
		t.Error("a javascript: URL became a link")
	}
}

func TestHTMLTopologyStates(t *testing.T) {
	top := buildTopo(sampleReport())
	if top == nil {
		t.Fatal("no topology")
	}
	state := map[string]string{}
	for _, b := range top.Boxes {
		key := b.Kind
		if b.Node != "" {
			key = b.Node
		}
		state[key] = b.State
	}
	want := map[string]string{
		"SQLN1":   stateFail,    // LOG-CONNSTR-IS-LISTENER, MASTER-CERT-VALIDITY
		"SQLN2":   stateFail,    // MASTER-CERT-SAME-ALL-NODES
		"SQLN3":   stateUnknown, // unknowns only
		"WRK1":    stateFail,
		evilNode:  stateFail,
		"ag":      stateFail, // LOG-CONNSTR-IS-LISTENER concerns the listener
		"role":    stateOK,
		"cluster": stateOK,
	}
	for k, v := range want {
		if state[k] != v {
			t.Errorf("%s drawn %q, want %q", k, state[k], v)
		}
	}
	if got := render(t, &HTMLFormatter{}, &Report{Tool: Tool{Name: ToolName}}); strings.Contains(got, "<svg") {
		t.Error("a topology was drawn without Report.Topology")
	}
}
