#pragma once
// The collector's records as an HDF5 file, for runs whose CSV would be gigabytes: readable with
// h5py and pandas.
//
// Layout: `/time`, the times that have records (int64, ascending). For each attribute name, a
// group of that name ('/' written as %2F, '%' as %25) with `entities`, the full ids of the
// sources that sent it (UTF-8 strings, byte order), and `values`, one row per time and one column
// per entity: float64 (booleans as 1 and 0; NaN where the entity sent nothing at that time, and
// for null), or, for an attribute with a string, list or dict value, UTF-8 strings (a string's
// text, anything else as JSON; "" where there is nothing). In pandas:
// `pd.DataFrame(f["P"]["values"][:], index=f["time"][:], columns=f["P"]["entities"].asstr()[:])`.

#include <string>

#include "record_table.hpp"

namespace mas::sims {

/// Writes `records` to `path` (through a temporary file next to it, renamed at the end, so that
/// a file at `path` is always whole). Throws mas::Error naming what failed.
void write_hdf5(const RecordTable& records, const std::string& path);

}  // namespace mas::sims
