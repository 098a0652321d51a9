package checkpoint

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/merkle"
)

var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

func sampleEvent(id string) audit.Event {
	return audit.Event{
		ID: id, Tenant: "acme", ComponentID: "CMS", Submodule: "Cases", EventType: "CASE_CREATED",
		EventTypeName: "Case created", Area: "Cases", Description: "Alice created a case",
		Priority: audit.PriorityHigh, Status: audit.StatusSuccess,
		ActionUser: audit.User{Type: audit.UserDashboard, ID: "u1", Name: "Alice", Email: "alice@example.com", IPAddress: "10.0.0.1"},
		TargetUser: &audit.User{Type: audit.UserDashboard, ID: "u2", AccountStatus: audit.AccountActive},
		OccurredAt: t0, IngestedAt: t0.Add(time.Second), RedirectURL: "https://example.com/case/1",
		Details: map[string]any{"b": json.Number("1.50"), "a": []any{"x", map[string]any{"z": true, "y": nil}}},
	}
}

// TestEncodeEventIndependent: the leaf is SHA-256 of 0x00, the version
// line and the event's JSON without its flag, computed here by hand.
func TestEncodeEventIndependent(t *testing.T) {
	e := sampleEvent("e1")
	e.Flag = &audit.Flag{By: audit.User{Type: audit.UserDashboard, ID: "rev"}, At: t0, Note: "look"}
	got, err := EventLeaf(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"e1","tenant":"acme","componentId":"CMS","submodule":"Cases","eventType":"CASE_CREATED",` +
		`"eventTypeName":"Case created","area":"Cases","description":"Alice created a case","priority":"HIGH","status":"SUCCESS",` +
		`"actionUser":{"type":"DASHBOARD","id":"u1","name":"Alice","email":"alice@example.com","ipAddress":"10.0.0.1"},` +
		`"targetUser":{"type":"DASHBOARD","id":"u2","accountStatus":"ACTIVE"},` +
		`"occurredAt":"2026-03-01T10:00:00Z","ingestedAt":"2026-03-01T10:00:01Z","redirectUrl":"https://example.com/case/1",` +
		`"details":{"a":["x",{"y":null,"z":true}],"b":1.50}}`
	if sum := sha256.Sum256(append([]byte("\x00auditlog event v1\n"), want...)); !bytes.Equal(got[:], sum[:]) {
		b, _ := EncodeEvent(e)
		t.Errorf("leaf of the sample event is not the hash of the expected encoding;\nencoded %s\nwant    %s", b, want)
	}
	back, err := DecodeEvent(mustEncode(t, e))
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := EventLeaf(back); h != got {
		t.Error("an event decoded from its encoding has another leaf")
	}
}

func mustEncode(t *testing.T, e audit.Event) []byte {
	t.Helper()
	b, err := EncodeEvent(e)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEveryFieldCounts: changing any immutable field changes the leaf;
// flagging, unflagging or a time's location do not.
func TestEveryFieldCounts(t *testing.T) {
	base := sampleEvent("e1")
	leaf := func(e audit.Event) merkle.Hash {
		h, err := EventLeaf(e)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	want := leaf(base)
	changes := map[string]func(*audit.Event){
		"id":             func(e *audit.Event) { e.ID = "e2" },
		"tenant":         func(e *audit.Event) { e.Tenant = "acme2" },
		"component":      func(e *audit.Event) { e.ComponentID = "KMS" },
		"submodule":      func(e *audit.Event) { e.Submodule = "" },
		"eventType":      func(e *audit.Event) { e.EventType = "CASE_CLOSED" },
		"description":    func(e *audit.Event) { e.Description += "." },
		"priority":       func(e *audit.Event) { e.Priority = audit.PriorityLow },
		"status":         func(e *audit.Event) { e.Status = audit.StatusFailed },
		"actor name":     func(e *audit.Event) { e.ActionUser.Name = "Mallory" },
		"actor ip":       func(e *audit.Event) { e.ActionUser.IPAddress = "10.0.0.2" },
		"target removed": func(e *audit.Event) { e.TargetUser = nil },
		"target status": func(e *audit.Event) {
			e.TargetUser = &audit.User{Type: audit.UserDashboard, ID: "u2", AccountStatus: audit.AccountTerminated}
		},
		"occurredAt":      func(e *audit.Event) { e.OccurredAt = e.OccurredAt.Add(time.Millisecond) },
		"ingestedAt":      func(e *audit.Event) { e.IngestedAt = e.IngestedAt.Add(time.Millisecond) },
		"redirect":        func(e *audit.Event) { e.RedirectURL = "https://example.com/case/2" },
		"details number":  func(e *audit.Event) { e.Details = map[string]any{"b": json.Number("1.5"), "a": base.Details["a"]} },
		"details removed": func(e *audit.Event) { e.Details = nil },
	}
	for name, change := range changes {
		e := sampleEvent("e1")
		change(&e)
		if leaf(e) == want {
			t.Errorf("changing %s leaves the leaf unchanged", name)
		}
	}
	same := map[string]func(*audit.Event){
		"flagged":        func(e *audit.Event) { e.Flag = &audit.Flag{By: audit.User{Type: audit.UserBot}, At: t0} },
		"other location": func(e *audit.Event) { e.OccurredAt = e.OccurredAt.In(time.FixedZone("x", 3600)) },
	}
	for name, change := range same {
		e := sampleEvent("e1")
		change(&e)
		if leaf(e) != want {
			t.Errorf("%s changes the leaf", name)
		}
	}
}

func TestLeafListRoundTrip(t *testing.T) {
	var tr Tree
	var events []audit.Event
	for i, id := range []string{"a", "évènement-2", strings.Repeat("x", 128)} {
		e := sampleEvent(id)
		e.OccurredAt = t0.Add(time.Duration(i) * time.Hour)
		events = append(events, e)
		if err := tr.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	leaves, err := Leaves(tr.LeafList())
	if err != nil {
		t.Fatal(err)
	}
	if len(leaves) != len(events) {
		t.Fatalf("%d leaves, want %d", len(leaves), len(events))
	}
	for i, l := range leaves {
		h, _ := EventLeaf(events[i])
		if l.ID != events[i].ID || !l.OccurredAt.Equal(events[i].OccurredAt) || l.Hash != h {
			t.Errorf("leaf %d = %+v, want id %s at %s", i, l, events[i].ID, events[i].OccurredAt)
		}
	}
	if _, err := Leaves(tr.LeafList()[:len(tr.LeafList())-1]); err == nil {
		t.Error("a truncated leaf list decodes")
	}
}

func newKeyring(t *testing.T, n int) *Keyring {
	t.Helper()
	var seeds []string
	for range n {
		s, err := GenerateSeed()
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, s)
	}
	kr, err := ParseKeyring(strings.Join(seeds, ","))
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func sealed(t *testing.T, kr *Keyring) audit.Checkpoint {
	t.Helper()
	var tr Tree
	for _, id := range []string{"e1", "e2", "e3"} {
		if err := tr.Add(sampleEvent(id)); err != nil {
			t.Fatal(err)
		}
	}
	root := tr.Root()
	cp := audit.Checkpoint{Tenant: "acme", ComponentID: "CMS", Seq: 2, Start: t0, End: t0.Add(time.Minute),
		Count: tr.Count(), Root: root[:], Prev: bytes.Repeat([]byte{7}, 32), Leaves: tr.LeafList()}
	if err := kr.Sign(&cp); err != nil {
		t.Fatal(err)
	}
	return cp
}

// TestSignatureCoversEveryBit: the checkpoint verifies; flipping any bit
// of its body fields or signature fails it; a leaf list that does not hash
// to the root is caught.
func TestSignatureCoversEveryBit(t *testing.T) {
	kr := newKeyring(t, 1)
	cp := sealed(t, kr)
	if err := kr.Verify(cp); err != nil {
		t.Fatalf("fresh checkpoint: %v", err)
	}
	if _, err := CheckLeaves(cp); err != nil {
		t.Fatalf("fresh checkpoint's leaves: %v", err)
	}
	flip := func(b []byte, bit int) []byte {
		c := append([]byte(nil), b...)
		c[bit/8] ^= 1 << (bit % 8)
		return c
	}
	for _, field := range []string{"root", "prev", "signature", "tenant", "component"} {
		var n int
		switch field {
		case "root":
			n = len(cp.Root)
		case "prev":
			n = len(cp.Prev)
		case "signature":
			n = len(cp.Signature)
		default:
			n = 3
		}
		for bit := 0; bit < n*8; bit++ {
			c := cp
			switch field {
			case "root":
				c.Root = flip(cp.Root, bit)
			case "prev":
				c.Prev = flip(cp.Prev, bit)
			case "signature":
				c.Signature = flip(cp.Signature, bit)
			case "tenant":
				c.Tenant = string(flip([]byte(cp.Tenant), bit))
			case "component":
				c.ComponentID = string(flip([]byte(cp.ComponentID), bit))
			}
			if kr.Verify(c) == nil {
				t.Fatalf("%s with bit %d flipped verifies", field, bit)
			}
		}
	}
	for name, change := range map[string]func(*audit.Checkpoint){
		"seq":   func(c *audit.Checkpoint) { c.Seq++ },
		"start": func(c *audit.Checkpoint) { c.Start = c.Start.Add(time.Millisecond) },
		"end":   func(c *audit.Checkpoint) { c.End = c.End.Add(-time.Millisecond) },
		"count": func(c *audit.Checkpoint) { c.Count-- },
		"key":   func(c *audit.Checkpoint) { c.KeyID = "0000000000000000" },
	} {
		c := cp
		change(&c)
		if kr.Verify(c) == nil {
			t.Errorf("checkpoint with %s changed verifies", name)
		}
	}
	for bit := 0; bit < len(cp.Leaves)*8; bit += 7 {
		c := cp
		c.Leaves = flip(cp.Leaves, bit)
		if leaves, err := CheckLeaves(c); err == nil {
			// Only the id and time of a leaf are outside the root; they
			// must then differ from what was committed.
			orig, _ := Leaves(cp.Leaves)
			for i := range leaves {
				if leaves[i].Hash != orig[i].Hash {
					t.Fatalf("leaf list with bit %d flipped passes with another hash", bit)
				}
			}
		} else if !errors.Is(err, ErrLeaves) {
			t.Fatalf("leaf list with bit %d flipped: %v, want ErrLeaves", bit, err)
		}
	}
	other := newKeyring(t, 1)
	if other.Verify(cp) == nil {
		t.Error("a checkpoint verifies with a key that did not sign it")
	}
}

// TestRotation: a keyring with a new signing key and the old one verifies
// checkpoints of both; a verifier holding only public keys verifies too.
func TestRotation(t *testing.T) {
	oldKR := newKeyring(t, 1)
	oldCP := sealed(t, oldKR)
	seed, _ := GenerateSeed()
	oldSeed := seedOf(t, oldKR)
	rotated, err := ParseKeyring(seed + "\n# previous key\n" + oldSeed)
	if err != nil {
		t.Fatal(err)
	}
	if rotated.KeyID() == oldKR.KeyID() {
		t.Fatal("rotation kept the key id")
	}
	newCP := sealed(t, rotated)
	if newCP.KeyID != rotated.KeyID() {
		t.Errorf("new checkpoint signed by %s, want %s", newCP.KeyID, rotated.KeyID())
	}
	pubOnly := NewVerifier(rotated.PublicKeys()...)
	for _, kr := range []*Keyring{rotated, pubOnly} {
		for _, cp := range []audit.Checkpoint{oldCP, newCP} {
			if err := kr.Verify(cp); err != nil {
				t.Errorf("after rotation, checkpoint by %s: %v", cp.KeyID, err)
			}
		}
	}
	if oldKR.Verify(newCP) == nil {
		t.Error("the old keyring verifies a checkpoint of the new key")
	}
	if err := pubOnly.Sign(&newCP); err == nil {
		t.Error("a verifier without private key signs")
	}
	for _, p := range rotated.PublicKeys() {
		back, err := ParsePublicKey(EncodePublicKey(p.Key))
		if err != nil || back.ID != p.ID {
			t.Errorf("public key %s does not round-trip: %v", p.ID, err)
		}
	}
}

func seedOf(t *testing.T, kr *Keyring) string {
	t.Helper()
	return encodeSeed(kr.signer.Seed())
}

func TestParseKeyringRejects(t *testing.T) {
	for _, s := range []string{"", "# only a comment", "not base64!", "c2hvcnQ="} {
		if _, err := ParseKeyring(s); err == nil {
			t.Errorf("ParseKeyring(%q) accepted", s)
		}
	}
}
