namespace Etcd.Server.Tests.Simulation;

/// <summary>
/// Thrown by a simulated disk or network to end the member's process at that point, half-way
/// through a Ready; the member catches it where its process loop would die, and crashes.
/// </summary>
internal sealed class SimulatedCrash(string where) : Exception($"the process died {where}")
{
    public string Where { get; } = where;
}
