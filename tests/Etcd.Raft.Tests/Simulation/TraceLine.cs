using System.Runtime.CompilerServices;

namespace Etcd.Raft.Tests.Simulation;

/// <summary>
/// Builds a trace line only when the simulator is tracing: when it is not, the interpolation holes
/// are not even evaluated, so untraced runs (the thousands of seeds) pay nothing for tracing.
/// </summary>
[InterpolatedStringHandler]
internal ref struct TraceLine
{
    private DefaultInterpolatedStringHandler _inner;

    public TraceLine(int literalLength, int formattedCount, Simulator sim, out bool enabled)
    {
        enabled = sim.Tracing;
        _inner = enabled ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
    }

    public void AppendLiteral(string value) => _inner.AppendLiteral(value);

    public void AppendFormatted<T>(T value) => _inner.AppendFormatted(value);

    public void AppendFormatted<T>(T value, string? format) => _inner.AppendFormatted(value, format);

    public string ToStringAndClear() => _inner.ToStringAndClear();
}
