using Etcd.Raft.Benchmarks;

// Raft benchmarks mirroring etcd's BenchmarkOneNode and BenchmarkProposal3Nodes; see RESULTS.md.
// Usage: dotnet run -c Release --project bench/raft [proposals]
long proposals = args.Length > 0 ? long.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 200_000;
Console.WriteLine($"{"benchmark",-44} {"ops",10} {"time",13} {"alloc",13}");
foreach (int batch in new[] { 1, 16, 256 })
{
    Console.WriteLine(Measurement.Of($"OneNode (batch {batch})", proposals, 5, n => OneNodeBenchmark.Run(n, batch)));
}

foreach (int batch in new[] { 1, 16, 256 })
{
    Console.WriteLine(Measurement.Of($"Proposal3Nodes (batch {batch})", proposals / 4, 5, n => ThreeNodeBenchmark.Run(n, batch)));
}
