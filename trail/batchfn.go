package trail

import (
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/duckdb/duckdb-go/v2"
)

// batchFunctions are two table functions, registered per loader, through
// which DuckDB reads a batch of decoded rows straight out of Go memory:
// rows(handle) yields whole events rows (record as VARCHAR; the INSERT casts
// it to JSON) and keys(handle) only event_id, for the duplicate probe. DuckDB
// calls them from its own threads, so copying rows into vectors runs in
// parallel and no staging table is written.
type batchFunctions struct {
	rows, keys string // registered function names

	mu      sync.Mutex
	next    int64
	batches map[int64][]*row
}

var functionSeq atomic.Int64

func registerBatchFunctions(conn *sql.Conn) (*batchFunctions, error) {
	n := functionSeq.Add(1)
	fn := &batchFunctions{
		rows:    fmt.Sprintf("footprint_batch_rows_%d", n),
		keys:    fmt.Sprintf("footprint_batch_keys_%d", n),
		batches: map[int64][]*row{},
	}
	bigint, err := duckdb.NewTypeInfo(duckdb.TYPE_BIGINT)
	if err != nil {
		return nil, err
	}
	rowCols, err := rowColumnInfos()
	if err != nil {
		return nil, err
	}
	varchar, err := duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR)
	if err != nil {
		return nil, err
	}
	keyCols := []duckdb.ColumnInfo{{Name: "event_id", T: varchar}}
	for _, f := range []struct {
		name string
		cols []duckdb.ColumnInfo
		keys bool
	}{{fn.rows, rowCols, false}, {fn.keys, keyCols, true}} {
		f := f
		err := duckdb.RegisterTableUDF(conn, f.name, duckdb.ParallelChunkTableFunction{
			Config: duckdb.TableFunctionConfig{Arguments: []duckdb.TypeInfo{bigint}},
			BindArguments: func(_ map[string]any, args ...any) (duckdb.ParallelChunkTableSource, error) {
				h, ok := args[0].(int64)
				if !ok {
					return nil, fmt.Errorf("batch handle %v is not a BIGINT", args[0])
				}
				rows, ok := fn.get(h)
				if !ok {
					return nil, fmt.Errorf("no batch %d", h)
				}
				return &batchSource{rows: rows, cols: f.cols, keysOnly: f.keys}, nil
			},
		})
		if err != nil {
			return nil, fmt.Errorf("register %s: %w", f.name, err)
		}
	}
	return fn, nil
}

func rowColumnInfos() ([]duckdb.ColumnInfo, error) {
	infos := make([]duckdb.ColumnInfo, len(columns))
	for i, c := range columns {
		var t duckdb.Type
		switch c.kind {
		case kindString:
			t = duckdb.TYPE_VARCHAR
		case kindTime:
			t = duckdb.TYPE_TIMESTAMP_TZ
		case kindBool:
			t = duckdb.TYPE_BOOLEAN
		case kindInt32:
			t = duckdb.TYPE_INTEGER
		case kindInt64:
			t = duckdb.TYPE_BIGINT
		}
		ti, err := duckdb.NewTypeInfo(t)
		if err != nil {
			return nil, err
		}
		infos[i] = duckdb.ColumnInfo{Name: c.name, T: ti}
	}
	return infos, nil
}

func (fn *batchFunctions) put(rows []*row) int64 {
	fn.mu.Lock()
	defer fn.mu.Unlock()
	fn.next++
	fn.batches[fn.next] = rows
	return fn.next
}

func (fn *batchFunctions) replace(h int64, rows []*row) {
	fn.mu.Lock()
	defer fn.mu.Unlock()
	fn.batches[h] = rows
}

func (fn *batchFunctions) get(h int64) ([]*row, bool) {
	fn.mu.Lock()
	defer fn.mu.Unlock()
	rows, ok := fn.batches[h]
	return rows, ok
}

func (fn *batchFunctions) drop(h int64) {
	fn.mu.Lock()
	defer fn.mu.Unlock()
	delete(fn.batches, h)
}

// batchSource serves one batch to DuckDB. Threads claim ranges of rows
// with an atomic cursor.
type batchSource struct {
	rows     []*row
	cols     []duckdb.ColumnInfo
	keysOnly bool
	cursor   atomic.Int64
}

func (s *batchSource) ColumnInfos() []duckdb.ColumnInfo { return s.cols }

func (s *batchSource) Cardinality() *duckdb.CardinalityInfo {
	return &duckdb.CardinalityInfo{Cardinality: uint(len(s.rows)), Exact: true}
}

func (s *batchSource) Init() duckdb.ParallelTableSourceInfo {
	return duckdb.ParallelTableSourceInfo{MaxThreads: 8}
}

func (s *batchSource) NewLocalState() any { return &struct{}{} }

func (s *batchSource) FillChunk(_ any, ch duckdb.DataChunk) error {
	n := int64(duckdb.GetDataChunkCapacity())
	start := s.cursor.Add(n) - n
	if start >= int64(len(s.rows)) {
		return ch.SetSize(0)
	}
	end := min(start+n, int64(len(s.rows)))
	if s.keysOnly {
		for i := start; i < end; i++ {
			if err := duckdb.SetChunkValue(ch, 0, int(i-start), s.rows[i].eventID()); err != nil {
				return err
			}
		}
		return ch.SetSize(int(end - start))
	}
	for i := start; i < end; i++ {
		r, out := s.rows[i], int(i-start)
		for c, col := range columns {
			var err error
			switch col.kind {
			case kindString:
				if v := r.str(col.slot); v != "" {
					err = duckdb.SetChunkValue(ch, c, out, v)
				} else {
					err = ch.SetValue(c, out, nil)
				}
			case kindTime:
				err = duckdb.SetChunkValue(ch, c, out, r.when())
			case kindBool:
				switch r.bools[col.slot] {
				case 0:
					err = duckdb.SetChunkValue(ch, c, out, false)
				case 1:
					err = duckdb.SetChunkValue(ch, c, out, true)
				default:
					err = ch.SetValue(c, out, nil)
				}
			case kindInt32:
				err = duckdb.SetChunkValue(ch, c, out, r.size)
			case kindInt64:
				err = duckdb.SetChunkValue(ch, c, out, r.fileID)
			}
			if err != nil {
				return err
			}
		}
	}
	return ch.SetSize(int(end - start))
}
