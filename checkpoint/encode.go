// Package checkpoint defines what a tamper-evidence checkpoint commits to
// and how it is signed: the canonical encoding of an event (its leaf), the
// list of leaves a checkpoint keeps, the signed body of a checkpoint, its
// hash (the link of the chain) and the Ed25519 keys that sign it. It does
// no I/O.
package checkpoint

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/merkle"
)

// eventPrefix starts every event encoding, so that the encoding can change
// in a later version without two versions ever hashing alike.
const eventPrefix = "auditlog event v1\n"

// EncodeEvent returns the canonical encoding of e's immutable fields:
// everything the module sent, as enriched at ingest, and the ingest time;
// not the flag, which reviewers change by design. It is JSON with fields in
// a fixed order, map keys sorted, times in UTC at millisecond precision.
func EncodeEvent(e audit.Event) ([]byte, error) {
	e.Flag = nil
	e.OccurredAt = e.OccurredAt.UTC().Truncate(time.Millisecond)
	e.IngestedAt = e.IngestedAt.UTC().Truncate(time.Millisecond)
	if e.TargetUser != nil {
		tu := *e.TargetUser
		e.TargetUser = &tu
	}
	if len(e.Details) == 0 {
		e.Details = nil // an empty map and none are stored alike
	}
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode event %s: %w", e.ID, err)
	}
	return append([]byte(eventPrefix), b...), nil
}

// DecodeEvent is the inverse of EncodeEvent (numbers of details decode as
// json.Number, keeping their literal).
func DecodeEvent(b []byte) (audit.Event, error) {
	if !bytes.HasPrefix(b, []byte(eventPrefix)) {
		return audit.Event{}, errors.New("decode event: not an auditlog v1 event encoding")
	}
	var e audit.Event
	dec := json.NewDecoder(bytes.NewReader(b[len(eventPrefix):]))
	dec.UseNumber()
	if err := dec.Decode(&e); err != nil {
		return audit.Event{}, fmt.Errorf("decode event: %w", err)
	}
	return e, nil
}

// EventLeaf is the Merkle leaf hash of e.
func EventLeaf(e audit.Event) (merkle.Hash, error) {
	b, err := EncodeEvent(e)
	if err != nil {
		return merkle.Hash{}, err
	}
	return merkle.LeafHash(b), nil
}

// Leaf is one entry of a checkpoint's leaf list.
type Leaf struct {
	ID         string
	OccurredAt time.Time
	Hash       merkle.Hash
}

// AppendLeaf appends the record of l to a leaf list: the hash, the
// occurrence time (Unix ms, 8 bytes big-endian), the id's length (2 bytes)
// and the id.
func AppendLeaf(list []byte, l Leaf) []byte {
	list = append(list, l.Hash[:]...)
	list = binary.BigEndian.AppendUint64(list, uint64(l.OccurredAt.UnixMilli()))
	list = binary.BigEndian.AppendUint16(list, uint16(len(l.ID)))
	return append(list, l.ID...)
}

// Leaves decodes a leaf list.
func Leaves(list []byte) ([]Leaf, error) {
	var out []Leaf
	for len(list) > 0 {
		if len(list) < merkle.HashSize+10 {
			return nil, errors.New("leaf list: truncated record")
		}
		var l Leaf
		copy(l.Hash[:], list)
		list = list[merkle.HashSize:]
		l.OccurredAt = time.UnixMilli(int64(binary.BigEndian.Uint64(list))).UTC()
		n := int(binary.BigEndian.Uint16(list[8:]))
		list = list[10:]
		if len(list) < n {
			return nil, errors.New("leaf list: truncated id")
		}
		l.ID = string(list[:n])
		list = list[n:]
		out = append(out, l)
	}
	return out, nil
}

// Body is what a checkpoint's signature signs and its hash covers: every
// field but the signature, the leaf list (trusted only as far as it hashes
// to the root) and the creation time, one per line.
func Body(cp audit.Checkpoint) []byte {
	var b bytes.Buffer
	b.WriteString("auditlog checkpoint v1\n")
	line := func(k, v string) { b.WriteString(k + " " + v + "\n") }
	line("tenant", cp.Tenant)
	line("component", cp.ComponentID)
	line("seq", strconv.FormatInt(cp.Seq, 10))
	line("start", strconv.FormatInt(cp.Start.UnixMilli(), 10))
	line("end", strconv.FormatInt(cp.End.UnixMilli(), 10))
	line("count", strconv.FormatInt(cp.Count, 10))
	line("root", hex.EncodeToString(cp.Root))
	line("prev", hex.EncodeToString(cp.Prev))
	line("key", cp.KeyID)
	return b.Bytes()
}

// Hash is the hash of a checkpoint, which the next one holds as Prev.
func Hash(cp audit.Checkpoint) []byte {
	h := sha256.Sum256(Body(cp))
	return h[:]
}
