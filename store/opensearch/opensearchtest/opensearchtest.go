// Package opensearchtest gives tests a real OpenSearch node, and each test
// its own index prefix on it, so that OpenSearch behaviour is always checked
// against the real thing and tests can share one node in parallel.
//
// A node is found in this order: OPENSEARCH_URL; a testcontainers node when
// a Docker engine answers; otherwise the test skips (or fails, with
// REQUIRE_OPENSEARCH=1) saying how to start one:
//
//	export OPENSEARCH_URL=$(scripts/opensearch-local start)
package opensearchtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"
	tcopensearch "github.com/testcontainers/testcontainers-go/modules/opensearch"
)

// Image is the OpenSearch image started when no OPENSEARCH_URL is given.
const Image = "opensearchproject/opensearch:2.19.1"

const howTo = "no OpenSearch node: export OPENSEARCH_URL=$(scripts/opensearch-local start), or run a Docker engine for testcontainers"

// container is started at most once per test binary and shared by every
// test, since starting a node takes tens of seconds; the testcontainers
// reaper removes it when the binary exits.
var container struct {
	once sync.Once
	url  string
	err  error
}

// URL returns the base URL of an OpenSearch node for t, or skips t (fails it
// when REQUIRE_OPENSEARCH=1) when none can be had.
func URL(t testing.TB) string {
	t.Helper()
	if u := strings.TrimSpace(os.Getenv("OPENSEARCH_URL")); u != "" {
		if err := ping(u); err != nil {
			t.Fatalf("OPENSEARCH_URL=%s does not answer: %v", u, err)
		}
		return strings.TrimRight(u, "/")
	}
	if !dockerAnswers() {
		unavailable(t, howTo)
		return ""
	}
	container.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		c, err := tcopensearch.Run(ctx, Image)
		if err != nil {
			container.err = fmt.Errorf("start OpenSearch container: %w", err)
			return
		}
		container.url, container.err = c.Address(ctx)
	})
	if container.err != nil {
		unavailable(t, container.err.Error()+"; "+howTo)
		return ""
	}
	return container.url
}

func unavailable(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("REQUIRE_OPENSEARCH") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// dockerAnswers reports whether a Docker engine responds within a few
// seconds; testcontainers panics or hangs without one, so ask cheaply first.
func dockerAnswers() (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	if os.Getenv("DOCKER_HOST") == "" && os.Getenv("TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE") == "" {
		if _, err := os.Stat("/var/run/docker.sock"); err != nil {
			home, _ := os.UserHomeDir()
			if _, err := os.Stat(home + "/.docker/run/docker.sock"); err != nil {
				return false
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	p, err := testcontainers.ProviderDocker.GetProvider()
	if err != nil {
		return false
	}
	return p.Health(ctx) == nil
}

func ping(base string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := call(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/")
	return err
}

// Prefix returns a new lower-case prefix for names on the node at baseURL,
// unique to t. When t ends, every index, index template, component template
// and ISM policy whose name starts with the prefix is deleted.
func Prefix(t testing.TB, baseURL string) string {
	t.Helper()
	var b [5]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("random prefix: %v", err)
	}
	prefix := "t" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		if err := Cleanup(context.Background(), baseURL, prefix); err != nil {
			t.Errorf("clean up OpenSearch prefix %s: %v", prefix, err)
		}
	})
	return prefix
}

// Cleanup deletes every index, index template, component template and ISM
// policy on the node whose name starts with prefix.
func Cleanup(ctx context.Context, baseURL, prefix string) error {
	base := strings.TrimRight(baseURL, "/")
	pattern := url.PathEscape(prefix + "*")
	// Index templates first, so that nothing recreates an index meanwhile;
	// component templates only once no index template uses them.
	steps := []string{
		"/_index_template/" + pattern,
		"/" + pattern + "?expand_wildcards=all",
		"/_component_template/" + pattern,
	}
	for _, p := range steps {
		if _, err := call(ctx, http.MethodDelete, base+p); err != nil && !isNotFound(err) {
			return err
		}
	}
	return deletePolicies(ctx, base, prefix)
}

// deletePolicies deletes the ISM policies named with prefix; a node without
// ISM has none.
func deletePolicies(ctx context.Context, base, prefix string) error {
	body, err := call(ctx, http.MethodGet, base+"/_plugins/_ism/policies?size=1000&queryString="+url.QueryEscape(prefix+"*"))
	if err != nil {
		if isNotFound(err) || strings.Contains(err.Error(), "400") {
			return nil
		}
		return err
	}
	for _, id := range policyIDs(body) {
		if !strings.HasPrefix(id, prefix) {
			continue
		}
		if _, err := call(ctx, http.MethodDelete, base+"/_plugins/_ism/policies/"+url.PathEscape(id)); err != nil && !isNotFound(err) {
			return err
		}
	}
	return nil
}

type httpError struct {
	status int
	body   string
}

func (e *httpError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.status, e.body) }

func isNotFound(err error) bool {
	he, ok := err.(*httpError)
	return ok && he.status == http.StatusNotFound
}

// call is a bare HTTP call: the harness must not depend on the code it tests.
func call(ctx context.Context, method, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: read body: %w", method, u, err)
	}
	if resp.StatusCode >= 300 {
		return body, &httpError{status: resp.StatusCode, body: string(body)}
	}
	return body, nil
}

func policyIDs(body []byte) []string {
	var resp struct {
		Policies []struct {
			ID string `json:"_id"`
		} `json:"policies"`
	}
	if json.Unmarshal(body, &resp) != nil {
		return nil
	}
	ids := make([]string, 0, len(resp.Policies))
	for _, p := range resp.Policies {
		ids = append(ids, p.ID)
	}
	return ids
}
