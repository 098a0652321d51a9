package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/auditlog/auditlog/server"
)

// TestCallerRequestIDs: a caller's X-Request-Id is echoed and logged only
// when it is at most 64 letters, digits, '.', '_' or '-'; any other is
// replaced by an id of the server's, and appears in neither.
func TestCallerRequestIDs(t *testing.T) {
	logs := &syncBuffer{}
	e := newEnvWith(t, server.Config{}, envOptions{logs: logs})
	for _, c := range []struct {
		id   string
		kept bool
	}{
		{"req-01HZX.abc_DEF", true},
		{strings.Repeat("a", 64), true},
		{strings.Repeat("b", 65), false},
		{"trace:42", false},
		{"a b", false},
		{`x" level=ERROR msg="forged`, false},
		{"<script>", false},
		{"é", false},
	} {
		req, _ := http.NewRequest(http.MethodGet, e.url+"/healthz", nil)
		req.Header.Set("X-Request-Id", c.id)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got := resp.Header.Get("X-Request-Id")
		if kept := got == c.id; kept != c.kept || got == "" {
			t.Errorf("X-Request-Id %q: answered %q; want it kept: %v", c.id, got, c.kept)
		}
		if !c.kept && strings.Contains(logs.String(), c.id) {
			t.Errorf("X-Request-Id %q is in the log", c.id)
		}
		if !strings.Contains(logs.String(), "request_id="+got) {
			t.Errorf("the access log has no request_id=%s", got)
		}
	}
}
