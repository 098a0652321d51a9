package exportproof

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/checkpoint"
	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/merkle"
)

// Kind is a kind of problem with an exported file.
type Kind string

// Kinds of problems.
const (
	// RowAltered: the file's row differs from the event the manifest holds.
	RowAltered Kind = "ROW_ALTERED"
	// RowMissing: a row the manifest holds is not in the file.
	RowMissing Kind = "ROW_MISSING"
	// RowUnproven: the event was not checkpointed when exported.
	RowUnproven Kind = "ROW_UNPROVEN"
	// ProofInvalid: the event is not in its checkpoint: it was changed in
	// the store before the export, or the manifest was forged.
	ProofInvalid Kind = "PROOF_INVALID"
	// CheckpointInvalid: a checkpoint's signature does not verify.
	CheckpointInvalid Kind = "CHECKPOINT_INVALID"
	// FileAltered: the file is not the one exported (header, trailer,
	// extra bytes, or its SHA-256).
	FileAltered Kind = "FILE_ALTERED"
)

// Problem is one problem found.
type Problem struct {
	Kind Kind
	// Row is the data row (1 is the line after the header) in the
	// manifest's order; 0 when the problem is not a row's.
	Row     int
	EventID string
	Detail  string
}

// Report is the outcome of checking a file.
type Report struct {
	Tenant   string
	Rows     int64
	Proven   int64
	Problems []Problem
}

// OK reports that the file is the export, every row proven.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// Verify checks csv, a whole exported file, against its manifest with
// keys (public keys suffice). An error means the manifest itself cannot be
// trusted (its signature does not verify) or read.
func Verify(csv []byte, manifestJSON []byte, keys *checkpoint.Keyring) (Report, error) {
	var m Manifest
	if err := json.Unmarshal(manifestJSON, &m); err != nil {
		return Report{}, fmt.Errorf("read manifest: %w", err)
	}
	if err := keys.VerifyData(signaturePrefix, m.Body, m.KeyID, m.Signature); err != nil {
		return Report{}, fmt.Errorf("manifest: %w", err)
	}
	var body Body
	if err := json.Unmarshal(m.Body, &body); err != nil {
		return Report{}, fmt.Errorf("read manifest body: %w", err)
	}
	rep := Report{Tenant: body.Tenant, Rows: body.Rows}
	add := func(p Problem) { rep.Problems = append(rep.Problems, p) }

	validCP := make([]bool, len(body.Checkpoints))
	for i, c := range body.Checkpoints {
		cp := c.checkpoint()
		if err := keys.Verify(cp); err != nil || cp.Tenant != body.Tenant {
			add(Problem{Kind: CheckpointInvalid, Detail: fmt.Sprintf("checkpoint %s #%d: signature or tenant does not verify", c.ComponentID, c.Seq)})
			continue
		}
		validCP[i] = true
	}

	// Each row's expected bytes, and whether its event is proven.
	enc := export.NewRowEncoder()
	rows := make([][]byte, len(body.Entries))
	ids := make([]string, len(body.Entries))
	for j, en := range body.Entries {
		ev, err := checkpoint.DecodeEvent(en.Event)
		if err != nil {
			return rep, fmt.Errorf("manifest entry %d: %w", j+1, err)
		}
		ids[j] = ev.ID
		if problem := prove(body, validCP, en, ev); problem != "" {
			kind := ProofInvalid
			if en.Checkpoint < 0 {
				kind = RowUnproven
			}
			add(Problem{Kind: kind, Row: j + 1, EventID: ev.ID, Detail: problem})
		} else {
			rep.Proven++
		}
		ev.Flag = en.Flag
		if rows[j], err = enc.Row(ev); err != nil {
			return rep, fmt.Errorf("manifest entry %d: %w", j+1, err)
		}
	}

	// Walk the file along the expected rows.
	header, err := enc.Header()
	if err != nil {
		return rep, err
	}
	rest := csv
	if !bytes.HasPrefix(rest, header) {
		add(Problem{Kind: FileAltered, Detail: "the header line differs"})
		if i := bytes.Index(rest, []byte("\r\n")); i >= 0 {
			rest = rest[i+2:]
		}
	} else {
		rest = rest[len(header):]
	}
	for j := 0; j < len(rows); j++ {
		if bytes.HasPrefix(rest, rows[j]) {
			rest = rest[len(rows[j]):]
			continue
		}
		// Either row j is gone (the file goes on with a later row) or it
		// was changed (the next expected row follows the changed one).
		if next := nextMatch(rest, rows, j+1); next >= 0 && bytes.HasPrefix(rest, rows[next]) {
			for k := j; k < next; k++ {
				add(Problem{Kind: RowMissing, Row: k + 1, EventID: ids[k]})
			}
			j = next - 1
			continue
		}
		if bytes.HasPrefix(rest, export.Trailer(body.Rows)) {
			for k := j; k < len(rows); k++ {
				add(Problem{Kind: RowMissing, Row: k + 1, EventID: ids[k]})
			}
			break
		}
		// Bytes added before row j: skip them and take row j again.
		if at := bytes.Index(rest, rows[j]); at > 0 && (j+1 == len(rows) || !bytes.Contains(rest[:at], rows[j+1])) {
			add(Problem{Kind: FileAltered, Row: j + 1, Detail: fmt.Sprintf("%d bytes added before row %d", at, j+1)})
			rest = rest[at:]
			j--
			continue
		}
		add(Problem{Kind: RowAltered, Row: j + 1, EventID: ids[j]})
		end := -1
		if j+1 < len(rows) {
			end = bytes.Index(rest, rows[j+1])
		} else {
			end = bytes.Index(rest, export.Trailer(body.Rows))
		}
		if end < 0 {
			end = len(rest)
		}
		rest = rest[end:]
	}
	if !bytes.Equal(rest, export.Trailer(body.Rows)) {
		add(Problem{Kind: FileAltered, Detail: "the file does not end with the trailer of a complete export of " + fmt.Sprint(body.Rows) + " rows"})
	}
	if sum := sha256.Sum256(csv); hex.EncodeToString(sum[:]) != body.CSVSHA256 && rep.OK() {
		add(Problem{Kind: FileAltered, Detail: "the SHA-256 of the file differs from the manifest's"})
	}
	return rep, nil
}

// nextMatch returns the first k >= from whose row starts rest, or -1.
func nextMatch(rest []byte, rows [][]byte, from int) int {
	for k := from; k < len(rows); k++ {
		if bytes.HasPrefix(rest, rows[k]) {
			return k
		}
	}
	return -1
}

// prove checks an entry's inclusion in its checkpoint; "" when proven.
func prove(body Body, validCP []bool, en Entry, ev audit.Event) string {
	if en.Checkpoint < 0 {
		return "not checkpointed when exported"
	}
	if en.Checkpoint >= len(body.Checkpoints) {
		return "names no checkpoint of the manifest"
	}
	if !validCP[en.Checkpoint] {
		return "its checkpoint does not verify"
	}
	c := body.Checkpoints[en.Checkpoint]
	if ev.Tenant != body.Tenant || ev.ComponentID != c.ComponentID || ev.IngestedAt.Before(c.Start) || !ev.IngestedAt.Before(c.End) {
		return fmt.Sprintf("does not belong to checkpoint %s #%d", c.ComponentID, c.Seq)
	}
	proof := make([]merkle.Hash, len(en.Proof))
	for i, p := range en.Proof {
		if len(p) != merkle.HashSize {
			return "malformed proof"
		}
		copy(proof[i][:], p)
	}
	var root merkle.Hash
	copy(root[:], c.Root)
	h, err := checkpoint.EventLeaf(ev)
	if err != nil {
		return err.Error()
	}
	if en.Leaf < 0 {
		return fmt.Sprintf("is not committed by checkpoint %s #%d, whose window holds it", c.ComponentID, c.Seq)
	}
	if merkle.VerifyInclusion(h, uint64(en.Leaf), uint64(c.Count), proof, root) != nil {
		return fmt.Sprintf("is not leaf %d of checkpoint %s #%d", en.Leaf, c.ComponentID, c.Seq)
	}
	return ""
}
