namespace Etcd.Raft.Tests.Simulation;

/// <summary>A broken invariant (or unexpected exception) in a simulated run.</summary>
internal sealed class SimulationFailure(string message) : Exception(message);
