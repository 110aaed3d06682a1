#pragma once
// mas-bench's `results` part (issue 18): writing a collector's records as CSV and as HDF5, on a
// generated data set shaped like a year of households at 15 minutes, scaled down.

namespace mas::bench {

class Report;

/// Writes the data set `rounds` times in each format (to a temporary directory) and adds
/// results.csv_s, results.hdf5_s and their ratio.
void run_results(int rounds, Report& report);

}  // namespace mas::bench
