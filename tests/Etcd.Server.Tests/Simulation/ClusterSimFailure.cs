namespace Etcd.Server.Tests.Simulation;

/// <summary>A broken guarantee found by the whole-cluster simulator (as opposed to a crash of the simulator itself).</summary>
internal sealed class ClusterSimFailure(string message) : Exception(message);
